import crypto from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Listeners } from '../store/listeners.ts';
import { bullDispatcher, QUEUE_NAME } from './bull-workers.ts';
import { RedisEvents } from './redis-events.ts';
import { RedisJobs } from './redis-jobs.ts';
import { RedisRunList } from './redis-run-list.ts';
import { RedisThreads } from './redis-threads.ts';

/** Everything the processes of one deployment share, in one Redis: jobs, threads, events, the queue. */
export interface RedisState {
  url: string;
  prefix: string;
  jobs: RedisJobs;
  threads: RedisThreads;
  events: RedisEvents;
  queue: Queue;
  runs: RedisRunList;
  /** Told when any process stores, starts or ends a job (the dashboard's live list). */
  onJobChange(fn: (jobId: number) => void): () => void;
  /** The key that signs dashboard sessions, the same for every web process (made once). */
  sessionKey(): Promise<Buffer>;
  /** Stops a job wherever it runs: a mark on the job (honoured by whoever takes it over) and a message to every process. */
  requestCancel(jobId: number, reason: string): Promise<boolean>;
  /** Told of every cancel request, from any process. */
  onCancel(fn: (jobId: number, reason: string) => void): () => void;
  close(): Promise<void>;
}

/**
 * Connects to `PATCHWRIGHT_REDIS_URL`. Commands wait through a Redis restart (they are retried
 * until it is back) rather than failing the delivery or the run.
 */
export async function connectRedisState(url: string, prefix: string, warn: (message: string, error: unknown) => void): Promise<RedisState> {
  const options = { maxRetriesPerRequest: null, retryStrategy: (times: number) => Math.min(times * 100, 2000) };
  const command = new Redis(url, options);
  const subscriber = new Redis(url, options);
  command.on('error', (e) => warn('Redis connection error (retrying)', e));
  subscriber.on('error', (e) => warn('Redis subscriber error (retrying)', e));
  const queue = new Queue(QUEUE_NAME, { connection: { url, ...options }, prefix: `${prefix}:bull` });
  queue.on('error', (e) => warn('BullMQ queue error', e));
  const jobs = new RedisJobs(command, prefix, bullDispatcher(queue));
  const threads = new RedisThreads(command, prefix);
  const events = new RedisEvents(command, prefix, (e) => warn('an event could not be written to Redis', e));
  const cancels = new Listeners<[jobId: number, reason: string]>();
  const changes = new Listeners<[jobId: number]>();
  await command.ping();
  await subscriber.subscribe(`${prefix}:events`, `${prefix}:cancel`, `${prefix}:changed`);
  subscriber.on('message', (channel: string, message: string) => {
    try {
      if (channel === `${prefix}:events`) events.received('events', message);
      else if (channel === `${prefix}:changed`) changes.tell(Number(message));
      else if (channel === `${prefix}:cancel`) {
        const m = JSON.parse(message) as { jobId: number; reason: string };
        cancels.tell(m.jobId, m.reason);
      }
    } catch (error) {
      warn(`a malformed message on ${channel} was dropped`, error);
    }
  });
  return {
    url,
    prefix,
    jobs,
    threads,
    events,
    queue,
    runs: new RedisRunList(command, prefix),
    onJobChange: (fn) => changes.add(fn),
    async sessionKey() {
      const key = `${prefix}:dashboard-session-key`;
      await command.set(key, crypto.randomBytes(32).toString('base64'), 'NX');
      return Buffer.from((await command.get(key)) ?? '', 'base64');
    },
    async requestCancel(jobId, reason) {
      const running = await jobs.markCancel(jobId, reason);
      await command.publish(`${prefix}:cancel`, JSON.stringify({ jobId, reason }));
      return running;
    },
    onCancel: (fn) => cancels.add(fn),
    async close() {
      await queue.close();
      subscriber.disconnect();
      await command.quit().catch(() => command.disconnect());
    },
  };
}
