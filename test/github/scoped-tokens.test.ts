import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.ts';
import type { Task } from '../../src/protocol/task.ts';
import { deliver, tempDir } from '../support/app-harness.ts';
import { startAppWithWorker } from '../support/app-with-worker.ts';
import { nodeBuggy, nodeFix } from '../support/fixture-repo.ts';
import { knownRepositories, startGithubFake, type FakeGithub } from '../support/github-fake.ts';
import { makeRemoteRepo, startGitServer, type GitServer } from '../support/git-http-server.ts';
import { INSTALLATION_ID, payload } from '../support/payloads.ts';
import { startScriptedModel, type ScriptedModel } from '../support/scripted-model.ts';

/**
 * Installation tokens through the whole app, with a fake GitHub that mints a token of its own
 * for each request to POST /app/installations/{id}/access_tokens and honours what it was minted
 * for (a repository it was not minted for: 404; a write it has no permission for: 403), and a git
 * server that takes only a token minted for that repository with contents write. A job's API
 * calls and its git all use such tokens; a job in the store that names another clone URL, or a
 * repository its installation does not own, gets no token sent anywhere.
 */
const BASE = `ghs_${crypto.randomBytes(12).toString('hex')}`;
let git: GitServer;
let canary: GitServer;
let github: FakeGithub;
let model: ScriptedModel;
let server: RunningServer;

beforeAll(async () => {
  const root = tempDir('pw-scoped-');
  makeRemoteRepo(root, 'widgets', nodeBuggy);
  const evilRoot = tempDir('pw-scoped-evil-');
  makeRemoteRepo(evilRoot, 'widgets', nodeBuggy);
  github = await startGithubFake({ token: BASE, scopedTokens: true });
  git = await startGitServer(root, (presented) =>
    github.tokens.some(
      (t) => t.token === presented && t.repositories?.join() === 'widgets' && t.permissions?.contents === 'write',
    ),
  );
  canary = await startGitServer(evilRoot, () => true);
  model = await startScriptedModel(
    [{ calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] }, { text: 'Fixed add.' }],
    { titles: () => 'Make add return the sum' },
  );
  server = await startAppWithWorker(github.url, model.baseURL);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await Promise.all([git?.close(), canary?.close(), github?.close(), model?.close()]);
});

const task = (over: Partial<Task['repo']>, installationId = INSTALLATION_ID): Task => ({
  action: 'start',
  repo: { owner: 'octo-org', name: 'widgets', cloneUrl: `${git.url}/widgets.git`, defaultBranch: 'main', ...over },
  installationId,
  number: 90,
  isPullRequest: false,
  title: 'Forged',
  body: '',
  instructions: '',
  requester: 'maintainer',
  trigger: { kind: 'label', label: 'agent' },
});

describe('the fake mints as GitHub does (the request body as @octokit/openapi describes it)', () => {
  const mint = (body: object, installation = INSTALLATION_ID) =>
    fetch(`${github.url}/app/installations/${installation}/access_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  it('refuses an unknown field, permission or level, and a repository the installation does not have', async () => {
    knownRepositories.set('octo-org/widgets', {
      id: 5,
      owner: 'octo-org',
      name: 'widgets',
      cloneUrl: 'x',
      defaultBranch: 'main',
      installationId: INSTALLATION_ID,
    });
    expect((await mint({ repositories: ['widgets'], permissions: { contents: 'write' } })).status).toBe(201);
    expect((await mint({ repository_ids: [5] })).status).toBe(201);
    expect((await mint({ repository: 'widgets' })).status).toBe(422);
    expect((await mint({ permissions: { contents: 'admin' } })).status).toBe(422);
    expect((await mint({ permissions: { everything: 'write' } })).status).toBe(422);
    expect((await mint({ repositories: ['secrets'] })).status).toBe(422);
    expect((await mint({ repositories: ['widgets'] }, 999)).status).toBe(422);
    knownRepositories.delete('octo-org/widgets');
  });
});

describe('a job’s tokens reach one repository, with what the job needs', () => {
  it('a labelled issue: the PR is opened with tokens minted for widgets alone; git got a contents-only token', async () => {
    const labelled = payload('issues', 'labeled', {
      label: { name: 'agent' },
      issue: { number: 80, title: 'Fix add', body: 'add is wrong', pull_request: undefined },
      repository: { clone_url: `${git.url}/widgets.git` },
    });
    expect((await deliver(server.url, 'issues', labelled)).status).toBe(200);
    await server.pool.idle();
    expect(server.jobs.list().map((j) => j.outcome)).toEqual(['succeeded']);
    expect(github.pulls).toHaveLength(1);
    const worker = github.tokens.filter((t) => t.repositories !== null || t.permissions !== null);
    expect(worker.map((t) => [t.repositories, t.permissions])).toEqual(
      expect.arrayContaining([
        [
          ['widgets'],
          {
            contents: 'read',
            issues: 'write',
            pull_requests: 'write',
            checks: 'write',
            actions: 'read',
            metadata: 'read',
          },
        ],
        [['widgets'], { contents: 'write', metadata: 'read' }],
        [null, { contents: 'read', metadata: 'read' }],
      ]),
    );
    // Every write of the job went out with its repository's API token, none with the installation's own.
    const api = worker.find((t) => t.permissions?.checks === 'write')!;
    const writes = github.requests.filter(
      (r) => r.method !== 'GET' && /^\/repos\//.test(r.path) && !/reactions$/.test(r.path),
    );
    const jobWrites = writes.filter((r) => r.token === api.token);
    expect(jobWrites.map((r) => `${r.method} ${r.path.replace(/\d+/g, 'N')}`)).toEqual(
      expect.arrayContaining(['POST /repos/octo-org/widgets/pulls', 'POST /repos/octo-org/widgets/check-runs']),
    );
    for (const r of github.requests.filter((x) => x.token === api.token))
      expect(r.path).toMatch(/^\/repos\/octo-org\/widgets(\/|$)|^\/users\//);
  });

  it('a job whose clone URL is not GitHub’s for its repository gets no token sent, and posts nothing', async () => {
    const before = { canary: canary.authHeaders.length, comments: github.comments.size };
    const { job } = server.jobs.enqueue('forged-url', task({ cloneUrl: `${canary.url}/widgets.git` }));
    server.pool.notify();
    await server.pool.idle();
    expect(server.jobs.get(job.id)).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(
        /the job's clone URL is not GitHub's URL for octo-org\/widgets .*no token was sent anywhere/,
      ),
    });
    expect(canary.authHeaders.length).toBe(before.canary);
    expect(github.comments.size).toBe(before.comments);
  });

  it('a job for a repository its installation does not own: GitHub mints nothing, nothing is done', async () => {
    knownRepositories.set('victim-org/secrets', {
      id: 77,
      owner: 'victim-org',
      name: 'secrets',
      cloneUrl: `${canary.url}/widgets.git`,
      defaultBranch: 'main',
      installationId: 999,
    });
    const before = canary.authHeaders.length;
    const { job } = server.jobs.enqueue(
      'forged-repo',
      task({ owner: 'victim-org', name: 'secrets', cloneUrl: `${canary.url}/widgets.git` }),
    );
    server.pool.notify();
    await server.pool.idle();
    expect(server.jobs.get(job.id)).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/installation 4242 has no access to victim-org\/secrets \(GitHub answered 422/),
    });
    expect(canary.authHeaders.length).toBe(before);
  });
});
