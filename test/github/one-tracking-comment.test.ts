import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/start-server.ts';
import { upsertTrackingComment } from '../../src/github/report/tracking-comment.ts';
import { md } from '../../src/github/publish/posted.ts';
import { deliver, privateKey, SECRET, TestOctokit, tempDir } from '../support/app-harness.ts';
import { startGithubFake, type FakeGithub } from '../support/github-fake.ts';
import { payload } from '../support/payloads.ts';

/**
 * The acknowledgement and the worker both write the tracking comment. With GitHub slow to create
 * comments (or answering 502 after creating one), a fast worker used to make a second one.
 */
let github: FakeGithub;
let server: RunningServer;

afterEach(async () => {
  await server?.close();
  await github?.close();
});

/** A worker that writes its first progress line at once, like a run whose setup starts immediately. */
const writingWorker: NonNullable<Parameters<typeof startServer>[0]['createRunJob']> = (ctx) => async (job) => {
  const octokit = await ctx.github.forInstallation(job.task.installationId!);
  const thread = { owner: job.task.repo.owner, repo: job.task.repo.name, number: job.number };
  await upsertTrackingComment(octokit, ctx.threads, thread, md`setup (job ${job.id})`);
  await upsertTrackingComment(octokit, ctx.threads, thread, md`done (job ${job.id})`);
  return { state: 'done', outcome: 'succeeded' };
};

async function start(
  opts: { commentDelayMs?: number; loseCreates?: number; commentJitterMs?: number; random?: () => number },
  createRunJob = writingWorker,
) {
  github = await startGithubFake(opts);
  server = await startServer({
    dataDir: tempDir('pw-race-'),
    concurrency: 4,
    appId: 1,
    privateKey: privateKey(),
    secret: SECRET,
    appSlug: 'patchwright-test',
    baseUrl: github.url,
    port: 0,
    logLevel: 'fatal',
    Octokit: TestOctokit,
    pollMs: 5,
    createRunJob,
  });
}

const labelled = (number: number) =>
  payload('issues', 'labeled', {
    label: { name: 'agent' },
    issue: { number, title: `Issue ${number}`, body: 'x', pull_request: undefined },
  });

describe('one tracking comment per issue, whatever the timing', () => {
  it('200 deliveries, comment creation slowed to 150 ms: exactly one comment on each issue', async () => {
    await start({ commentDelayMs: 150 });
    const sent = await Promise.all(
      Array.from({ length: 200 }, (_, i) => deliver(server.url, 'issues', labelled(1000 + i))),
    );
    expect(sent.every((r) => r.status === 200)).toBe(true);
    await server.pool.idle();
    const perIssue = new Map<number, number>();
    for (const c of github.comments.values()) perIssue.set(c.issue, (perIssue.get(c.issue) ?? 0) + 1);
    expect(perIssue.size).toBe(200);
    expect([...perIssue.values()].every((n) => n === 1)).toBe(true);
    expect([...github.comments.values()].every((c) => /done \(job \d+\)/.test(c.body))).toBe(true);
  }, 60_000);

  it('200 issues, answers delayed at random (so they come back out of order), every delivery sent twice, a quarter labelled again, 10 creates lost: one comment each', async () => {
    // Seeded, so a failure replays the same delays and order.
    const random = seeded(20261130);
    await start({ commentJitterMs: 200, loseCreates: 10, random });
    const ids = Array.from({ length: 200 }, () => crypto.randomUUID());
    const sends = ids.flatMap((id, i) => [
      () => deliver(server.url, 'issues', labelled(2000 + i), { id }),
      () => deliver(server.url, 'issues', labelled(2000 + i), { id }), // GitHub redelivers it
      ...(i % 4 === 0 ? [() => deliver(server.url, 'issues', labelled(2000 + i))] : []), // labelled again
    ]);
    // Shuffled, so duplicates and second labels race the first delivery.
    for (let i = sends.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [sends[i], sends[j]] = [sends[j]!, sends[i]!];
    }
    const sent = await Promise.all(sends.map((s) => s()));
    expect(sent.every((r) => r.status === 200)).toBe(true);
    await server.settled();
    await server.pool.idle();
    expect(server.jobs.list()).toHaveLength(250);
    const perIssue = new Map<number, number>();
    for (const c of github.comments.values()) perIssue.set(c.issue, (perIssue.get(c.issue) ?? 0) + 1);
    expect(perIssue.size).toBe(200);
    expect([...perIssue.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  }, 120_000);

  it('the webhook is answered once the job is persisted: the 👀 and the comment follow, behind a slow GitHub', async () => {
    // Slow enough that the answer comes first even on a loaded machine.
    await start({ commentDelayMs: 5000 });
    const res = await deliver(server.url, 'issues', labelled(8));
    expect(res.status).toBe(200);
    // Answered while GitHub was still creating the comment.
    expect(server.jobs.list()).toHaveLength(1);
    expect([...github.comments.values()].filter((c) => c.issue === 8)).toHaveLength(0);
    await server.settled();
    await server.pool.idle();
    expect([...github.comments.values()].filter((c) => c.issue === 8)).toHaveLength(1);
  });

  it('a create lost by the first acknowledgement, then a second label before any other write: the second finds the comment, no duplicate', async () => {
    // A worker that writes nothing, so only the two acknowledgements touch the thread.
    await start({ loseCreates: 1 }, () => async () => ({ state: 'done' }));
    expect((await deliver(server.url, 'issues', labelled(9))).status).toBe(200);
    await server.settled();
    expect((await deliver(server.url, 'issues', labelled(9))).status).toBe(200);
    await server.settled();
    const onIssue = [...github.comments.values()].filter((c) => c.issue === 9);
    expect(onIssue).toHaveLength(1);
    expect(onIssue[0]!.body).toMatch(/queued \(job 2\)/);
  });

  it('a create that answered 502 after GitHub made the comment is found again, not duplicated', async () => {
    await start({ loseCreates: 1 });
    expect((await deliver(server.url, 'issues', labelled(7))).status).toBe(200);
    await server.pool.idle();
    const onIssue = [...github.comments.values()].filter((c) => c.issue === 7);
    expect(onIssue).toHaveLength(1);
    expect(onIssue[0]!.body).toMatch(/done \(job \d+\)/);
  });
});

/** A small seeded generator (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
