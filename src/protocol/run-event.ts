import { z } from 'zod';
import { Outcome } from './outcome.ts';

export const Phase = z.enum(['queued', 'preparing', 'setup', 'baseline', 'working', 'verifying', 'publishing']);
export type Phase = z.infer<typeof Phase>;

export const Usage = z.object({
  inputTokens: z.number(),
  cachedInputTokens: z.number(),
  outputTokens: z.number(),
  reasoningTokens: z.number(),
  /** null when the model's price is unknown: never reported as 0. */
  costUsd: z.number().nullable(),
});
export type Usage = z.infer<typeof Usage>;

export const TestSummary = z.object({
  command: z.string(),
  exitCode: z.number().nullable(),
  passed: z.number().nullable(),
  failed: z.number().nullable(),
  skipped: z.number().nullable(),
  failures: z.array(z.string()),
  /** Where failing tests failed, for those whose output names a file and line in the checkout. */
  failureLocations: z
    .array(z.object({ name: z.string(), path: z.string(), line: z.number(), message: z.string() }))
    .optional(),
  durationMs: z.number(),
});
export type TestSummary = z.infer<typeof TestSummary>;

export const FileChange = z.object({
  path: z.string(),
  kind: z.enum(['add', 'update', 'delete', 'move']),
  movePath: z.string().optional(),
  diff: z.string(),
});

export const Item = z.discriminatedUnion('kind', [
  z.object({ id: z.string(), kind: z.literal('agent_message'), text: z.string() }),
  z.object({ id: z.string(), kind: z.literal('reasoning_summary'), text: z.string() }),
  z.object({
    id: z.string(),
    kind: z.literal('command_execution'),
    command: z.string(),
    cwd: z.string(),
    exitCode: z.number().nullable(),
    durationMs: z.number(),
    output: z.string(),
    /** A person asked (app server approvals) said no: the command did not run. */
    declined: z.boolean().optional(),
  }),
  z.object({
    id: z.string(),
    kind: z.literal('file_change'),
    changes: z.array(FileChange),
    declined: z.boolean().optional(),
  }),
  z.object({
    id: z.string(),
    kind: z.literal('plan'),
    steps: z.array(z.object({ text: z.string(), status: z.enum(['pending', 'in_progress', 'completed']) })),
  }),
  z.object({ id: z.string(), kind: z.literal('test_run') }).extend(TestSummary.shape),
  z.object({ id: z.string(), kind: z.literal('error'), message: z.string() }),
]);
export type Item = z.infer<typeof Item>;

/** One destination the egress firewall refused, in one phase: setup, or the agent loop when it had network. */
export const EgressRefused = z.object({
  host: z.string(),
  port: z.number(),
  phase: z.enum(['setup', 'agent']),
  count: z.number(),
  reason: z.string(),
});
export type EgressRefused = z.infer<typeof EgressRefused>;

export const Evidence = z.object({
  /** The setup commands the harness ran before the baseline, in order (making the project's environment first). */
  setupCommands: z.array(z.string()).optional(),
  /** Folders first on PATH and values every command got: a Python project's virtual environment, a Node the app fetched. */
  environment: z.object({ path: z.array(z.string()), vars: z.record(z.string(), z.string()) }).optional(),
  /** Toolchains the app fetched for the run, in words. */
  provided: z.array(z.string()).optional(),
  testCommand: z.string().nullable(),
  baseline: TestSummary.nullable(),
  final: TestSummary.nullable(),
  preExistingFailures: z.array(z.string()),
  usage: Usage,
  durationMs: z.number(),
  filesChanged: z.array(z.string()),
  /** What the harness refused or undid (paths outside the checkout, protected files, nested repositories...). */
  refused: z.array(z.string()).optional(),
  /** Why a green test run was not taken at its word: tests deleted, skipped, or the task's own tests still failing. */
  testConcerns: z.array(z.string()).optional(),
  /** Connections the egress firewall refused sandboxed commands (shown on the PR and the tracking comment). */
  egressRefused: z.array(EgressRefused).optional(),
  /**
   * What the sandboxed commands used (setup, tests, the model's commands): CPU time of each
   * command's process tree and the largest process's peak memory, from the kernel's accounting.
   */
  compute: z
    .object({
      cpuSeconds: z.number(),
      peakMemoryMb: z.number().nullable(),
      commands: z.number(),
      measured: z.number(),
      wallMs: z.number(),
    })
    .optional(),
});
export type Evidence = z.infer<typeof Evidence>;

export const RunEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('run.started'),
    runId: z.string(),
    task: z.string(),
    repo: z.string(),
    trigger: z.string(),
    model: z.string().optional(),
  }),
  z.object({ type: z.literal('run.phase'), phase: Phase }),
  z.object({ type: z.literal('turn.started'), turn: z.number() }),
  z.object({ type: z.literal('turn.completed'), turn: z.number(), usage: Usage }),
  z.object({ type: z.literal('item.started'), item: Item }),
  z.object({ type: z.literal('item.delta'), itemId: z.string(), delta: z.string() }),
  z.object({ type: z.literal('item.completed'), item: Item }),
  z.object({ type: z.literal('diff.updated'), diff: z.string() }),
  z.object({ type: z.literal('usage.updated'), usage: Usage }),
  z.object({
    type: z.literal('run.completed'),
    outcome: Outcome,
    summary: z.string(),
    evidence: Evidence,
    question: z.string().optional(),
    /**
     * The git tree of the change as the harness judged it: exactly what is committed and pushed
     * (nothing is re-read from the checkout). Absent when nothing changed.
     */
    tree: z.string().optional(),
    /** The pull request title: the model's own when it passed the harness's checks, else repaired. */
    title: z.object({ text: z.string(), source: z.enum(['model', 'repaired']) }).optional(),
    prUrl: z.string().optional(),
  }),
]);
export type RunEvent = z.infer<typeof RunEvent>;
