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
  nock.cleanAll();
});

const label = (n: number) => payload('issues', 'labeled', { label: { name: 'agent' }, issue: { number: n } });
function ackMocks(numbers: number[]) {
  const scope = mockInstallation();
  for (const n of numbers) {
    mockConfig(scope, OWNER, REPO, null);
    mockPermission(scope, OWNER, REPO, 'maintainer', 'write');
    scope
      .post(`/repos/${OWNER}/${REPO}/issues/${n}/reactions`)
      .reply(201, {})
      .post(`/repos/${OWNER}/${REPO}/issues/${n}/comments`)
      .reply(201, { id: 100 + n });
  }
}

it('SIGTERM: a job that finishes within the grace period finishes; one that does not is stopped, pushes nothing and runs again at the next start', async () => {
  const dataDir = tempDir();
  const seen: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const first = await startTestServer({
    dataDir,
    concurrency: 2,
    runJob: (job, signal) =>
      new Promise((resolve) => {
        // A job that finishes soon after the stop begins, within the grace period.
        if (job.number === 21)
          return void released.then(() => setTimeout(() => resolve({ state: 'done', outcome: 'succeeded' }), 100));
        // A long run: it ends only when told to, and then publishes nothing.
        signal.addEventListener(
          'abort',
          () => (seen.push(String((signal.reason as Error).message)), resolve({ state: 'cancelled' })),
        );
      }),
  });
  ackMocks([21, 22]);
  await deliver(first.url, 'issues', label(21));
  await deliver(first.url, 'issues', label(22));
  for (let i = 0; i < 100 && first.jobs.list().some((j) => j.state !== 'running'); i++)
    await new Promise((r) => setTimeout(r, 50));
  expect(first.jobs.list().map((j) => j.state)).toEqual(['running', 'running']);
  const stopping = first.shutdown(1500);
  release();
  const result = await stopping;
  expect(result).toEqual({ finished: [1], requeued: [2] });
  expect(seen[0]).toMatch(/restarting: this job stopped without pushing anything/);

  const ran: Job[] = [];
  const second = await startTestServer({ dataDir, runJob: async (job) => (ran.push(job), { state: 'done' }) });
  await second.pool.idle();
  expect(second.jobs.list().map((j) => [j.id, j.state])).toEqual([
    [1, 'done'],
    [2, 'done'],
  ]);
  // A graceful stop is not a death: the job starts again as its first attempt, with no "restarted" note.
  expect(ran.map((j) => [j.id, j.attempts])).toEqual([[2, 1]]);
  await second.close();
});
