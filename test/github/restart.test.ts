import nock from 'nock';
import { afterEach, beforeAll, expect, it } from 'vitest';
import type { Job } from '../../src/adapters/store/job-store.ts';
import { deliver, startTestServer, tempDir } from '../support/app-harness.ts';
import { mockConfig, mockInstallation, mockPermission } from '../support/nock-github.ts';
import { OWNER, payload, REPO } from '../support/payloads.ts';

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});

afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

it('runs in the next process the jobs the last one queued or was running', async () => {
  const dataDir = tempDir();
  const number = 11;
  const label = (n: number) => payload('issues', 'labeled', { label: { name: 'agent' }, issue: { number: n } });

  // First process: takes the first job and hangs in it; the second waits behind it (same issue).
  let started!: () => void;
  const firstStarted = new Promise<void>((resolve) => (started = resolve));
  const first = await startTestServer({ dataDir, concurrency: 2, runJob: () => (started(), new Promise(() => {})) });
  const scope = mockInstallation();
  for (let i = 0; i < 2; i++) {
    mockConfig(scope, OWNER, REPO, null);
    mockPermission(scope, OWNER, REPO, 'maintainer', 'write');
    scope.post(`/repos/${OWNER}/${REPO}/issues/${number}/reactions`).reply(201, {});
  }
  scope.post(`/repos/${OWNER}/${REPO}/issues/${number}/comments`).reply(201, { id: 900 });
  scope.patch(`/repos/${OWNER}/${REPO}/issues/comments/900`, (b) => /queued/.test(b.body)).reply(200, { id: 900 });
  await deliver(first.url, 'issues', label(number));
  await firstStarted;
  await deliver(first.url, 'issues', label(number));
  expect(first.jobs.list().map((j) => j.state)).toEqual(['running', 'queued']);
  // The process "dies": it stops without finishing the running job.
  const closing = first.close();
  await Promise.race([closing, new Promise((r) => setTimeout(r, 100))]);
  first.db.close();

  // Second process on the same data dir: the running job is requeued once, and says so.
  const restarted = mockInstallation()
    .patch(`/repos/${OWNER}/${REPO}/issues/comments/900`, (b) => /restarted/.test(b.body))
    .reply(200, {});
  const ran: Job[] = [];
  const second = await startTestServer({ dataDir, runJob: async (job) => (ran.push(job), { state: 'done' }) });
  await second.pool.idle();
  expect(restarted.isDone()).toBe(true);
  expect(ran.map((j) => [j.id, j.attempts])).toEqual([
    [1, 2],
    [2, 1],
  ]);
  expect(second.jobs.list().map((j) => j.state)).toEqual(['done', 'done']);
  await second.close();
});
