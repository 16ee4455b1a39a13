import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { RedisJobs } from '../../src/adapters/redis/redis-jobs.ts';
import { RedisThreads } from '../../src/adapters/redis/redis-threads.ts';
import type { Job } from '../../src/adapters/store/job-store.ts';
import type { Task } from '../../src/protocol/task.ts';
import { tempDir } from '../support/app-harness.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';

let redis: RedisServer;
let client: Redis;
let jobs: RedisJobs;
const dispatched: Array<[number, number]> = [];
let prefix = 0;

beforeAll(async () => {
  redis = await startRedis(tempDir('pw-redis-unit-'));
  client = new Redis(redis.url);
});

afterAll(async () => {
  client?.disconnect();
  await redis?.close();
});

beforeEach(() => {
  dispatched.length = 0;
  jobs = new RedisJobs(
    client,
    `t${++prefix}`,
    async (job: Job, delay: number) => void dispatched.push([job.id, delay]),
  );
});

const task = (number: number, over: Partial<Task> = {}): Task => ({
  action: 'start',
  repo: { owner: 'octo', name: 'widgets', cloneUrl: 'https://github.test/octo/widgets.git', defaultBranch: 'main' },
  installationId: 1,
  number,
  isPullRequest: false,
  title: 'Fix it',
  body: '',
  instructions: '',
  requester: 'alice',
  trigger: { kind: 'label', label: 'agent' },
  ...over,
});

it('a delivery is one job however often it comes; a redelivery of a job still queued dispatches it again', async () => {
  const a = await jobs.enqueue('d-1', task(1));
  const b = await jobs.enqueue('d-1', task(1));
  expect([a.duplicate, b.duplicate]).toEqual([false, true]);
  expect(b.job.id).toBe(a.job.id);
  expect(dispatched).toEqual([
    [a.job.id, 0],
    [a.job.id, 0],
  ]);
  expect(await jobs.list()).toHaveLength(1);
  expect(await jobs.queuedCount()).toBe(1);
});

it('a job stored by a web process that died before queueing it is queued by the next sweep', async () => {
  const lost = new RedisJobs(client, `t${prefix}`, async () => {
    throw new Error('the process died here');
  });
  await expect(lost.enqueue('d-9', task(9))).rejects.toThrow(/died/);
  expect(dispatched).toEqual([]);
  const batch = task(10, {
    action: 'follow_up',
    isPullRequest: true,
    trigger: { kind: 'review', reviewId: 5, state: 'commented' },
  });
  await expect(lost.enqueue('d-10', batch, new Date(Date.now() + 30_000))).rejects.toThrow(/died/);
  expect(await jobs.redispatchQueued()).toBe(2);
  const [first, second] = dispatched;
  expect(first).toEqual([1, 0]);
  // A job that waits (review batching) keeps its wait.
  expect(second![0]).toBe(2);
  expect(second![1]).toBeGreaterThan(20_000);
});

it('jobs of one issue start one at a time and oldest first; other issues are not held up', async () => {
  const first = (await jobs.enqueue('d-1', task(1))).job;
  const second = (await jobs.enqueue('d-2', task(1))).job;
  const other = (await jobs.enqueue('d-3', task(2))).job;
  expect(await jobs.claim(second.id, 'w1', 5000, 2)).toBe('busy'); // an older one waits
  expect(await jobs.claim(first.id, 'w1', 5000, 2)).toBe('claimed');
  expect(await jobs.claim(second.id, 'w2', 5000, 2)).toBe('busy'); // the older one runs
  expect(await jobs.claim(other.id, 'w2', 5000, 2)).toBe('claimed');
  expect((await jobs.active('octo/widgets', 1))?.id).toBe(first.id);
  expect(await jobs.finish(first.id, 'w1', 'done', { outcome: 'succeeded' })).toBe(true);
  expect(await jobs.claim(second.id, 'w2', 5000, 2)).toBe('claimed');
  expect(await jobs.claim(first.id, 'w3', 5000, 2)).toBe('finished');
});

it("a dead worker's issue lock expires; the job is taken over once, and fails the second time its worker dies", async () => {
  const job = (await jobs.enqueue('d-1', task(1))).job;
  expect(await jobs.claim(job.id, 'dead', 300, 2)).toBe('claimed');
  expect(await jobs.claim(job.id, 'other', 300, 2)).toBe('busy'); // the lock is still held
  await new Promise((r) => setTimeout(r, 400));
  expect(await jobs.claim(job.id, 'other', 300, 2)).toBe('claimed');
  expect((await jobs.get(job.id))?.attempts).toBe(2);
  // The dead worker comes back to life: it cannot finish a job it no longer holds.
  expect(await jobs.finish(job.id, 'dead', 'done')).toBe(false);
  expect(await jobs.renew(job.id, 'dead', 300)).toBe(false);
  await new Promise((r) => setTimeout(r, 400));
  expect(await jobs.claim(job.id, 'third', 300, 2)).toBe('died');
  expect((await jobs.get(job.id))?.state).toBe('failed');
});

it('giving a job back (shutdown) does not count as a start', async () => {
  const job = (await jobs.enqueue('d-1', task(1))).job;
  await jobs.claim(job.id, 'w1', 5000, 2);
  expect(await jobs.finish(job.id, 'w1', 'queued', { reason: 'restarting' })).toBe(true);
  expect(await jobs.get(job.id)).toMatchObject({ state: 'queued', attempts: 0 });
  expect(await jobs.claim(job.id, 'w2', 5000, 2)).toBe('claimed');
});

it('stop: queued jobs are cancelled at once; a running one is marked, and whoever takes it over honours the mark', async () => {
  const running = (await jobs.enqueue('d-1', task(1))).job;
  const queued = (await jobs.enqueue('d-2', task(1))).job;
  await jobs.claim(running.id, 'dead', 200, 2);
  expect((await jobs.cancelQueued('octo/widgets', 1, 'stopped by @alice')).map((j) => j.id)).toEqual([queued.id]);
  expect(await jobs.markCancel(running.id, 'stopped by @alice')).toBe(true);
  expect(await jobs.markCancel(queued.id, 'again')).toBe(false);
  await new Promise((r) => setTimeout(r, 300));
  expect(await jobs.claim(running.id, 'other', 200, 2)).toBe('finished');
  expect(await jobs.get(running.id)).toMatchObject({ state: 'cancelled', reason: 'stopped by @alice' });
});

it('review batching folds a review into the waiting follow-up, and starting it now dispatches it without delay', async () => {
  const review = task(7, {
    action: 'follow_up',
    isPullRequest: true,
    trigger: { kind: 'review', reviewId: 10, state: 'commented' },
  });
  const waiting = (await jobs.enqueue('d-1', review, new Date(Date.now() + 60_000))).job;
  expect(dispatched[0]![1]).toBeGreaterThan(50_000);
  const merged = await jobs.absorbReview('octo/widgets', 7, 11, true);
  expect(merged?.id).toBe(waiting.id);
  expect(merged?.task.trigger).toMatchObject({ kind: 'review', reviewId: 10, moreReviewIds: [11] });
  expect(dispatched.at(-1)).toEqual([waiting.id, 0]);
  expect(await jobs.absorbReview('octo/widgets', 8, 12, false)).toBeUndefined();
});

it("a thread's writes are one at a time across processes (two clients), and its memory is shared", async () => {
  const other = new Redis(redis.url);
  try {
    const a = new RedisThreads(client, 'threads');
    const b = new RedisThreads(other, 'threads');
    let inside = 0;
    let overlap = 0;
    const work = (t: RedisThreads) =>
      t.serialize('octo/widgets', 1, async () => {
        if (++inside > 1) overlap++;
        await new Promise((r) => setTimeout(r, 5));
        inside--;
      });
    await Promise.all(Array.from({ length: 20 }, (_, i) => work(i % 2 ? a : b)));
    expect(overlap).toBe(0);
    await a.setTrackingComment('octo/widgets', 1, 42);
    expect(await b.trackingComment('octo/widgets', 1)).toBe(42);
    expect([await a.claimPoliteReply('octo/widgets', 1), await b.claimPoliteReply('octo/widgets', 1)]).toEqual([
      true,
      false,
    ]);
    await a.setQuestion('octo/widgets', 1, 'Which file?');
    expect([await b.takeQuestion('octo/widgets', 1), await a.takeQuestion('octo/widgets', 1)]).toEqual([
      'Which file?',
      undefined,
    ]);
    // The app's PRs: branch and issue (or none) together, seen by every process.
    expect(await b.pullRequest('octo/widgets', 100)).toBeUndefined();
    await a.setPullRequest('octo/widgets', 100, { branch: 'agent/7-fix', closes: 7, forPull: null });
    await a.setPullRequest('octo/widgets', 101, { branch: 'agent/50-x', closes: null, forPull: 50 });
    expect([await b.pullRequest('octo/widgets', 100), await b.pullRequest('octo/widgets', 101)]).toEqual([
      { branch: 'agent/7-fix', closes: 7, forPull: null },
      { branch: 'agent/50-x', closes: null, forPull: 50 },
    ]);
  } finally {
    other.disconnect();
  }
});
