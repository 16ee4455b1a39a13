import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deliver, tempDir } from '../support/app-harness.ts';
import { nodeBuggy, nodeFix } from '../support/fixture-repo.ts';
import { startGithubFake, type FakeGithub } from '../support/github-fake.ts';
import { makeRemoteRepo, startGitServer, type GitServer } from '../support/git-http-server.ts';
import { payload } from '../support/payloads.ts';
import { startScriptedModel, type ScriptedModel } from '../support/scripted-model.ts';
import { startServerProcess, waitFor } from './server-process.ts';

const TOKEN = `ghs_${crypto.randomBytes(16).toString('hex')}`;
let git: GitServer;
let github: FakeGithub;
let model: ScriptedModel;
let root: string;

beforeAll(async () => {
  root = tempDir('pw-logs-');
  git = await startGitServer(root, TOKEN);
  github = await startGithubFake({ token: TOKEN });
  model = await startScriptedModel(
    [{ calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] }, { text: 'Fixed add.' }],
    { titles: () => 'Make add return the sum' },
  );
});
afterAll(async () => {
  await Promise.all([git?.close(), github?.close(), model?.close()]);
});

it('the real server logs a job as structured lines that all carry its jobId and delivery', async () => {
  makeRemoteRepo(root, 'logged', nodeBuggy);
  const server = await startServerProcess({
    githubUrl: github.url,
    modelUrl: model.baseURL,
    dataDir: tempDir('pw-logs-data-'),
    extraEnv: { LOG_LEVEL: 'info' },
  });
  try {
    // GitHub's secondary rate limit answers once, inside the job: Octokit's warning is one of the job's lines too.
    github.faults.push({
      method: 'GET',
      path: /\/branches\//,
      times: 1,
      status: 403,
      headers: { 'retry-after': '1' },
      body: { message: 'You have exceeded a secondary rate limit.' },
    });
    const label = payload('issues', 'labeled', {
      label: { name: 'agent' },
      issue: { number: 5, title: 'add is broken', body: 'add subtracts', pull_request: undefined },
      repository: { name: 'logged', full_name: 'octo/logged', clone_url: `${git.url}/logged.git` },
    });
    expect((await deliver(server.url, 'issues', label)).status).toBeLessThan(300);
    await waitFor('the job to finish', () => /job finished/.test(server.output()));
  } finally {
    await server.stop();
  }
  if (process.env.PW_DEBUG) console.error(server.output());
  // Probot's logger prints a line per record with its fields below it: each job record is read whole.
  const records = server
    .output()
    .split(/\n(?=\S)/)
    .filter((r) => /job (started|phase|finished)|run completed|secondary rate limit/.test(r));
  expect(
    records.map((r) => /(job started|job phase|run completed|job finished|secondary rate limit)/.exec(r)![1]),
  ).toEqual(
    expect.arrayContaining(['job started', 'job phase', 'secondary rate limit', 'run completed', 'job finished']),
  );
  for (const r of records) {
    expect(r, r).toMatch(/jobId: 1\b/);
    expect(r, r).toMatch(/delivery: "?[\w-]+/);
  }
  expect(records.find((r) => /job finished/.test(r))).toMatch(/outcome: "succeeded"/);
}, 120_000);
