import type { Redis } from 'ioredis';
import type { RunEvent } from '../../protocol/run-event.ts';
import { runSummary, type RunSummary } from '../store/event-log.ts';
import { Listeners } from '../store/listeners.ts';
import { scriptsOf, type Scripts } from './scripts-of.ts';
import type { EventsPort } from '../store/ports.ts';

/**
 * A job's events in a Redis list (deltas are not kept), each also published so every process's
 * live views (and `/agent stop` watchers) see runs on any worker.
 */
export class RedisEvents implements EventsPort {
  readonly #redis: Redis;
  readonly #p: string;
  readonly #onError: (error: unknown) => void;
  readonly #listeners = new Listeners<[jobId: number, event: RunEvent, seq?: number]>();
  readonly #run: Scripts;

  constructor(redis: Redis, prefix: string, onError: (error: unknown) => void) {
    this.#redis = redis;
    this.#p = prefix;
    this.#onError = onError;
    this.#run = scriptsOf(redis);
  }

  /** Fed by the process's subscriber (see RedisState): an event published by any process. */
  received(channel: 'events', message: string): void {
    const m = JSON.parse(message) as { jobId: number; seq?: number; event?: RunEvent };
    if (channel === 'events' && m.event) this.#listeners.tell(m.jobId, m.event, m.seq);
  }

  appender(jobId: number): (event: RunEvent) => void {
    let model: string | undefined;
    // One connection runs commands in the order sent, so the events land in order and before
    // the job's end, which the worker writes on the same connection after the run.
    return (event) => {
      const json = JSON.stringify(event);
      if (event.type === 'item.delta')
        this.#redis.publish(`${this.#p}:events`, `{"jobId":${jobId},"event":${json}}`).catch(this.#onError);
      else
        this.#run
          .appendEvent([`${this.#p}:events:${jobId}`], [`${this.#p}:events`, String(jobId), json])
          .catch(this.#onError);
      if (event.type === 'run.started') model = event.model;
      if (event.type === 'run.completed')
        this.#redis
          .hset(`${this.#p}:job:${jobId}`, 'summary', JSON.stringify(runSummary(event, model)))
          .catch(this.#onError);
    };
  }

  async notePullRequest(jobId: number, url: string): Promise<void> {
    const raw = await this.#redis.hget(`${this.#p}:job:${jobId}`, 'summary');
    if (raw)
      await this.#redis.hset(
        `${this.#p}:job:${jobId}`,
        'summary',
        JSON.stringify({ ...(JSON.parse(raw) as RunSummary), prUrl: url }),
      );
  }

  async list(jobId: number): Promise<RunEvent[]> {
    return (await this.#redis.lrange(`${this.#p}:events:${jobId}`, 0, -1)).map((s) => JSON.parse(s) as RunEvent);
  }

  listen(fn: (jobId: number, event: RunEvent, seq?: number) => void): () => void {
    return this.#listeners.add(fn);
  }
}
