import type { Job, JobStore } from '../store/job-store.ts';
import { resultOf, RunningJobs, ShutdownAbort, type RunJob } from './running-jobs.ts';

export { ShutdownAbort, type JobResult, type RunJob } from './running-jobs.ts';

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
  readonly #running = new RunningJobs();
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
    return this.#running.cancel(jobId, reason);
  }

  get runningIds(): number[] {
    return this.#running.ids;
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
    return this.#running.drain(graceMs);
  }

  /** Stops taking jobs and waits for the running ones. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#running.settled();
  }

  #launch(job: Job): void {
    const controller = new AbortController();
    const done = this.#execute(job, controller.signal).finally(() => {
      this.#running.delete(job.id);
      this.notify();
    });
    this.#running.add(job.id, controller, done);
  }

  async #execute(job: Job, signal: AbortSignal): Promise<void> {
    const result = await resultOf(this.#opts.runJob, job, signal, this.#opts.onError);
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
