import type { Outcome } from '../../protocol/outcome.ts';
import type { Evidence, Item, Phase, RunEvent } from '../../protocol/run-event.ts';
import { ModelError, type Message, type ModelClient, type TokenUsage } from '../model/model-port.ts';
import { addUsage, costUsd, zeroUsage, type Price } from '../model/prices.ts';
import type { ChangeSnapshot, Sandbox, TitleBrief, ToolchainSource, Verifier, WorkspaceFiles } from '../ports.ts';
import { systemPrompt, taskMessage } from '../prompt/system-prompt.ts';
import { ApprovalCancelled, executeTool, type Approver } from '../tools/execute-tool.ts';
import { toolSpecs } from '../tools/tool-specs.ts';
import { exceededBudget, type Budgets } from './budgets.ts';
import { compactMessages, estimateTokens } from './compact.ts';
import { isGreen, newFailures, runTests, type TestRun } from './run-tests.ts';
import { TimeBudgetReached, untilAborted, withDeadline } from './deadline.ts';
import { redactDeep } from './redact.ts';
import { missingPrograms, missingProgramText } from './missing-programs.ts';
import { runSetup } from './run-setup.ts';
import type { ProjectEnvironment, RunEnvironment, ToolchainRequirement } from '../../protocol/toolchain.ts';
import { cleanVerdict, judgeSnapshot, type CleanInput } from './clean-verdict.ts';
import { writeTitle } from './write-title.ts';
import { computeMeter } from './compute-meter.ts';
import { settleOutcome } from './settle-outcome.ts';
import {
  baselineNote,
  cleanFailureFeedback,
  describeFailures,
  integrityFeedback,
  PLAN_MODE,
  planText,
  verificationFeedback,
} from './feedback-text.ts';

export interface AgentInput {
  runId: string;
  repoName: string;
  task: { title: string; body: string; instructions: string };
  setup: string[];
  /**
   * Where the evidence of a fix is measured from, when not from the run's start: a follow-up
   * works on its pull request's branch, and the pull request as a whole must show it fixes
   * something against its base branch (a tree or commit id the verifier knows).
   */
  evidenceBase?: string;
  /** Setup for the verdict's clean checkouts, when it differs from `setup` (an app-server turn after the first installs nothing in place). */
  verifySetup?: string[];
  test: string | null;
  instructionFiles: Array<{ path: string; text: string }>;
  protectedPaths: string[];
  budgets: Budgets;
  verificationRounds: number;
  network: boolean;
  commandTimeoutMs: number;
  setupTimeoutMs: number;
  outputLimitBytes: number;
  /** The model's context window in tokens; older turns are compacted past 70% of it. */
  contextTokens?: number;
  /** `plan`: explore read-only and propose a plan for approval; no setup, tests or edits. */
  mode?: 'work' | 'plan';
  /** Toolchain versions the repository asks for: provided where the app can, else an older one is named when setup or the tests fail. */
  toolchain?: ToolchainRequirement[];
  /** Where the commands run (a Python project's virtual environment), made before setup. */
  environment?: ProjectEnvironment;
  /** Host paths the deployment's settings name for setup (its pip mirror): named when setup fails and they are out of the sandbox's sight. */
  needs?: Array<{ path: string; why: string }>;
  /** When given, a run that leaves changes ends by asking the model for a title in this style. */
  title?: TitleBrief;
  /** The checkout is read-only to commands, and patches need a person's yes (the app server's read-only sandbox policy). */
  readOnlyCheckout?: boolean;
  /** The outcomes that get a title: by default both that can be published. */
  titleOutcomes?: Outcome[];
}

export interface AgentDeps {
  model: ModelClient;
  sandbox: Sandbox;
  files: WorkspaceFiles;
  /** Toolchain versions the app fetches itself when the worker lacks them (Node from the npm registry). */
  toolchains?: ToolchainSource;
  emit: (event: RunEvent) => void;
  /** The checkout frozen as it is now against where the run started: its tree, files and diff. */
  changes: () => Promise<ChangeSnapshot>;
  /** Clean checkouts of a frozen tree, each with a fresh sandbox: where the verdict is decided. */
  verifier: Verifier;
  now?: () => number;
  prices?: Record<string, Price>;
  /**
   * Undoes what a run may not change in the checkout (nested repositories, protected paths,
   * links out of it) and says what it undid; called before every diff and test run.
   */
  guard?: () => Promise<string[]>;
  /** Removes known secret values from text before it reaches the model or an event. */
  redact?: (text: string) => string;
  /** Called at named moments (setup, each model request, each test run); fault-injection tests stop the app there. */
  checkpoint?: (phase: 'setup' | 'model' | 'test') => Promise<void>;
  /** Asks a person before a command or a file change (the app server's approval policies); absent, nothing is asked. */
  approve?: Approver;
  /** Instructions a person added to the running turn since the last model request (drained on read). */
  steer?: () => string[];
}

export type RunCompleted = Extract<RunEvent, { type: 'run.completed' }>;

class Stop extends Error {
  readonly outcome: Outcome;
  readonly question: string | undefined;
  constructor(outcome: Outcome, summary: string, question?: string) {
    super(summary);
    this.outcome = outcome;
    this.question = question;
  }
}

/** Drives the model through tools until the harness's own test run is green, or a stop rule fires. */
export async function runAgent(input: AgentInput, deps: AgentDeps, outer: AbortSignal): Promise<RunCompleted> {
  const now = deps.now ?? Date.now;
  const started = now();
  // Every wait below (commands, model requests, tools) ends when the time budget does.
  const deadline = withDeadline(outer, input.budgets.maxMinutes * 60_000, `${input.budgets.maxMinutes} minutes`);
  const signal = deadline.signal;
  let seq = 0;
  const nextId = () => `item_${++seq}`;
  let usage: TokenUsage = zeroUsage;
  let baseline: TestRun | null = null;
  let final: TestRun | null = null;
  const redact = deps.redact ?? ((t: string) => t);
  // Every sandboxed command of the run is counted: what it cost in CPU, memory and time.
  const meter = computeMeter();
  const counted = meter.counted;
  // Once the project's environment is made, every command goes through it (see prepare-environment.ts).
  let sandbox = counted(deps.sandbox);
  let environment: RunEnvironment | undefined;
  let provided: string[] = [];
  let setupCommands: string[] = [];
  const emit = (e: RunEvent) => deps.emit(deps.redact ? redactDeep(e, redact) : e);
  const phase = (p: Phase) => emit({ type: 'run.phase', phase: p });
  const item = (kind: 'item.started' | 'item.completed') => (i: Item) => emit({ type: kind, item: i });
  const cost = () => costUsd(deps.model.model, usage, deps.prices);
  const stopped = () =>
    signal.reason instanceof TimeBudgetReached && !outer.aborted
      ? new Stop('budget_exhausted', signal.reason.message)
      : new Stop('cancelled', `cancelled: ${reason(signal)}`);
  const checkAbort = () => {
    if (signal.aborted) throw stopped();
  };
  const refused: string[] = [];
  const noteRefusal = (text: string) => {
    refused.push(text);
    item('item.completed')({ id: nextId(), kind: 'error', message: `refused: ${text}` });
  };
  const guard = async () => {
    for (const note of deps.guard ? await untilAborted(deps.guard(), signal) : []) noteRefusal(note);
  };
  const snapshotNow = async () => (await guard(), untilAborted(deps.changes(), signal));
  const diffNow = async () => (await snapshotNow()).diff;
  /** The tree the clean verification passed: the only one a `succeeded` run may publish. */
  let verified: string | null = null;
  const taskText = `${input.task.title}\n${input.task.body}\n${input.task.instructions}`;
  let concerns: string[] = [];
  const testRun = async (command: string) => {
    await deps.checkpoint?.('test');
    await guard();
    const id = nextId();
    const r = await runTests(
      sandbox,
      command,
      deps.files.root,
      input.commandTimeoutMs,
      signal,
      async (rel) => (await deps.files.read(rel).catch(() => null)) !== null,
    );
    emit({ type: 'item.completed', item: { id, kind: 'test_run', ...r.summary } });
    return r;
  };

  const cleanDeps = {
    verifier: deps.verifier,
    signal,
    nextId,
    item: (kind: 'item.started' | 'item.completed', i: Item) => item(kind)(i),
    wrap: counted,
    ...(deps.toolchains ? { toolchains: deps.toolchains } : {}),
  };
  // The clean checkout is set up as the run was: the same environment (a virtual environment, the Node asked for), then setup.
  const cleanInput: CleanInput = {
    setup: input.verifySetup ?? input.setup,
    test: input.test ?? '',
    setupTimeoutMs: input.setupTimeoutMs,
    commandTimeoutMs: input.commandTimeoutMs,
    outputLimitBytes: input.outputLimitBytes,
    taskText,
    ...(input.toolchain ? { toolchain: input.toolchain } : {}),
    ...(input.environment ? { environment: input.environment } : {}),
    ...(input.needs ? { needs: input.needs } : {}),
    ...(input.evidenceBase ? { evidenceBase: input.evidenceBase } : {}),
  };

  emit({
    type: 'run.started',
    runId: input.runId,
    task: input.task.title,
    repo: input.repoName,
    trigger: 'task',
    model: deps.model.model,
  });
  let summary = '';
  let outcome: Outcome = 'succeeded';
  let question: string | undefined;
  let messages: Message[] = [];
  let tools = toolSpecs;
  try {
    const planning = input.mode === 'plan';
    phase('setup');
    await deps.checkpoint?.('setup');
    if (!planning) {
      const done = await runSetup(
        input,
        {
          sandbox,
          root: deps.files.root,
          ...(deps.toolchains ? { toolchains: deps.toolchains } : {}),
          nextId,
          show: (kind, i) => item(kind)(i),
          checkAbort,
        },
        signal,
      );
      setupCommands = done.commands;
      if (!done.ok) throw new Stop('setup_failed', done.summary);
      ({ sandbox, environment, provided } = done);
    }
    if (input.test && !planning) {
      const missing = await missingPrograms(sandbox, [input.test], deps.files.root, signal);
      if (missing.length)
        throw new Stop('setup_failed', missingProgramText(missing, [input.test], 'test', input.environment));
      phase('baseline');
      baseline = await testRun(input.test);
      checkAbort();
    }

    phase('working');
    messages = [
      {
        role: 'system',
        text: systemPrompt({
          repoName: input.repoName,
          setup: input.setup,
          test: input.test,
          instructionFiles: input.instructionFiles,
          protectedPaths: input.protectedPaths,
          network: input.network,
        }),
      },
      {
        role: 'user',
        text: taskMessage(input.task) + redact(baselineNote(baseline)) + (planning ? `\n\n${PLAN_MODE}` : ''),
      },
    ];
    if (planning) tools = toolSpecs.filter((t) => t.name !== 'apply_patch');
    let turns = 0;
    let rounds = 0;
    const compaction = { plan: [] as Array<{ text: string; status: string }>, diff: '', latestFailures: '' };
    const trackPlan = (e: RunEvent) => {
      if (e.type === 'item.completed' && e.item.kind === 'plan') compaction.plan = e.item.steps;
    };
    for (;;) {
      checkAbort();
      const window = input.contextTokens ?? 200_000;
      if (estimateTokens(messages) > window * 0.7) {
        compaction.diff = await diffNow();
        const compacted = compactMessages(messages, compaction);
        if (compacted.length < messages.length) {
          messages.splice(0, messages.length, ...compacted);
          item('item.completed')({
            id: nextId(),
            kind: 'reasoning_summary',
            text: 'Older turns were compacted to fit the context window.',
          });
        }
      }
      const over = exceededBudget(input.budgets, { turns, usage, costUsd: cost(), elapsedMs: now() - started });
      if (over) throw new Stop('budget_exhausted', `the ${over} budget ran out before the work was done`);
      turns++;
      emit({ type: 'turn.started', turn: turns });
      const msgId = nextId();
      let streamed = '';
      await deps.checkpoint?.('model');
      // What the person added while the run works (the app server's turn/steer), before the next request.
      for (const text of deps.steer?.() ?? [])
        messages.push({ role: 'user', text: `The user adds, while you work:\n${text}` });
      const ask = () =>
        untilAborted(
          deps.model.complete({
            messages,
            tools,
            signal,
            onTextDelta: (d) => ((streamed += d), emit({ type: 'item.delta', itemId: msgId, delta: d })),
          }),
          signal,
        );
      const res = await ask()
        .catch(async (error: unknown) => {
          checkAbort();
          // Too long for the model's window (its real size was not what we were told): compact now, ask once more.
          if (error instanceof ModelError && error.reason === 'context_length') {
            compaction.diff = await diffNow();
            const compacted = compactMessages(messages, compaction, 2);
            if (compacted.length < messages.length) {
              messages.splice(0, messages.length, ...compacted);
              item('item.completed')({
                id: nextId(),
                kind: 'reasoning_summary',
                text: 'The model said the conversation was too long for it; older turns were compacted.',
              });
              return ask();
            }
            throw new Stop(
              'model_error',
              `the conversation does not fit the model's context window, even with older turns compacted; set PATCHWRIGHT_CONTEXT_TOKENS to the model's real window or use a model with a larger one (${error.message})`,
            );
          }
          throw error;
        })
        .catch((error: unknown) => {
          checkAbort();
          if (error instanceof Stop) throw error;
          throw error instanceof ModelError ? new Stop('model_error', error.message) : error;
        });
      usage = addUsage(usage, res.usage);
      const u = { ...usage, costUsd: cost() };
      emit({ type: 'turn.completed', turn: turns, usage: u });
      emit({ type: 'usage.updated', usage: u });
      messages.push({ role: 'assistant', text: res.text, toolCalls: res.toolCalls });
      if (res.text || streamed)
        item('item.completed')({ id: msgId, kind: 'agent_message', text: res.text || streamed });

      if (res.toolCalls.length === 0) {
        summary = res.text;
        if (planning) throw new Stop('needs_input', 'the plan waits for approval', planText(compaction.plan, res.text));
        if (!input.test) break;
        phase('verifying');
        final = await testRun(input.test);
        checkAbort();
        if (isGreen(final.summary, baseline?.summary ?? null)) {
          const snap = await snapshotNow();
          // Nothing changed is `no_changes`, said plainly below; not a fix to judge.
          if (!snap.files.length) break;
          // The agent's own checkout first (cheap, and what the model can act on); it decides nothing.
          concerns = await untilAborted(judgeSnapshot(snap, baseline, final, input.test, taskText), signal);
          let failure: string | undefined;
          if (!concerns.length) {
            const v = await cleanVerdict(cleanDeps, snap, cleanInput, baseline);
            if (v.final) final = v.final;
            failure = v.failure;
            concerns = v.concerns;
            if (!failure && !concerns.length) {
              verified = snap.id;
              break;
            }
          }
          if (rounds >= input.verificationRounds)
            throw new Stop(
              'tests_failing',
              failure ?? `the tests pass only in a way the harness does not accept: ${concerns.join('; ')}`,
            );
          rounds++;
          phase('working');
          messages.push({
            role: 'user',
            text: redact(failure ? cleanFailureFeedback(failure) : integrityFeedback(concerns)),
          });
          continue;
        }
        if (rounds >= input.verificationRounds)
          throw new Stop(
            'tests_failing',
            `tests still fail after ${rounds} verification round(s): ${describeFailures(final.summary, baseline)}`,
          );
        rounds++;
        phase('working');
        compaction.latestFailures =
          newFailures(final.summary, baseline?.summary ?? null).join(', ') || final.tail.slice(-1500);
        messages.push({ role: 'user', text: redact(verificationFeedback(final, baseline)) });
        continue;
      }
      for (const [n, call] of res.toolCalls.entries()) {
        checkAbort();
        if (n >= MAX_CALLS_PER_TURN) {
          // Every call still gets an answer, so the transcript stays valid.
          messages.push({
            role: 'tool',
            callId: call.id,
            output: `Not run: at most ${MAX_CALLS_PER_TURN} tool calls are run in one turn.`,
          });
          continue;
        }
        const out = await untilAborted(
          executeTool(call, {
            sandbox,
            files: deps.files,
            protectedPaths: input.protectedPaths,
            network: input.network,
            commandTimeoutMs: input.commandTimeoutMs,
            outputLimitBytes: input.outputLimitBytes,
            signal,
            nextId,
            ...(deps.approve ? { approve: deps.approve } : {}),
            ...(input.readOnlyCheckout ? { readOnlyCheckout: true } : {}),
            started: item('item.started'),
            completed: (i) => {
              trackPlan({ type: 'item.completed', item: i });
              item('item.completed')(i);
            },
          }),
          signal,
        );
        if (out.refused) noteRefusal(out.refused);
        messages.push({ role: 'tool', callId: call.id, output: redact(out.output) });
        if (out.question) throw new Stop('needs_input', 'the model needs an answer before it can go on', out.question);
      }
      if (res.toolCalls.some((c) => c.name === 'apply_patch')) emit({ type: 'diff.updated', diff: await diffNow() });
    }
    if (!(await snapshotNow()).files.length) {
      outcome = 'no_changes';
      summary ||= 'no change was made';
    }
  } catch (caught) {
    const error =
      caught instanceof ApprovalCancelled
        ? new Stop('cancelled', caught.message)
        : !(caught instanceof Stop) && signal.aborted
          ? stopped()
          : caught;
    if (!(error instanceof Stop)) {
      outcome = 'sandbox_error';
      summary = `the run failed: ${error instanceof Error ? error.message : String(error)}`;
    } else {
      outcome = error.outcome;
      summary = error.message;
      question = error.question;
    }
  }
  deadline.dispose();
  // The last look at the checkout: undo what may not stay, whatever ended the run.
  // Bounded: a checkout the model filled with a million files must not hold the run forever.
  const last = AbortSignal.timeout(FINAL_LOOK_MS);
  for (const note of deps.guard
    ? await untilAborted(deps.guard(), last).catch((e: unknown) => [
        `the checkout could not be checked: ${e instanceof Error ? e.message : String(e)}`,
      ])
    : [])
    noteRefusal(note);
  const snap = await untilAborted(deps.changes(), last).catch(
    (e: unknown) => (noteRefusal(`the change could not be read: ${e instanceof Error ? e.message : String(e)}`), null),
  );
  const diff = snap?.diff ?? '';
  // The run's whole change as it ends (edits made through the shell included), for live views.
  if (diff.trim()) emit({ type: 'diff.updated', diff });
  ({ outcome, summary, concerns } = settleOutcome(
    { outcome, summary, concerns },
    { snap, verified, test: input.test, baseline, final, taskText },
  ));
  const filesChanged = (snap?.files ?? []).map((f) => f.path);
  let title: RunCompleted['title'];
  if (
    input.title &&
    diff.trim() &&
    (input.titleOutcomes ?? ['succeeded', 'tests_failing']).includes(outcome) &&
    !outer.aborted
  ) {
    phase('publishing');
    const written = await writeTitle(deps.model, messages, tools, input.title, filesChanged, outer);
    usage = addUsage(usage, written.usage);
    title = { text: written.title, source: written.source };
  }
  const evidence: Evidence = {
    setupCommands,
    ...(environment?.path.length || Object.keys(environment?.vars ?? {}).length ? { environment } : {}),
    ...(provided.length ? { provided } : {}),
    testCommand: input.test,
    baseline: baseline?.summary ?? null,
    final: final?.summary ?? null,
    preExistingFailures: baseline?.summary.failures ?? [],
    usage: { ...usage, costUsd: cost() },
    durationMs: now() - started,
    filesChanged,
    ...(refused.length ? { refused } : {}),
    ...(concerns.length ? { testConcerns: concerns } : {}),
    ...meter.evidence(),
  };
  // What the caller publishes is what was emitted: a secret in a setup step's output never reaches a PR.
  const tree = snap?.files.length ? { tree: snap.id } : {};
  const done: RunCompleted = redactDeep(
    {
      type: 'run.completed',
      outcome,
      summary,
      evidence,
      ...(question ? { question } : {}),
      ...(title ? { title } : {}),
      ...tree,
    } as RunCompleted,
    redact,
  );
  emit(done);
  return done;
}

const FINAL_LOOK_MS = 120_000;

/** A model that answers with thousands of calls at once gets the first ones run, and is told. */
const MAX_CALLS_PER_TURN = 32;

function reason(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  return r instanceof Error ? r.message : typeof r === 'string' ? r : 'aborted';
}
