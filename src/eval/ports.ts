import type { RunCompleted } from '../core/loop/run-agent.ts';
import type { Sandbox } from '../core/ports.ts';
import type { EvalTask } from '../protocol/eval.ts';
import type { Limits } from './suite.ts';

/** A fresh checkout made by the harness (history up to its commit only); nothing sandboxed has written it yet. */
export interface EvalCheckout {
  readonly dir: string;
  /** The setup and test commands here, as `inspect` and the repository's agent.yml give them. */
  commands(): { setup: string[]; test: string | null };
  sandbox(): Promise<Sandbox>;
  /** Throws an error with code `patch_failed` when it does not apply. */
  apply(patch: string, what: string): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * What a checkout is for, which says whose caches its sandbox gets: `gold` (the fix's own states,
 * validated) share caches no agent run reads (a build cache of the fixed code would hand the fix
 * over); `scoring` (a run's change, whose setup runs code the model wrote) gets fresh caches of its
 * own, so nothing it writes reaches another verdict.
 */
export type CheckoutUse = 'gold' | 'scoring';

export interface Workbench {
  checkout(sha: string, use: CheckoutUse): Promise<EvalCheckout>;
  limits: Limits;
  /** Removes known secret values from text that is stored. */
  redact(text: string): string;
}

export interface AgentResult {
  completed: RunCompleted;
  /** Everything the run changed in its checkout, as a binary patch against the task's parent. */
  change: string;
  turns: number;
  jobId: number | null;
  runId: string;
}

/** One run of the agent on a task (the same engine as `patchwright run`), the fix's tests hidden from it. */
export type AgentRunner = (task: EvalTask, model: string, attempt: number, signal: AbortSignal) => Promise<AgentResult>;
