import type { Outcome } from '../../protocol/outcome.ts';
import type { Evidence, Item, Phase, RunEvent } from '../../protocol/run-event.ts';
import { ModelError, type Message, type ModelClient, type TokenUsage } from '../model/model-port.ts';
import { addUsage, costUsd, zeroUsage, type Price } from '../model/prices.ts';
import type { Sandbox, TitleBrief, ToolchainSource, WorkspaceFiles } from '../ports.ts';
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
import { testConcerns } from './test-integrity.ts';
import { writeTitle } from './write-title.ts';
import { baselineNote, describeFailures, integrityFeedback, PLAN_MODE, planText, verificationFeedback } from './feedback-text.ts';

export interface AgentInput {
  runId: string;
  repoName: string;
  task: { title: string; body: string; instructions: string };
  setup: string[];
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
  /** The whole diff of the checkout against where the run started. */
  diff: () => Promise<string>;
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
  const compute = { cpuMs: 0, peakKb: 0, commands: 0, measured: 0, wallMs: 0 };
  const counted: Sandbox = {
    kind: deps.sandbox.kind,
    run: async (o) => {
      const r = await deps.sandbox.run(o);
      compute.commands++;
      compute.wallMs += r.durationMs;
      if (r.usage) {
        compute.measured++;
        compute.cpuMs += r.usage.cpuMs;
        compute.peakKb = Math.max(compute.peakKb, r.usage.peakRssKb);
      }
      return r;
    },
  };
  // Once the project's environment is made, every command goes through it (see prepare-environment.ts).
  let sandbox = counted;
  let environment: RunEnvironment | undefined;
  let provided: string[] = [];
  let setupCommands: string[] = [];
  const emit = (e: RunEvent) => deps.emit(deps.redact ? redactDeep(e, redact) : e);
  const phase = (p: Phase) => emit({ type: 'run.phase', phase: p });
  const item = (kind: 'item.started' | 'item.completed') => (i: Item) => emit({ type: kind, item: i });
  const cost = () => costUsd(deps.model.model, usage, deps.prices);
  const stopped = () =>
    signal.reason instanceof TimeBudgetReached && !outer.aborted ? new Stop('budget_exhausted', signal.reason.message) : new Stop('cancelled', `cancelled: ${reason(signal)}`);
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
  const diffNow = async () => (await guard(), untilAborted(deps.diff(), signal));
  const taskText = `${input.task.title}\n${input.task.body}\n${input.task.instructions}`;
  let concerns: string[] = [];
  const testRun = async (command: string) => {
    await deps.checkpoint?.('test');
    await guard();
    const id = nextId();
    const r = await runTests(sandbox, command, deps.files.root, input.commandTimeoutMs, signal, async (rel) => (await deps.files.read(rel).catch(() => null)) !== null);
    emit({ type: 'item.completed', item: { id, kind: 'test_run', ...r.summary } });
    return r;
  };

  emit({ type: 'run.started', runId: input.runId, task: input.task.title, repo: input.repoName, trigger: 'task', model: deps.model.model });
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
      const done = await runSetup(input, { sandbox: counted, root: deps.files.root, ...(deps.toolchains ? { toolchains: deps.toolchains } : {}), nextId, show: (kind, i) => item(kind)(i), checkAbort }, signal);
      setupCommands = done.commands;
      if (!done.ok) throw new Stop('setup_failed', done.summary);
      ({ sandbox, environment, provided } = done);
    }
    if (input.test && !planning) {
      const missing = await missingPrograms(sandbox, [input.test], deps.files.root, signal);
      if (missing.length) throw new Stop('setup_failed', missingProgramText(missing, [input.test], 'test', input.environment));
      phase('baseline');
      baseline = await testRun(input.test);
      checkAbort();
    }

    phase('working');
    messages = [
      { role: 'system', text: systemPrompt({ repoName: input.repoName, setup: input.setup, test: input.test, instructionFiles: input.instructionFiles, protectedPaths: input.protectedPaths, network: input.network }) },
      { role: 'user', text: taskMessage(input.task) + redact(baselineNote(baseline)) + (planning ? `\n\n${PLAN_MODE}` : '') },
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
          item('item.completed')({ id: nextId(), kind: 'reasoning_summary', text: 'Older turns were compacted to fit the context window.' });
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
      for (const text of deps.steer?.() ?? []) messages.push({ role: 'user', text: `The user adds, while you work:\n${text}` });
      const ask = () => untilAborted(deps.model.complete({ messages, tools, signal, onTextDelta: (d) => ((streamed += d), emit({ type: 'item.delta', itemId: msgId, delta: d })) }), signal);
      const res = await ask()
        .catch(async (error: unknown) => {
          checkAbort();
          // Too long for the model's window (its real size was not what we were told): compact now, ask once more.
          if (error instanceof ModelError && error.reason === 'context_length') {
            compaction.diff = await diffNow();
            const compacted = compactMessages(messages, compaction, 2);
            if (compacted.length < messages.length) {
              messages.splice(0, messages.length, ...compacted);
              item('item.completed')({ id: nextId(), kind: 'reasoning_summary', text: 'The model said the conversation was too long for it; older turns were compacted.' });
              return ask();
            }
            throw new Stop('model_error', `the conversation does not fit the model's context window, even with older turns compacted; set PATCHWRIGHT_CONTEXT_TOKENS to the model's real window or use a model with a larger one (${error.message})`);
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
      if (res.text || streamed) item('item.completed')({ id: msgId, kind: 'agent_message', text: res.text || streamed });

      if (res.toolCalls.length === 0) {
        summary = res.text;
        if (planning) throw new Stop('needs_input', 'the plan waits for approval', planText(compaction.plan, res.text));
        if (!input.test) break;
        phase('verifying');
        final = await testRun(input.test);
        checkAbort();
        if (isGreen(final.summary, baseline?.summary ?? null)) {
          const changed = await diffNow();
          // Nothing changed is `no_changes`, said plainly below; not a fix to judge.
          concerns = changed.trim() ? testConcerns({ diff: changed, baseline: baseline?.summary ?? null, final: final.summary, taskText }).blocking : [];
          if (concerns.length === 0) break;
          if (rounds >= input.verificationRounds) throw new Stop('tests_failing', `the tests pass only in a way the harness does not accept: ${concerns.join('; ')}`);
          rounds++;
          phase('working');
          messages.push({ role: 'user', text: integrityFeedback(concerns) });
          continue;
        }
        if (rounds >= input.verificationRounds) throw new Stop('tests_failing', `tests still fail after ${rounds} verification round(s): ${describeFailures(final.summary, baseline)}`);
        rounds++;
        phase('working');
        compaction.latestFailures = newFailures(final.summary, baseline?.summary ?? null).join(', ') || final.tail.slice(-1500);
        messages.push({ role: 'user', text: redact(verificationFeedback(final, baseline)) });
        continue;
      }
      for (const [n, call] of res.toolCalls.entries()) {
        checkAbort();
        if (n >= MAX_CALLS_PER_TURN) {
          // Every call still gets an answer, so the transcript stays valid.
          messages.push({ role: 'tool', callId: call.id, output: `Not run: at most ${MAX_CALLS_PER_TURN} tool calls are run in one turn.` });
          continue;
        }
        const out = await untilAborted(executeTool(call, {
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
        }), signal);
        if (out.refused) noteRefusal(out.refused);
        messages.push({ role: 'tool', callId: call.id, output: redact(out.output) });
        if (out.question) throw new Stop('needs_input', 'the model needs an answer before it can go on', out.question);
      }
      if (res.toolCalls.some((c) => c.name === 'apply_patch')) emit({ type: 'diff.updated', diff: await diffNow() });
    }
    const diff = await diffNow();
    if (!diff.trim()) {
      outcome = 'no_changes';
      summary ||= 'no change was made';
    }
  } catch (caught) {
    const error = caught instanceof ApprovalCancelled ? new Stop('cancelled', caught.message) : !(caught instanceof Stop) && signal.aborted ? stopped() : caught;
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
  for (const note of deps.guard ? await untilAborted(deps.guard(), last).catch((e: unknown) => [`the checkout could not be checked: ${e instanceof Error ? e.message : String(e)}`]) : []) noteRefusal(note);
  const diff = await untilAborted(deps.diff(), last).catch(() => '');
  // The run's whole change as it ends (edits made through the shell included), for live views.
  if (diff.trim()) emit({ type: 'diff.updated', diff });
  if (diff.trim() && (outcome === 'succeeded' || outcome === 'tests_failing')) {
    concerns = testConcerns({ diff, baseline: baseline?.summary ?? null, final: final?.summary ?? null, taskText }).blocking;
    if (concerns.length && outcome === 'succeeded') {
      outcome = 'tests_failing';
      summary = `the change is not accepted as it is: ${concerns.join('; ')}`;
    }
  }
  const filesChanged = [...diff.matchAll(/^diff --git a\/(\S+)/gm)].map((m) => m[1]!);
  let title: RunCompleted['title'];
  if (input.title && diff.trim() && (input.titleOutcomes ?? ['succeeded', 'tests_failing']).includes(outcome) && !outer.aborted) {
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
    ...(compute.commands
      ? { compute: { cpuSeconds: Math.round(compute.cpuMs) / 1000, peakMemoryMb: compute.measured ? Math.round(compute.peakKb / 102.4) / 10 : null, commands: compute.commands, measured: compute.measured, wallMs: compute.wallMs } }
      : {}),
  };
  // What the caller publishes is what was emitted: a secret in a setup step's output never reaches a PR.
  const done: RunCompleted = redactDeep({ type: 'run.completed', outcome, summary, evidence, ...(question ? { question } : {}), ...(title ? { title } : {}) } as RunCompleted, redact);
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
