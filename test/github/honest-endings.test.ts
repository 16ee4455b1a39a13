import crypto from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.ts';
import { startAppWithWorker } from '../support/app-with-worker.ts';
import { deliver, tempDir } from '../support/app-harness.ts';
import { nodeAddMulTest, nodeBuggy } from '../support/fixture-repo.ts';
import { startGithubFake, type FakeGithub } from '../support/github-fake.ts';
import { makeRemoteRepo, startGitServer, type GitServer } from '../support/git-http-server.ts';
import { payload } from '../support/payloads.ts';
import { startScriptedModel, type ScriptedModel } from '../support/scripted-model.ts';

// Every run that ends without a PR says why in its tracking comment, and no comment stays at "working".
const TOKEN = `ghs_${crypto.randomBytes(16).toString('hex')}`;
let git: GitServer;
let github: FakeGithub;
let model: ScriptedModel;
let server: RunningServer;

beforeAll(async () => {
  const root = tempDir('pw-endings-');
  makeRemoteRepo(root, 'widgets', nodeBuggy);
  makeRemoteRepo(root, 'notes', { 'README.md': '# Notes\n\nTeh notes.\n' });
  git = await startGitServer(root, TOKEN);
  github = await startGithubFake({ token: TOKEN });
  model = await startScriptedModel(
    [
      {
        text: 'add already returns a + b in this version; the report must be about an older release. Nothing to change.',
      },
      { calls: [{ name: 'apply_patch', arguments: { input: nodeAddMulTest } }] },
      { text: 'Added a test for mul.' },
      {
        calls: [
          {
            name: 'apply_patch',
            arguments: {
              input: '*** Begin Patch\n*** Update File: README.md\n-Teh notes.\n+The notes.\n*** End Patch',
            },
          },
        ],
      },
      { text: 'Fixed the typo, as @octo-org/docs asked.' },
    ],
    { titles: () => 'Add a test for mul' },
  );
  server = await startAppWithWorker(github.url, model.baseURL);
});

afterAll(async () => {
  await server?.close();
  await Promise.all([git?.close(), github?.close(), model?.close()]);
});

afterEach(() => {
  delete github.files['.github/agent.yml'];
});

async function label(number: number, title: string, repo = 'widgets') {
  const event = payload('issues', 'labeled', {
    label: { name: 'agent' },
    issue: { number, title, body: 'see title', pull_request: undefined },
    repository: { clone_url: `${git.url}/${repo}.git` },
  });
  expect((await deliver(server.url, 'issues', event)).status).toBe(200);
  await server.pool.idle();
  const comments = [...github.comments.values()].filter((c) => c.issue === number);
  expect(comments).toHaveLength(1);
  return { tracking: comments[0]!.body, job: server.jobs.list().find((j) => j.number === number)! };
}

it('no_changes: says what the model found, and opens no PR', async () => {
  const { tracking, job } = await label(21, 'add is broken');
  expect([job.state, job.outcome]).toEqual(['done', 'no_changes']);
  expect(tracking).toMatch(
    /no_changes: no change was needed or made[\s\S]*No pull request was opened[\s\S]*add already returns a \+ b in this version/,
  );
  expect(github.pulls).toHaveLength(0);
});

it('setup_failed: names the failing step and shows the tail of its output', async () => {
  github.files['.github/agent.yml'] = `setup:\n  - 'echo "npm ERR! missing script: bootstrap" >&2; exit 3'\n`;
  const requests = model.requests.length;
  const { tracking, job } = await label(22, 'Anything');
  expect(job.outcome).toBe('setup_failed');
  expect(tracking).toMatch(
    /setup_failed[\s\S]*setup step `echo "npm ERR! missing script: bootstrap" >&2; exit 3` failed \(exit 3\)[\s\S]*npm ERR! missing script: bootstrap/,
  );
  expect(model.requests.length).toBe(requests);
  expect(github.pulls).toHaveLength(0);
});

it('tests_failing with onFailure: comment → only a comment saying what fails, and no title asked for', async () => {
  github.files['.github/agent.yml'] = 'onFailure: comment\nverificationRounds: 0\n';
  const { tracking, job } = await label(23, 'Test mul');
  expect(job.outcome).toBe('tests_failing');
  expect(tracking).toMatch(/tests_failing[\s\S]*No pull request was opened[\s\S]*multiplies/);
  expect(github.pulls).toHaveLength(0);
  expect(model.requests.some((r) => /Reply with the title only/.test(JSON.stringify(r.body)))).toBe(false);
  expect(model.remaining()).toBe(2); // the steps of the next test
});

it('a crash before the run (the repository cannot be cloned) → the comment says so, never "working"', async () => {
  const { tracking, job } = await label(24, 'Anything', 'does-not-exist');
  expect(job.state).toBe('failed');
  expect(tracking).toMatch(/❌ job \d+ could not make a checkout: fetching the repository failed: .*not found/);
  expect(tracking).not.toContain(TOKEN);
});

it('a repository without tests → the PR says nothing verified it, and the check run is neutral, not green', async () => {
  const { job } = await label(25, 'Typo in README', 'notes');
  expect(job.outcome).toBe('succeeded');
  const pr = github.pulls.find((p) => p.head === 'agent/25-typo-in-readme')!;
  expect(pr.body).toMatch(/\*\*Nothing verified this change:\*\* no test command was found/);
  // Text the model wrote never pings anyone.
  expect(pr.body).toContain('as `@octo-org/docs` asked');
  expect(github.checkRuns.at(-1)).toMatchObject({ conclusion: 'neutral' });
});
