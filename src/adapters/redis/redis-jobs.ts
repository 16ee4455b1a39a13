import type { Redis } from 'ioredis';
import { Task } from '../../protocol/task.ts';
import type { EnqueueResult, Job, JobState } from '../store/job-store.ts';
import type { JobsPort } from '../store/ports.ts';
import { ABSORB_REVIEW_RETRIES, scriptsOf, type Scripts } from './scripts-of.ts';

/** Where the scale-out mode keeps a job: one Redis hash per job, and sorted sets to find them. */
export class RedisJobs implements JobsPort {
  readonly #redis: Redis;
  readonly #p: string;
  readonly #run: Scripts;
  /** Makes a stored job visible to workers (BullMQ); called again for a redelivered one still queued. */
  readonly #dispatch: (job: Job, delayMs: number) => Promise<void>;
  readonly #now: () => Date;

  constructor(
    redis: Redis,
    prefix: string,
    dispatch: (job: Job, delayMs: number) => Promise<void>,
    now: () => Date = () => new Date(),
  ) {
    this.#redis = redis;
    this.#p = prefix;
    this.#run = scriptsOf(redis);
    this.#dispatch = dispatch;
    this.#now = now;
  }

  async enqueue(deliveryId: string, input: Task, notBefore?: Date): Promise<EnqueueResult> {
    const task = Task.parse(input);
    const repo = `${task.repo.owner}/${task.repo.name}`;
    const [id, dup] = (await this.#run.enqueue(
      [`${this.#p}:delivery:${deliveryId}`, `${this.#p}:seq`],
      [
        this.#p,
        repo,
        String(task.number),
        task.action,
        JSON.stringify(task),
        this.#now().toISOString(),
        notBefore?.toISOString() ?? '',
        deliveryId,
      ],
    )) as [string, number];
    const job = await this.get(Number(id));
    if (!job) throw new Error(`job for delivery ${deliveryId} vanished`);
    // A redelivery of a job that is still queued dispatches it again: if the first answer was
    // lost between storing and dispatching, this is what puts it on the queue (a no-op otherwise).
    if (job.state === 'queued')
      await this.#dispatch(job, notBefore ? Math.max(0, notBefore.getTime() - Date.now()) : 0);
    return { job, duplicate: dup === 1 };
  }

  /**
   * Puts every queued job on the queue again (a no-op for those already on it): a web process
   * that died between storing a job and queueing it leaves one that only this finds. Returns how
   * many queued jobs there were.
   */
  async redispatchQueued(): Promise<number> {
    const ids = await this.#redis.zrange(`${this.#p}:queued`, '0', '-1');
    for (const id of ids) {
      const row = await this.#redis.hgetall(`${this.#p}:job:${id}`);
      if (row.state !== 'queued') continue;
      const wait = row.not_before ? Math.max(0, Date.parse(row.not_before) - Date.now()) : 0;
      await this.#dispatch(toJob(row), wait);
    }
    return ids.length;
  }

  async get(id: number): Promise<Job | undefined> {
    const row = await this.#redis.hgetall(`${this.#p}:job:${id}`);
    return row.id ? toJob(row) : undefined;
  }

  async #many(ids: string[]): Promise<Job[]> {
    if (!ids.length) return [];
    const pipe = this.#redis.pipeline();
    for (const id of ids) pipe.hgetall(`${this.#p}:job:${id}`);
    const rows = (await pipe.exec()) ?? [];
    return rows
      .map(([, row]) => row as Record<string, string>)
      .filter((r) => r?.id)
      .map(toJob);
  }

  async list(state?: JobState): Promise<Job[]> {
    const all = await this.#many(await this.#redis.zrange(`${this.#p}:jobs`, '0', '-1'));
    return state ? all.filter((j) => j.state === state) : all;
  }

  async forThread(repo: string, number: number): Promise<Job[]> {
    return this.#many(await this.#redis.zrange(`${this.#p}:thread-jobs:${repo}#${number}`, '0', '-1'));
  }

  async active(repo: string, number: number): Promise<Job | undefined> {
    return (await this.forThread(repo, number)).find((j) => j.state === 'running');
  }

  async queuedCount(): Promise<number> {
    return this.#redis.zcard(`${this.#p}:queued`);
  }

  async absorbReview(repo: string, number: number, reviewId: number, startNow: boolean): Promise<Job | undefined> {
    for (let i = 0; i < ABSORB_REVIEW_RETRIES; i++) {
      const waiting = (await this.forThread(repo, number)).find(
        (j) => j.state === 'queued' && j.action === 'follow_up' && j.task.trigger.kind === 'review',
      );
      if (!waiting || waiting.task.trigger.kind !== 'review') return undefined;
      const t = waiting.task.trigger;
      const ids = new Set([...(t.moreReviewIds ?? []), reviewId]);
      ids.delete(t.reviewId);
      const task = { ...waiting.task, trigger: { ...t, moreReviewIds: [...ids] } };
      const raw = await this.#redis.hget(`${this.#p}:job:${waiting.id}`, 'task');
      const ok = await this.#run.replaceTask(
        [],
        [this.#p, String(waiting.id), raw ?? '', JSON.stringify(task), startNow ? '1' : '0'],
      );
      if (ok !== 1) continue;
      const job = (await this.get(waiting.id))!;
      if (startNow) await this.#dispatch(job, 0);
      return job;
    }
    return undefined;
  }

  async cancelQueued(repo: string, number: number, reason: string, exceptId?: number): Promise<Job[]> {
    const ids = (await this.#run.cancelQueued(
      [],
      [this.#p, `${repo}#${number}`, reason, String(exceptId ?? -1), this.#now().toISOString()],
    )) as string[];
    return this.#many(ids);
  }

  /** Asks whoever runs the job (now or after taking it over) to stop it; false if it is not running. */
  async markCancel(id: number, reason: string): Promise<boolean> {
    return (await this.#run.markCancel([], [this.#p, String(id), reason])) === 1;
  }

  /** A worker's start of a job; see CLAIM. */
  async claim(
    id: number,
    holder: string,
    lockMs: number,
    maxStarts: number,
  ): Promise<'claimed' | 'busy' | 'finished' | 'gone' | 'died'> {
    return (await this.#run.claim(
      [],
      [this.#p, String(id), holder, String(lockMs), this.#now().toISOString(), String(maxStarts)],
    )) as 'claimed';
  }

  async renew(id: number, holder: string, lockMs: number): Promise<boolean> {
    return (await this.#run.renew([], [this.#p, String(id), holder, String(lockMs)])) === 1;
  }

  /** Ends (or, with 'queued', gives back) a job this holder runs. */
  async finish(
    id: number,
    holder: string,
    state: JobState,
    details: { reason?: string | undefined; outcome?: string | undefined } = {},
  ): Promise<boolean> {
    return (
      (await this.#run.finish(
        [],
        [this.#p, String(id), holder, state, details.reason ?? '', details.outcome ?? '', this.#now().toISOString()],
      )) === 1
    );
  }
}

/** A job from its Redis hash. */
export function toJob(row: Record<string, string>): Job {
  const opt = (v: string | undefined) => (v ? v : null);
  return {
    id: Number(row.id),
    deliveryId: row.delivery ?? '',
    repo: row.repo ?? '',
    number: Number(row.number),
    action: row.action as Job['action'],
    // Written by enqueue from a validated Task.
    task: JSON.parse(row.task ?? '{}') as Task,
    state: row.state as JobState,
    attempts: Number(row.attempts ?? 0),
    reason: opt(row.reason),
    outcome: opt(row.outcome),
    createdAt: row.created ?? '',
    startedAt: opt(row.started),
    finishedAt: opt(row.finished),
  };
}
