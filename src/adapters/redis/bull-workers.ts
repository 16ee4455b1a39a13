import crypto from 'node:crypto';
import os from 'node:os';
import { DelayedError, type Queue, Worker, type Job as BullJob } from 'bullmq';
import type { Job } from '../store/job-store.ts';
import { resultOf, RunningJobs, ShutdownAbort, type RunJob } from '../queue/running-jobs.ts';
import type { RedisJobs } from './redis-jobs.ts';

/** BullMQ's queue of Patchwright jobs; its entries carry only our job id. */
export const QUEUE_NAME = 'jobs';

/** A job whose worker died while running it is started again once; the second death fails it. */
const MAX_STARTS = 2;

export interface BullWorkersOptions {
  connection: { url: string };
  /** BullMQ's key prefix (ours, plus `:bull`). */
  prefix: string;
  jobs: RedisJobs;
  runJob: RunJob;
  concurrency: number;
  /**
   * How long a dead worker's claim on a job (BullMQ's lock, and our issue lock) outlives it: its
   * job is taken over by another worker within about twice this.
   */
  lockMs: number;
  /** Told when this worker takes over a job whose worker died, or fails one that died twice. */
  onTakeover?: (job: Job) => Promise<void>;
  onDied?: (id: number) => Promise<void>;
  onError?: (job: Job, error: unknown) => void;
  log?: (message: string, error?: unknown) => void;
}

/**
 * The worker side of scale-out mode: a BullMQ Worker that, for each queued id, asks Redis for the
 * job (CLAIM: queued, nothing older of its issue waiting, the lock free), runs it while
 * renewing the lock, and writes its end. A job it may not start yet goes back on the queue
 * delayed; BullMQ's stalled-job check hands the job of a killed worker to another one.
 */
export class BullWorkers {
  readonly #o: BullWorkersOptions;
  readonly holder = `${os.hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
  readonly #running = new RunningJobs();
  #worker: Worker | undefined;

  constructor(o: BullWorkersOptions) {
    this.#o = o;
  }

  start(): void {
    this.#worker = new Worker(QUEUE_NAME, (job, token) => this.#process(job, token), {
      connection: this.#o.connection,
      prefix: this.#o.prefix,
      concurrency: this.#o.concurrency,
      lockDuration: this.#o.lockMs,
      stalledInterval: this.#o.lockMs,
      // Our own CLAIM counts starts and fails a job that killed its worker twice.
      maxStalledCount: 1000,
    });
    this.#worker.on('error', (error) => this.#o.log?.('the BullMQ worker reported an error', error));
  }

  /** Nothing to wake: BullMQ's workers block on Redis for the next job. */
  notify(): void {}

  /** Aborts a job if it runs in this process. */
  cancel(jobId: number, reason: string): boolean {
    return this.#running.cancel(jobId, reason);
  }

  get runningIds(): number[] {
    return this.#running.ids;
  }

  async #process(bull: BullJob<{ id: number }>, token: string | undefined): Promise<string> {
    const id = Number(bull.data.id);
    const claimed = await this.#o.jobs.claim(id, this.holder, this.#o.lockMs, MAX_STARTS);
    if (claimed === 'busy') {
      // Another job of this issue runs or waits ahead of it: look again soon.
      await bull.moveToDelayed(Date.now() + 500 + Math.floor(Math.random() * 1000), token);
      throw new DelayedError();
    }
    if (claimed === 'died')
      await this.#o
        .onDied?.(id)
        .catch((e: unknown) => this.#o.log?.(`job ${id} failed after its worker died twice; saying so failed`, e));
    if (claimed !== 'claimed') return claimed;
    const job = (await this.#o.jobs.get(id))!;
    if (job.attempts > 1)
      await this.#o
        .onTakeover?.(job)
        .catch((e: unknown) => this.#o.log?.(`job ${id} was taken over; saying so failed`, e));
    const controller = new AbortController();
    let release: () => void = () => {};
    const done = new Promise<void>((r) => (release = r));
    this.#running.add(id, controller, done);
    const renew = setInterval(
      () => {
        this.#o.jobs.renew(id, this.holder, this.#o.lockMs).then(
          (mine) =>
            mine ||
            controller.abort(new Error('another worker took this job over (this one could not reach Redis in time)')),
          () => {}, // Redis unreachable for a moment: the lock outlives short outages
        );
      },
      Math.max(200, Math.floor(this.#o.lockMs / 3)),
    );
    try {
      const result = await resultOf(this.#o.runJob, job, controller.signal, this.#o.onError);
      if (controller.signal.reason instanceof ShutdownAbort) {
        await this.#o.jobs.finish(id, this.holder, 'queued', { reason: controller.signal.reason.message });
        await bull.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      const { state, ...details } = result;
      await this.#o.jobs.finish(id, this.holder, state, details);
      return state;
    } finally {
      clearInterval(renew);
      this.#running.delete(id);
      release();
    }
  }

  /** SIGTERM: take nothing new; running jobs get `graceMs`, then stop and go back on the queue. */
  async shutdown(graceMs: number): Promise<{ finished: number[]; requeued: number[] }> {
    const closing = this.#worker?.close() ?? Promise.resolve();
    const result = await this.#running.drain(graceMs);
    await closing;
    return result;
  }

  async stop(): Promise<void> {
    await this.#worker?.close();
  }
}

/** The web side's handle on BullMQ: puts a stored job on the queue (or lifts its wait). */
export function bullDispatcher(queue: Queue): (job: Job, delayMs: number) => Promise<void> {
  return async (job, delayMs) => {
    const jobId = `job-${job.id}`;
    await queue.add(
      'run',
      { id: job.id },
      { jobId, delay: delayMs, removeOnComplete: { age: 7 * 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } },
    );
    if (delayMs === 0) {
      const queued = await queue.getJob(jobId);
      if (queued && (await queued.isDelayed())) await queued.promote().catch(() => {});
    }
  };
}
