import type { Item } from '../../protocol/run-event.ts';
import type { ProjectEnvironment, ToolchainRequirement } from '../../protocol/toolchain.ts';
import type { ChangeSnapshot, Sandbox, ToolchainSource, Verifier } from '../ports.ts';
import { runSetup } from './run-setup.ts';
import { describeFailures } from './feedback-text.ts';
import { TOOLING_PATHS } from './repo-rules.ts';
import { isGreen, runTests, type TestRun } from './run-tests.ts';
import { testConcerns } from './test-integrity.ts';
import { isRunnerConfig, TEST_PATH } from './test-paths.ts';

export interface CleanInput {
  setup: string[];
  test: string;
  setupTimeoutMs: number;
  commandTimeoutMs: number;
  outputLimitBytes: number;
  taskText: string;
  /** The run's environment, made again on the clean checkout (see AgentInput). */
  toolchain?: ToolchainRequirement[];
  environment?: ProjectEnvironment;
  needs?: Array<{ path: string; why: string }>;
  /** See AgentInput.evidenceBase. */
  evidenceBase?: string;
}

export interface CleanDeps {
  verifier: Verifier;
  signal: AbortSignal;
  nextId: () => string;
  item: (kind: 'item.started' | 'item.completed', i: Item) => void;
  /** Counts what the clean sandbox's commands use, as the run's own commands are counted. */
  wrap?: (s: Sandbox) => Sandbox;
  /** The toolchains the app provides (the run's own): the clean checkout gets the same. */
  toolchains?: ToolchainSource;
}

export type CleanRun = { ok: true; run: TestRun } | { ok: false; failure: string };

/**
 * Setup redone, then the tests, in a fresh sandbox on a new checkout of `tree` the host made:
 * nothing of the agent's checkout (ignored files, temp dir, a cache it could write) is there,
 * and setup gets no setup secret (it runs code the model wrote). `quiet` runs (the cross-checks)
 * emit one item for the whole run instead of one per command.
 */
export async function runClean(deps: CleanDeps, tree: string, input: CleanInput, quiet?: string): Promise<CleanRun> {
  const co = await deps.verifier.checkout(tree, deps.signal);
  try {
    const checkAbort = () => {
      if (deps.signal.aborted) throw deps.signal.reason;
    };
    // The same environment as the run's (a Python project's virtual environment, the Node it asks for), then setup.
    const setup = await runSetup(
      {
        setup: input.setup,
        setupTimeoutMs: input.setupTimeoutMs,
        outputLimitBytes: input.outputLimitBytes,
        ...(input.toolchain ? { toolchain: input.toolchain } : {}),
        ...(input.environment ? { environment: input.environment } : {}),
        ...(input.needs ? { needs: input.needs } : {}),
      },
      {
        sandbox: deps.wrap ? deps.wrap(co.sandbox) : co.sandbox,
        root: co.root,
        ...(deps.toolchains ? { toolchains: deps.toolchains } : {}),
        nextId: deps.nextId,
        show: (kind, i) => (quiet ? undefined : deps.item(kind, i)),
        checkAbort,
      },
      deps.signal,
    );
    checkAbort();
    if (!setup.ok) return { ok: false, failure: `on a clean checkout of the change: ${setup.summary.slice(0, 2000)}` };
    const { sandbox } = setup;
    const run = await runTests(
      sandbox,
      input.test,
      co.root,
      input.commandTimeoutMs,
      deps.signal,
      async (rel) => (await co.files.read(rel).catch(() => null)) !== null,
    );
    if (deps.signal.aborted) throw deps.signal.reason;
    const id = deps.nextId();
    if (quiet)
      deps.item('item.completed', {
        id,
        kind: 'command_execution',
        command: `${input.test}  # ${quiet}`,
        cwd: co.root,
        exitCode: run.summary.exitCode,
        durationMs: run.summary.durationMs,
        output: run.tail,
      });
    else deps.item('item.completed', { id, kind: 'test_run', ...run.summary });
    return { ok: true, run };
  } finally {
    await co.dispose();
  }
}

export interface CleanVerdict {
  /** The decisive test run (on the clean checkout of the change), when setup there passed. */
  final: TestRun | null;
  /** Why the change does not pass on a clean checkout (setup or tests fail there). */
  failure?: string;
  /** Why a green clean run is still not accepted as a fix. */
  concerns: string[];
}

/**
 * The verdict on a frozen change: the tests on a clean checkout of exactly its tree, the
 * integrity checks on its files, and evidence that it fixes something: failing tests that pass
 * with the tests as they were (a second clean checkout, when the change edits tests), or, when
 * nothing failed before, a test it adds that fails without it (the change's tests on the start).
 */
export async function cleanVerdict(
  deps: CleanDeps,
  snap: ChangeSnapshot,
  input: CleanInput,
  baseline: TestRun | null,
): Promise<CleanVerdict> {
  const main = await runClean(deps, snap.id, input);
  if (!main.ok) return { final: null, failure: main.failure, concerns: [] };
  const final = main.run;
  if (!isGreen(final.summary, baseline?.summary ?? null)) {
    return {
      final,
      failure: `on a clean checkout of the change (setup redone, nothing of the working checkout reused) the tests fail: ${describeFailures(final.summary, baseline)}`,
      concerns: [],
    };
  }
  const concerns = await judgeSnapshot(snap, baseline, final, input.test, input.taskText);
  if (concerns.length || !baseline) return { final, concerns };
  if (!input.evidenceBase)
    return {
      final,
      concerns: await evidenceConcerns(
        deps,
        { start: snap.startId, to: snap.id, files: snap.files },
        input,
        baseline,
        final,
      ),
    };
  // A follow-up: the pull request as a whole, against the base branch's own tests on a clean checkout.
  const base = await runClean(deps, input.evidenceBase, input, 'on the base branch, without the pull request');
  const before: TestRun = base.ok
    ? base.run
    : {
        summary: { ...baseline.summary, exitCode: 1, passed: null, failed: null, failures: [] },
        tail: base.failure,
        passing: null,
      };
  return {
    final,
    concerns: await evidenceConcerns(
      deps,
      { start: input.evidenceBase, to: snap.id, files: await snap.since(input.evidenceBase) },
      input,
      before,
      final,
    ),
  };
}

/** The integrity checks on a frozen change, with what they need from its tree (ignore rules, manifests). */
export async function judgeSnapshot(
  snap: ChangeSnapshot,
  baseline: TestRun | null,
  final: TestRun,
  test: string,
  taskText: string,
): Promise<string[]> {
  const added = snap.files.filter((f) => f.after && !f.before).map((f) => f.path);
  const [unignored, manifests] = await Promise.all([
    snap.unignored([...TOOLING_PATHS, ...added]),
    snap.read((p) => p === 'package.json' || p.endsWith('/package.json'), 200),
  ]);
  return testConcerns({
    files: snap.files,
    baseline: baseline?.summary ?? null,
    final: final.summary,
    finalPassing: final.passing,
    testCommand: test,
    taskText,
    unignored,
    manifests,
  }).blocking;
}

/** A change between two trees, for the evidence: the run's own, or a follow-up's whole pull request. */
interface Span {
  start: string;
  to: string;
  files: ChangeSnapshot['files'];
}

async function evidenceConcerns(
  deps: CleanDeps,
  snap: Span,
  input: CleanInput,
  baseline: TestRun,
  final: TestRun,
): Promise<string[]> {
  const tests = snap.files.filter((f) => TEST_PATH.test(f.path) || isRunnerConfig(f.path)).map((f) => f.path);
  const fixed = fixedTests(baseline, final);
  if (fixed.length) {
    if (!tests.length) return [];
    const asTheyWere = await deps.verifier.mix(snap.to, snap.start, tests);
    const x = await runClean(deps, asTheyWere, input, 'with the tests as they were before the change');
    if (!x.ok) return [`with the tests as they were before the change, ${x.failure}`];
    const s = x.run.summary;
    const still = baseline.summary.failures.length
      ? fixed.filter((n) => s.failures.includes(n) || (s.exitCode !== 0 && s.failures.length === 0))
      : s.exitCode !== 0
        ? fixed
        : [];
    if (!still.length) return [];
    return [
      `the tests that failed before pass only with the change's own edits to the tests (${tests.join(', ')}): with the tests as they were, ${still.join(', ')} still fail`,
    ];
  }
  const before =
    baseline.summary.exitCode === 0 ? 'passed before the change too' : 'failed the same way before the change';
  if (!tests.length)
    return [
      `the tests ${before}, and the change adds or edits no test: nothing shows it does what the task asks (add a test that fails without the change)`,
    ];
  const without = await deps.verifier.mix(snap.start, snap.to, tests);
  const x = await runClean(deps, without, input, 'the change’s tests, without the rest of the change');
  if (!x.ok || !isGreen(x.run.summary, baseline.summary)) return [];
  return [
    `the tests ${before}, and the tests it adds or edits (${tests.join(', ')}) pass without the rest of the change too: nothing shows it does what the task asks`,
  ];
}

/** Baseline failures the final run no longer has (the whole suite, when the runner named none). */
function fixedTests(baseline: TestRun, final: TestRun): string[] {
  const b = baseline.summary;
  const f = final.summary;
  if (b.exitCode === 0) return [];
  if (!b.failures.length) return f.exitCode === 0 ? [`\`${b.command}\``] : [];
  if (f.exitCode !== 0 && !f.failures.length) return [];
  return b.failures.filter((n) => !f.failures.includes(n));
}
