import type { Job } from '../store/job-store.ts';

export interface JobResult {
  state: 'done' | 'failed' | 'cancelled';
  outcome?: string;
  reason?: string;
}

/** The port later layers fill: run one job to its end. It must honour the signal. */
export type RunJob = (job: Job, signal: AbortSignal) => Promise<JobResult>;

/** The abort reason of a job stopped because the app is shutting down: it goes back in the queue. */
export class ShutdownAbort extends Error {
  readonly code = 'shutdown';
  constructor() {
    super('Patchwright is restarting: this job stopped without pushing anything and runs again when the app is back');
  }
}

/** Runs a job; a crash becomes its result (cancelled if it was being stopped, else failed). */
export async function resultOf(
  runJob: RunJob,
  job: Job,
  signal: AbortSignal,
  onError?: (job: Job, error: unknown) => void,
): Promise<JobResult> {
  try {
    return await runJob(job, signal);
  } catch (error) {
    onError?.(job, error);
    return signal.aborted
      ? { state: 'cancelled', reason: signal.reason instanceof Error ? signal.reason.message : 'cancelled' }
      : { state: 'failed', reason: `crashed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** The jobs a pool runs now, each with its way to stop and its end (both pools, SQLite and BullMQ). */
export class RunningJobs {
  readonly #map = new Map<number, { controller: AbortController; done: Promise<void> }>();

  add(id: number, controller: AbortController, done: Promise<void>): void {
    this.#map.set(id, { controller, done });
  }

  delete(id: number): void {
    this.#map.delete(id);
  }

  get size(): number {
    return this.#map.size;
  }

  get ids(): number[] {
    return [...this.#map.keys()];
  }

  /** Aborts a running job; true if it was running here. */
  cancel(jobId: number, reason: string): boolean {
    const entry = this.#map.get(jobId);
    if (!entry) return false;
    entry.controller.abort(new Error(reason));
    return true;
  }

  settled(): Promise<unknown> {
    return Promise.all([...this.#map.values()].map((r) => r.done));
  }

  /**
   * Waits up to `graceMs` for the running jobs to end; those still running are then stopped with
   * a ShutdownAbort (they go back on the queue). Resolves when every one has settled.
   */
  async drain(graceMs: number): Promise<{ finished: number[]; requeued: number[] }> {
    const ids = this.ids;
    const all = this.settled();
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs))),
    ]);
    clearTimeout(timer);
    const requeued = late ? this.ids : [];
    for (const id of requeued) this.#map.get(id)?.controller.abort(new ShutdownAbort());
    await all;
    return { finished: ids.filter((id) => !requeued.includes(id)), requeued };
  }
}
