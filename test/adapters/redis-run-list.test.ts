import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RedisJobs } from '../../src/adapters/redis/redis-jobs.ts';
import { RedisRunList } from '../../src/adapters/redis/redis-run-list.ts';
import type { Task } from '../../src/protocol/task.ts';
import { tempDir } from '../support/app-harness.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';

let redis: RedisServer;
let client: Redis;

beforeAll(async () => {
  redis = await startRedis(tempDir('pw-redis-runs-'));
  client = new Redis(redis.url);
});

afterAll(async () => {
  client?.disconnect();
  await redis?.close();
});

const task = (repo: string, number: number, requester: string): Task => ({
  action: 'start',
  repo: {
    owner: repo.split('/')[0]!,
    name: repo.split('/')[1]!,
    cloneUrl: `https://github.test/${repo}.git`,
    defaultBranch: 'main',
  },
  installationId: 7,
  number,
  isPullRequest: false,
  title: `Fix ${number}`,
  body: '',
  instructions: '',
  requester,
  trigger: { kind: 'label', label: 'agent' },
});

/** 30 jobs over three repositories; every third finished, the rest queued. Returns their ids by repository. */
async function seed(prefix: string): Promise<Record<string, number[]>> {
  const jobs = new RedisJobs(client, prefix, async () => {});
  const byRepo: Record<string, number[]> = { 'octo/a': [], 'octo/b': [], 'octo/c': [] };
  for (let i = 0; i < 30; i++) {
    const repo = Object.keys(byRepo)[i % 3]!;
    const { job } = await jobs.enqueue(`d-${i}`, task(repo, i, i % 2 ? 'alice' : 'bob'));
    byRepo[repo]!.push(job.id);
    if (i % 3 === 0) {
      expect(await jobs.claim(job.id, 'w', 5000, 2)).toBe('claimed');
      expect(await jobs.finish(job.id, 'w', 'done', { outcome: 'succeeded' })).toBe(true);
    }
  }
  return byRepo;
}

/** How many HGETALLs Redis has run since the last reset. */
async function hgetalls(): Promise<number> {
  const stats = (await client.info('commandstats')).split('\n').find((l) => l.startsWith('cmdstat_hgetall:'));
  return Number(/calls=(\d+)/.exec(stats ?? '')?.[1] ?? 0);
}

const newestFirst = (ids: number[]) => [...ids].sort((x, y) => y - x);

it('a page of some repositories reads only its own jobs; filters, totals and the overview agree with the jobs', async () => {
  const byRepo = await seed('runs1');
  const runs = new RedisRunList(client, 'runs1');
  expect(await runs.repos()).toEqual(['octo/a', 'octo/b', 'octo/c']);

  const ac = newestFirst([...byRepo['octo/a']!, ...byRepo['octo/c']!]);
  await client.config('RESETSTAT');
  const page = await runs.page({ repos: ['octo/a', 'octo/c'] }, 5, 5);
  expect(page.total).toBe(20);
  expect(page.rows.map((r) => r.id)).toEqual(ac.slice(5, 10));
  // Five rows, five hashes: not one per job in view (20) or in Redis (30).
  expect(await hgetalls()).toBe(5);

  // One repository picked: only if the viewer may see it.
  expect((await runs.page({ repos: null, repo: 'octo/b' }, 50, 0)).rows.map((r) => r.id)).toEqual(
    newestFirst(byRepo['octo/b']!),
  );
  expect(await runs.page({ repos: ['octo/a'], repo: 'octo/b' }, 50, 0)).toEqual({ rows: [], total: 0 });
  expect(await runs.page({ repos: [] }, 50, 0)).toEqual({ rows: [], total: 0 });

  // Outcome and person filter within the repositories in view.
  const done = await runs.page({ repos: ['octo/a'], outcome: 'succeeded' }, 50, 0);
  expect(done.rows.every((r) => r.repo === 'octo/a' && r.outcome === 'succeeded')).toBe(true);
  expect(done.total).toBe(10); // i % 3 === 0 is always octo/a
  const alice = await runs.page({ repos: null, person: 'alice' }, 4, 0);
  expect(alice.total).toBe(15);
  expect(alice.rows.every((r) => r.requester === 'alice')).toBe(true);
  expect((await runs.page({ repos: ['octo/b'], outcome: 'queued' }, 50, 0)).total).toBe(10);

  const finished = await runs.finishedSince('2000-01-01T00:00:00Z', ['octo/a', 'octo/b']);
  expect(finished.map((r) => r.id).sort((x, y) => x - y)).toEqual(byRepo['octo/a']);
  expect(await runs.finishedSince('2000-01-01T00:00:00Z', ['octo/c'])).toEqual([]);
});

it('jobs stored before the indexes existed are indexed by the first reader, once', async () => {
  const byRepo = await seed('runs2');
  // As an older version left them: no repository indexes, no marker.
  await client.del('runs2:repos', 'runs2:repo-jobs:octo/a', 'runs2:repo-jobs:octo/b', 'runs2:repo-jobs:octo/c');
  expect(await client.exists('runs2:index:repos')).toBe(0);
  const runs = new RedisRunList(client, 'runs2');
  expect(await runs.repos()).toEqual(['octo/a', 'octo/b', 'octo/c']);
  expect((await runs.page({ repos: ['octo/c'] }, 50, 0)).rows.map((r) => r.id)).toEqual(newestFirst(byRepo['octo/c']!));
  expect(await client.exists('runs2:index:repos')).toBe(1);
  // A job enqueued afterwards is in the index by ENQUEUE itself.
  const { job } = await new RedisJobs(client, 'runs2', async () => {}).enqueue('d-new', task('octo/d', 99, 'carol'));
  expect(await new RedisRunList(client, 'runs2').repos()).toEqual(['octo/a', 'octo/b', 'octo/c', 'octo/d']);
  expect((await runs.page({ repos: ['octo/d'] }, 50, 0)).rows.map((r) => r.id)).toEqual([job.id]);
});
