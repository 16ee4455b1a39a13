import type { Job, JobStore } from '../store/job-store.ts';

export interface JobResult {
  state: 'done' | 'failed' | 'cancelled';
  outcome?: string;
  reason?: string;
}

/** The port later layers fill: run one job to its end. It must honour the signal. */
export type RunJob = (job: Job, signal: AbortSignal) => Promise<JobResult>;

export interface WorkerPoolOptions {
  store: JobStore;
  runJob: RunJob;
  concurrency: number;
  /** How often to look for jobs queued by another process sharing the data dir. */
  pollMs?: number;
  onError?: (job: Job, error: unknown) => void;
}

/** An in-process pool: takes queued jobs from the store, at most `concurrency` at a time. */
export class WorkerPool {
  readonly #opts: Required<Omit<WorkerPoolOptions, 'onError'>> & Pick<WorkerPoolOptions, 'onError'>;
  readonly #running = new Map<number, { controller: AbortController; done: Promise<void> }>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;
  #idleWaiters: Array<() => void> = [];

  constructor(opts: WorkerPoolOptions) {
    this.#opts = { pollMs: 1000, ...opts };
  }

  start(): void {
    this.#stopped = false;
    this.#timer = setInterval(() => this.notify(), this.#opts.pollMs);
    this.#timer.unref();
    this.notify();
  }

  /** Called after an enqueue or a finished job: fill free slots now rather than at the next poll. */
  notify(): void {
    while (!this.#stopped && this.#running.size < this.#opts.concurrency) {
      const job = this.#opts.store.claimNext();
      if (!job) break;
      this.#launch(job);
    }
    if (this.#running.size === 0) this.#flushIdle();
  }

  /** Aborts a running job; true if it was running here. */
  cancel(jobId: number, reason: string): boolean {
    const entry = this.#running.get(jobId);
    if (!entry) return false;
    entry.controller.abort(new Error(reason));
    return true;
  }

  get runningIds(): number[] {
    return [...this.#running.keys()];
  }

  /** Resolves when nothing runs and nothing claimable is queued. */
  idle(): Promise<void> {
    if (this.#running.size === 0 && !this.#hasClaimable()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * A graceful stop: no new jobs; running ones get `graceMs` to finish; those still running are
   * then stopped (their runs end without publishing anything) and put back in the queue, for the
   * next start. Resolves when every running job has settled.
   */
  async shutdown(graceMs: number): Promise<{ finished: number[]; requeued: number[] }> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    const ids = [...this.#running.keys()];
    const all = Promise.all([...this.#running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), graceMs)));
    const inTime = await Promise.race([all.then(() => 'done' as const), graceOver]);
    clearTimeout(timer);
    const late = inTime === 'late' ? [...this.#running.keys()] : [];
    for (const id of late) this.#running.get(id)?.controller.abort(new ShutdownAbort());
    await all;
    return { finished: ids.filter((id) => !late.includes(id)), requeued: late };
  }

  /** Stops taking jobs and waits for the running ones. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await Promise.all([...this.#running.values()].map((r) => r.done));
  }

  #launch(job: Job): void {
    const controller = new AbortController();
    const done = this.#execute(job, controller.signal).finally(() => {
      this.#running.delete(job.id);
      this.notify();
    });
    this.#running.set(job.id, { controller, done });
  }

  async #execute(job: Job, signal: AbortSignal): Promise<void> {
    let result: JobResult;
    try {
      result = await this.#opts.runJob(job, signal);
    } catch (error) {
      this.#opts.onError?.(job, error);
      result = signal.aborted
        ? { state: 'cancelled', reason: reasonOf(signal) }
        : { state: 'failed', reason: `crashed: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (signal.reason instanceof ShutdownAbort) return this.#opts.store.requeue(job.id, signal.reason.message);
    const { state, ...details } = result;
    this.#opts.store.finish(job.id, state, details);
  }

  #hasClaimable(): boolean {
    return !this.#stopped && this.#opts.store.queuedCount() > 0;
  }

  #flushIdle(): void {
    if (this.#hasClaimable()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }
}

/** The abort reason of a job stopped because the app is shutting down: it goes back in the queue. */
export class ShutdownAbort extends Error {
  readonly code = 'shutdown';
  constructor() {
    super('Patchwright is restarting: this job stopped without pushing anything and runs again when the app is back');
  }
}

function reasonOf(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  return r instanceof Error ? r.message : 'cancelled';
}
