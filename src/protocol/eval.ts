import { z } from 'zod';
import { Outcome } from './outcome.ts';
import { Usage } from './run-event.ts';

/**
 * `patchwright eval`: tasks mined from a repository's own history (SWE-bench's recipe), the runs
 * of models on them, and the report. These are stored as JSON in the data dir and read back by
 * the CLI (to resume) and the dashboard, so they are checked on the way in.
 */

/** How finely a task's tests are known: each test by name, counts and failure names only, or the suite's exit code. */
export const Granularity = z.enum(['test', 'count', 'suite']);
export type Granularity = z.infer<typeof Granularity>;

export const SuiteRun = z.object({
  command: z.string(),
  exitCode: z.number().nullable(),
  timedOut: z.boolean(),
  passed: z.number().nullable(),
  failed: z.number().nullable(),
  skipped: z.number().nullable(),
  failures: z.array(z.string()),
  /** Every test by name, where the runner names passing tests too. */
  statuses: z.record(z.string(), z.enum(['passed', 'failed', 'skipped'])).nullable(),
  durationMs: z.number(),
  /** The output's end, for the report. */
  tail: z.string(),
});
export type SuiteRun = z.infer<typeof SuiteRun>;

/** A commit of the history that changes tests and code: a candidate task. */
export const FixCandidate = z.object({
  sha: z.string(),
  /** The fix is the change from here to `sha`: the parent, or for a merge its first parent. */
  base: z.string(),
  kind: z.enum(['merge', 'squash', 'commit']),
  subject: z.string(),
  message: z.string(),
  author: z.string(),
  date: z.string(),
  pr: z.number().nullable(),
  /** Issues the message says it fixes or closes. */
  issues: z.array(z.number()),
  testFiles: z.array(z.string()),
  codeFiles: z.array(z.string()),
  otherFiles: z.array(z.string()),
});
export type FixCandidate = z.infer<typeof FixCandidate>;

export const EvalTask = FixCandidate.extend({
  /** What the model is told: the fix's message, and the linked issues' text where known. */
  text: z.object({ title: z.string(), body: z.string() }),
  setup: z.array(z.string()),
  /** The repository's test command as the run uses it, and as the harness runs it to name every test. */
  test: z.string(),
  testNamed: z.string(),
  granularity: Granularity,
  failToPass: z.array(z.string()),
  passToPass: z.array(z.string()),
  /** With the fix: how many passed and what still failed (counts granularity). */
  goldPassed: z.number().nullable(),
  goldFailures: z.array(z.string()),
  before: SuiteRun,
  after: SuiteRun,
  testPatch: z.string(),
  codePatch: z.string(),
});
export type EvalTask = z.infer<typeof EvalTask>;

export const SkipCode = z.enum([
  'bot',
  'no_code',
  'too_large',
  'no_test_command',
  'setup_failed',
  'patch_failed',
  'passes_before',
  'fails_after',
  'no_fail_to_pass',
  'timed_out',
  'sandbox_error',
]);
export type SkipCode = z.infer<typeof SkipCode>;

export const Validation = z.discriminatedUnion('valid', [
  z.object({ valid: z.literal(true), key: z.string(), at: z.string(), task: EvalTask }),
  z.object({
    valid: z.literal(false),
    key: z.string(),
    at: z.string(),
    candidate: FixCandidate,
    /** The task's title as the model would have been told it (a merge's PR title). */
    title: z.string().optional(),
    reason: z.object({ code: SkipCode, message: z.string() }),
    before: SuiteRun.optional(),
    after: SuiteRun.optional(),
  }),
]);
export type Validation = z.infer<typeof Validation>;

export const Verdict = z.object({
  resolved: z.boolean(),
  failToPass: z.object({ passed: z.number(), total: z.number(), failing: z.array(z.string()) }),
  passToPass: z.object({ total: z.number(), broken: z.array(z.string()) }),
  /** In plain words, for the table and the page. */
  reason: z.string(),
  /** The change could not be scored (it does not apply with the tests, setup failed): unresolved, and why. */
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type Verdict = z.infer<typeof Verdict>;

export const Compute = z.object({
  cpuSeconds: z.number(),
  peakMemoryMb: z.number().nullable(),
  commands: z.number(),
  measured: z.number(),
  wallMs: z.number(),
});

export const EvalRun = z.object({
  task: z.string(),
  model: z.string(),
  attempt: z.int().positive(),
  /** The validation this run was scored against: a task validated again (new test command) is run again. */
  key: z.string(),
  runId: z.string(),
  /** The run's record in the data dir's job store, for its page on `patchwright dashboard`. */
  jobId: z.number().nullable(),
  outcome: Outcome,
  summary: z.string(),
  verdict: Verdict,
  scored: SuiteRun.nullable(),
  turns: z.number(),
  usage: Usage,
  /** The agent's sandboxed commands (setup, its tests, the model's commands). */
  compute: Compute.nullable(),
  wh: z.number(),
  wallMs: z.number(),
  startedAt: z.string(),
  finishedAt: z.string(),
  filesChanged: z.array(z.string()),
});
export type EvalRun = z.infer<typeof EvalRun>;

export const ModelSummary = z.object({
  model: z.string(),
  runs: z.number(),
  resolved: z.number(),
  /** resolved / runs. */
  resolvedShare: z.number(),
  /** Tasks resolved by at least one attempt, of `tasks`. */
  tasksResolved: z.number(),
  tasks: z.number(),
  outcomes: z.record(z.string(), z.number()),
  /** Runs whose outcome was `succeeded` that the hidden tests did not accept, and the reverse. */
  succeededUnresolved: z.number(),
  resolvedNotSucceeded: z.number(),
  turns: z.object({ total: z.number(), median: z.number().nullable() }),
  tokens: z.object({ input: z.number(), cachedInput: z.number(), output: z.number() }),
  /** Null when any run's model price is unknown: never a partial sum shown as the total. */
  costUsd: z.number().nullable(),
  cpuSeconds: z.number(),
  peakMemoryMb: z.number().nullable(),
  wh: z.number(),
  wallMs: z.object({ total: z.number(), median: z.number().nullable() }),
});
export type ModelSummary = z.infer<typeof ModelSummary>;

export const EvalReport = z.object({
  version: z.literal(1),
  repo: z.object({ name: z.string(), dir: z.string(), head: z.string() }),
  generatedAt: z.string(),
  models: z.array(z.string()),
  attempts: z.number(),
  candidates: z.object({
    examined: z.number(),
    validated: z.number(),
    skipped: z.array(z.object({ sha: z.string(), subject: z.string(), code: z.string(), message: z.string() })),
    /** Why the search stopped before enough tasks were found (the same setup failure at every candidate). */
    stopped: z.string().optional(),
  }),
  tasks: z.array(
    z.object({
      sha: z.string(),
      subject: z.string(),
      kind: z.string(),
      pr: z.number().nullable(),
      granularity: Granularity,
      failToPass: z.number(),
      passToPass: z.number(),
    }),
  ),
  runs: z.array(EvalRun),
  byModel: z.array(ModelSummary),
  energy: z.object({ whPerCpuHour: z.number(), whPerThousandTokens: z.number() }),
  /** Still to do when the report was written (an interrupted eval); `--resume` goes on from here. */
  pending: z.number(),
});
export type EvalReport = z.infer<typeof EvalReport>;
