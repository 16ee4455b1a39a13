import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.ts';
import { parseCommand } from '../../src/github/triggers/parse-command.ts';
import { deliver, tempDir } from '../support/app-harness.ts';
import { startAppWithWorker } from '../support/app-with-worker.ts';
import { nodeBuggy } from '../support/fixture-repo.ts';
import { startGithubFake, type FakeGithub } from '../support/github-fake.ts';
import { makeRemoteRepo, startGitServer, type GitServer } from '../support/git-http-server.ts';
import { payload } from '../support/payloads.ts';
import { startScriptedModel, type ScriptedModel } from '../support/scripted-model.ts';

const TOKEN = `ghs_${crypto.randomBytes(16).toString('hex')}`;
let git: GitServer;
let github: FakeGithub;
let model: ScriptedModel;
let server: RunningServer;

beforeAll(async () => {
  const root = tempDir('pw-doctor-');
  makeRemoteRepo(root, 'widgets', nodeBuggy);
  git = await startGitServer(root, TOKEN);
  github = await startGithubFake({ token: TOKEN });
  model = await startScriptedModel([]);
  server = await startAppWithWorker(github.url, model.baseURL);
});
afterAll(async () => {
  await server?.close();
  await Promise.all([git?.close(), github?.close(), model?.close()]);
});

it('`/agent doctor` is a command', () => {
  expect(parseCommand('/agent doctor', 'agent')).toEqual({ verb: 'doctor', text: '' });
});

it('`/agent doctor` on an issue: setup and the tests run on the default branch, the report is the tracking comment, the model is never asked', async () => {
  const comment = payload('issue_comment', 'created', {
    comment: { id: 77, body: '/agent doctor', user: { login: 'maintainer', type: 'User' } },
    issue: { number: 40, title: 'Is this repo ready?', body: '', pull_request: undefined },
    repository: { clone_url: `${git.url}/widgets.git` },
    sender: { login: 'maintainer', type: 'User' },
  });
  expect((await deliver(server.url, 'issue_comment', comment)).status).toBe(200);
  await server.pool.idle();
  expect(server.jobs.list().map((j) => [j.state, j.outcome])).toEqual([['done', 'ready']]);
  const body = [...github.comments.values()]
    .filter((c) => c.issue === 40)
    .map((c) => c.body)
    .join('\n');
  expect(body).toMatch(/🩺 ✅ ready: setup and tests on `main`/);
  expect(body).toMatch(/✅ `npm ci`/);
  expect(body).toMatch(/\*\*Tests:\*\* `npm test`\n- exit 1, passed 0, failed 1, skipped 0 .*failing already: `adds`/);
  expect(model.requests).toHaveLength(0);
  expect(github.pulls).toHaveLength(0);
});
