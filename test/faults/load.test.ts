import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Job } from '../../src/adapters/store/job-store.ts';
import { startServer, type RunningServer } from '../../src/server/start-server.ts';
import { deliver, privateKey, SECRET, TestOctokit, tempDir } from '../support/app-harness.ts';
import { startGithubFake, type FakeGithub } from '../support/github-fake.ts';
import { payload } from '../support/payloads.ts';

let github: FakeGithub;
let server: RunningServer;
const running = new Map<string, number>();
let overlaps = 0;
const ran: number[] = [];

beforeAll(async () => {
  github = await startGithubFake();
  server = await startServer({
    dataDir: tempDir('pw-load-'),
    concurrency: 2,
    appId: 1,
    privateKey: privateKey(),
    secret: SECRET,
    appSlug: 'patchwright-test',
    baseUrl: github.url,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'fatal',
    Octokit: TestOctokit,
    pollMs: 20,
    // A job that takes a little while and notes whether another job of its issue ran at the same time.
    createRunJob: () => async (job: Job) => {
      const key = `${job.task.repo.owner}/${job.task.repo.name}#${job.task.number}`;
      if (running.get(key)) overlaps++;
      running.set(key, (running.get(key) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 2));
      running.set(key, running.get(key)! - 1);
      ran.push(job.id);
      return { state: 'done' };
    },
  });
});

afterAll(async () => {
  await server?.close();
  await github?.close();
});

it('1,000 deliveries for 50 repositories, 5% of them redelivered: every accepted delivery is exactly one job, none dropped, one issue never runs twice at once', async () => {
  const deliveries = Array.from({ length: 1000 }, (_, i) => {
    const repo = `repo-${i % 50}`;
    const body = payload('issues', 'labeled', {
      label: { name: 'agent' },
      issue: { number: 1 + (i % 7), title: `task ${i}`, body: 'do it', pull_request: undefined },
      repository: { name: repo, full_name: `octo/${repo}`, clone_url: `https://github.test/octo/${repo}.git` },
    });
    return { id: crypto.randomUUID(), body };
  });
  // GitHub redelivers some: the same delivery id again.
  const again = deliveries.filter((_, i) => i % 20 === 0);
  const rssBefore = process.memoryUsage().rss;
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const queue = [...deliveries, ...again];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let d = queue.shift(); d; d = queue.shift()) {
        const t = performance.now();
        const res = await deliver(server.url, 'issues', d.body, { id: d.id });
        latencies.push(performance.now() - t);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    }),
  );
  await server.settled();
  await server.pool.idle();
  const jobs = server.jobs.list();
  expect([...statuses.entries()]).toEqual([[200, 1050]]);
  expect(jobs).toHaveLength(1000);
  expect(new Set(jobs.map((j) => j.deliveryId)).size).toBe(1000);
  expect(jobs.every((j) => j.state === 'done')).toBe(true);
  expect(ran.sort((a, b) => a - b)).toEqual(jobs.map((j) => j.id).sort((a, b) => a - b));
  expect(overlaps).toBe(0);
  // One tracking comment per issue thread, whatever the order the jobs ran in.
  const threads = new Set(
    deliveries.map(
      (d) =>
        `${(d.body as { repository: { name: string } }).repository.name}#${(d.body as { issue: { number: number } }).issue.number}`,
    ),
  );
  expect(github.comments.size).toBe(threads.size);
  latencies.sort((a, b) => a - b);
  console.log(
    `load: p50 ${latencies[525]!.toFixed(1)} ms, p99 ${latencies[1039]!.toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms; RSS ${Math.round(rssBefore / 2 ** 20)} → ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`,
  );
});
