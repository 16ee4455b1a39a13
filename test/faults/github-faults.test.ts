import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../src/adapters/store/job-store.ts';
import { AppOctokit } from '../../src/github/app-octokit.ts';
import type { RunningServer } from '../../src/server/start-server.ts';
import { deliver, tempDir } from '../support/app-harness.ts';
import { startAppWithWorker } from '../support/app-with-worker.ts';
import { nodeBuggy, nodeFix } from '../support/fixture-repo.ts';
import { type FakeGithub, type FaultRule, startGithubFake } from '../support/github-fake.ts';
import { makeRemoteRepo, startGitServer, type GitServer } from '../support/git-http-server.ts';
import { payload } from '../support/payloads.ts';
import { startScriptedModel, type ScriptedModel } from '../support/scripted-model.ts';
import { waitFor } from './server-process.ts';

const TOKEN = `ghs_${crypto.randomBytes(16).toString('hex')}`;
let git: GitServer;
let github: FakeGithub;
let model: ScriptedModel;
let server: RunningServer;

const fixer = (body: Record<string, unknown>) =>
  /function_call_output|"role":"tool"/.test(JSON.stringify(body.input ?? body.messages ?? ''))
    ? { text: 'Fixed add.' }
    : { calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] };

beforeAll(async () => {
  const root = tempDir('pw-ghfaults-');
  makeRemoteRepo(root, 'widgets', nodeBuggy);
  git = await startGitServer(root, TOKEN);
  github = await startGithubFake({ token: TOKEN });
  model = await startScriptedModel(
    Array.from({ length: 100 }, () => fixer),
    { titles: () => 'Make add return the sum' },
  );
  // The app's own Octokit: Probot's retry plugin and the app's answers to rate limits, as deployed.
  server = await startAppWithWorker(github.url, model.baseURL, AppOctokit);
});

afterAll(async () => {
  await server?.close();
  await Promise.all([git?.close(), github?.close(), model?.close()]);
});

/** Labels issue `number` with these faults in place; resolves with the finished job, its comments and PRs. */
async function labelWith(number: number, faults: FaultRule[]) {
  github.faults.splice(0, github.faults.length, ...faults);
  const event = payload('issues', 'labeled', {
    label: { name: 'agent' },
    issue: { number, title: 'add is broken', body: 'add subtracts', pull_request: undefined },
    repository: { clone_url: `${git.url}/widgets.git` },
  });
  const before = github.requests.length;
  expect((await deliver(server.url, 'issues', event)).status).toBeLessThan(300);
  const job = await waitFor(
    `job for #${number} to end`,
    () =>
      server.jobs
        .list()
        .find((j: Job) => j.task.number === number && ['done', 'failed', 'cancelled'].includes(j.state)),
    120_000,
  );
  await server.settled();
  const comments = [...github.comments.values()].filter((c) => c.issue === number);
  const prs = github.pulls.filter((p) => p.body.includes(`#${number}`));
  const requests = github.requests.slice(before);
  return { job, comments, prs, requests, left: github.faults.filter((f) => f.times > 0) };
}

const count = (requests: Array<{ method: string; path: string }>, method: string, re: RegExp) =>
  requests.filter((r) => r.method === method && re.test(r.path)).length;

describe('GitHub misbehaves: retried where retrying is right, never a duplicate write, a clear end where not', () => {
  it('500 on creating the tracking comment and 503 on opening the PR: both retried, one of each', async () => {
    const r = await labelWith(61, [
      { method: 'POST', path: /\/issues\/61\/comments$/, times: 1, status: 500 },
      { method: 'POST', path: /\/pulls$/, times: 1, status: 503 },
    ]);
    expect(r.left).toEqual([]);
    expect(r.job).toMatchObject({ state: 'done', outcome: 'succeeded' });
    expect(r.comments).toHaveLength(1);
    expect(r.prs).toHaveLength(1);
  });

  it('502 from a proxy with an HTML body after GitHub opened the PR: the retry is refused (422), the PR is found and updated, not opened twice', async () => {
    const r = await labelWith(62, [
      {
        method: 'POST',
        path: /\/pulls$/,
        times: 1,
        status: 502,
        body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
        effect: true,
      },
    ]);
    expect(r.job).toMatchObject({ state: 'done', outcome: 'succeeded' });
    expect(r.prs).toHaveLength(1);
    expect(count(r.requests, 'POST', /\/pulls$/)).toBe(2);
    expect(r.comments[0]!.body).not.toMatch(/<html|<body/i);
  });

  it('a secondary rate limit (403 with retry-after) on the tracking comment: waited out, then written once', async () => {
    const r = await labelWith(63, [
      {
        method: 'POST',
        path: /\/issues\/63\/comments$/,
        times: 1,
        status: 403,
        headers: { 'retry-after': '1' },
        body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
      },
    ]);
    expect(r.left).toEqual([]);
    expect(r.job).toMatchObject({ state: 'done', outcome: 'succeeded' });
    expect(r.comments).toHaveLength(1);
  });

  it('an abuse-detection 403 (retry-after) on opening the PR: waited out, one PR', async () => {
    const r = await labelWith(64, [
      {
        method: 'POST',
        path: /\/pulls$/,
        times: 1,
        status: 403,
        headers: { 'retry-after': '1' },
        body: {
          message: 'You have triggered an abuse detection mechanism. Please wait a few minutes before you try again.',
        },
      },
    ]);
    expect(r.left).toEqual([]);
    expect(r.job).toMatchObject({ state: 'done', outcome: 'succeeded' });
    expect(r.prs).toHaveLength(1);
  });

  it('the primary rate limit used up, reset in a second: waited out; reset an hour away: the run ends saying so, no PR, no retry storm', async () => {
    const soon = String(Math.floor(Date.now() / 1000) + 1);
    const a = await labelWith(65, [
      {
        method: 'POST',
        path: /\/check-runs$/,
        times: 1,
        status: 403,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': soon },
        body: { message: 'API rate limit exceeded for installation ID 1.' },
      },
    ]);
    expect(a.left).toEqual([]);
    expect(a.job).toMatchObject({ state: 'done', outcome: 'succeeded' });
    const later = String(Math.floor(Date.now() / 1000) + 3600);
    const b = await labelWith(66, [
      {
        method: 'POST',
        path: /\/pulls$/,
        times: 99,
        status: 403,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': later },
        body: { message: 'API rate limit exceeded for installation ID 1.' },
      },
    ]);
    expect(b.prs).toHaveLength(0);
    expect(count(b.requests, 'POST', /\/pulls$/)).toBe(1);
    expect(b.comments.at(-1)!.body).toMatch(/Publishing failed: API rate limit exceeded/);
    expect(b.job.state).toBe('failed');
  });

  it('the installation suspended while a job runs: every call refused, so nothing more is written; the job fails once with the reason, no retry storm', async () => {
    const event = payload('issues', 'labeled', {
      label: { name: 'agent' },
      issue: { number: 67, title: 'add is broken', body: 'add subtracts', pull_request: undefined },
      repository: { clone_url: `${git.url}/widgets.git` },
    });
    expect((await deliver(server.url, 'issues', event)).status).toBeLessThan(300);
    await waitFor('job for #67 to start', () =>
      server.jobs.list().find((j: Job) => j.task.number === 67 && j.state === 'running'),
    );
    const before = github.requests.length;
    // Suspended, the token the app holds stops working too.
    github.faults.push({
      path: /./,
      times: 9999,
      status: 403,
      body: { message: 'This installation has been suspended' },
    });
    const job = await waitFor(
      'job for #67 to end',
      () => server.jobs.list().find((j: Job) => j.task.number === 67 && ['done', 'failed'].includes(j.state)),
      120_000,
    );
    github.faults.length = 0;
    expect(job.state).toBe('failed');
    expect(job.reason).toMatch(/suspended/);
    expect(github.pulls.filter((p) => p.body.includes('#67'))).toHaveLength(0);
    expect(github.requests.length - before).toBeLessThanOrEqual(12);
    // The next job runs as usual.
    expect((await labelWith(68, [])).job).toMatchObject({ state: 'done', outcome: 'succeeded' });
  });

  it('the issue deleted while the run works (404 on its comments): the run ends without a PR for it, and says why in the job', async () => {
    const r = await labelWith(69, [
      { method: 'PATCH', path: /\/issues\/comments\/\d+$/, times: 99, status: 404, body: { message: 'Not Found' } },
      { method: 'POST', path: /\/issues\/69\/comments$/, times: 99, status: 404, body: { message: 'Not Found' } },
      { method: 'GET', path: /\/issues\/69$/, times: 99, status: 404, body: { message: 'Not Found' } },
    ]);
    expect(r.job.state).toBe('failed');
    expect(r.job.reason).toMatch(
      /#69 is gone \(GitHub answered 404: deleted or moved to another repository\), so nothing was published/,
    );
    expect(r.prs).toHaveLength(0);
  });
});
