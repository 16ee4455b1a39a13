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

function reasonOf(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  return r instanceof Error ? r.message : 'cancelled';
}
