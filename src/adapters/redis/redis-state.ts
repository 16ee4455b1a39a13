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

export class RedisOpenError extends Error {
  readonly code = 'redis_open';
}

/**
 * Before the app relies on a Redis: a PING without credentials must be refused (a Redis that
 * answers it is open to whoever reaches it, who could queue jobs for any repository the app is
 * installed on), unless `insecure`; a PING with the app's credentials must be answered (a wrong
 * password is said at once, instead of retrying forever).
 */
export async function checkRedisLocked(url: string, insecure: boolean): Promise<void> {
  const bare = new URL(url);
  bare.username = '';
  bare.password = '';
  const stranger = await ping(bare.toString());
  if (stranger === 'PONG' && !insecure) {
    throw new RedisOpenError(
      `the Redis at ${bare.host} answers without a password: whoever can reach it could queue jobs for any repository the app is installed on. Set requirepass on it (compose.yaml does, from the secret redis-password), or set PATCHWRIGHT_REDIS_INSECURE=1 to run without one (a test machine only).`,
    );
  }
  if (stranger instanceof Error && !/NOAUTH|Authentication required/i.test(stranger.message))
    throw new RedisOpenError(`cannot reach the Redis at ${bare.host}: ${stranger.message}`);
  if (stranger === 'PONG' || new URL(url).password === '') return;
  const us = await ping(url);
  if (us !== 'PONG')
    throw new RedisOpenError(
      `the Redis at ${bare.host} refused the app's password (${(us as Error).message.split('\n')[0]}): PATCHWRIGHT_REDIS_URL or PATCHWRIGHT_REDIS_PASSWORD_FILE must hold the password Redis was given (requirepass)`,
    );
}

/** One PING on a connection of its own that gives up at the first error: the answer, or why not. */
async function ping(url: string): Promise<string | Error> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    connectTimeout: 10_000,
  });
  let failed: Error | undefined;
  probe.on('error', (error: Error) => (failed ??= error));
  try {
    await probe.connect();
    return await probe.ping();
  } catch (error) {
    return failed && !/NOAUTH|WRONGPASS/.test((error as Error).message) ? failed : (error as Error);
  } finally {
    probe.disconnect();
  }
}

/**
 * Connects to `PATCHWRIGHT_REDIS_URL`, once it is known to refuse strangers (`checkRedisLocked`).
 * Commands wait through a Redis restart (they are retried until it is back) rather than failing
 * the delivery or the run. A wrong password is said at once.
 */
export async function connectRedisState(
  url: string,
  prefix: string,
  warn: (message: string, error: unknown) => void,
  opts: { insecure?: boolean } = {},
): Promise<RedisState> {
  await checkRedisLocked(url, opts.insecure ?? false);
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
