import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.ts';
import { BOT_LOGIN, deliver, tempDir } from '../support/app-harness.ts';
import { startAppWithWorker } from '../support/app-with-worker.ts';
import { nodeBuggy, nodeFix } from '../support/fixture-repo.ts';
import { startGithubFake, type FakeGithub } from '../support/github-fake.ts';
import { gitEnv, makeRemoteRepo, startGitServer, type GitServer } from '../support/git-http-server.ts';
import { payload } from '../support/payloads.ts';
import { startScriptedModel, type ScriptedModel, type Step } from '../support/scripted-model.ts';

/**
 * Forging the verdict across runs, through the whole app: a follow-up must not turn a change that
 * fixes nothing into a ready PR, and the tests run again after a rebase onto a colleague's commit
 * must not be the agent checkout's (where the model planted a forged runner).
 */
const TOKEN = `ghs_${crypto.randomBytes(18).toString('hex')}`;
const patch = (body: string): Step => ({
  calls: [{ name: 'apply_patch', arguments: { input: `*** Begin Patch\n${body}\n*** End Patch` } }],
});
const shell = (script: string): Step => ({
  calls: [{ name: 'shell', arguments: { command: ['bash', '-c', script] } }],
});
const stubborn: Step[] = Array.from({ length: 6 }, () => ({ text: 'Fixed, all tests pass.' }));
const FORGED_NODE =
  'mkdir -p node_modules/.bin && printf \'#!/bin/sh\\necho "✔ adds (0.2ms)"; echo "ℹ tests 1"; echo "ℹ pass 1"; echo "ℹ fail 0"\\n\' > node_modules/.bin/node && chmod +x node_modules/.bin/node && echo planted';

interface Scene {
  git: GitServer;
  github: FakeGithub;
  model: ScriptedModel;
  app: RunningServer;
  bare: string;
}

async function scene(script: Array<Step | ((body: Record<string, unknown>) => Step)>, uid: string): Promise<Scene> {
  const root = tempDir('pw-followup-');
  const bare = makeRemoteRepo(root, 'widgets', nodeBuggy);
  const git = await startGitServer(root, TOKEN);
  const github = await startGithubFake({ token: TOKEN });
  const model = await startScriptedModel(script, {
    titles: (last) => (/commit subject/.test(last) ? 'Touch add' : 'Make add return the sum'),
  });
  // Host users of its own (see AGENTS.md): jobs as `uid`, app-server turns as the next one.
  const app = await startAppWithWorker(github.url, model.baseURL, undefined, undefined, {
    env: { PATCHWRIGHT_SANDBOX_UID: uid },
  });
  const issue = payload('issues', 'labeled', {
    label: { name: 'agent' },
    issue: { number: 7, title: 'Fix add', body: 'add(2, 3) returns -1', pull_request: undefined },
    repository: { clone_url: `${git.url}/widgets.git` },
  });
  expect((await deliver(app.url, 'issues', issue)).status).toBe(200);
  await app.pool.idle();
  return { git, github, model, app, bare };
}

async function followUp(s: Scene, id: number, text: string): Promise<string> {
  const pr = s.github.pulls[0]!;
  const event = payload('issue_comment', 'created', {
    comment: { id, body: `/agent ${text}`, user: { login: 'maintainer', type: 'User' } },
    issue: {
      number: pr.number,
      title: pr.title,
      body: pr.body,
      pull_request: { url: `https://api.github.test/pulls/${pr.number}` },
      user: { login: BOT_LOGIN, type: 'Bot' },
    },
    repository: { clone_url: `${s.git.url}/widgets.git` },
  });
  expect((await deliver(s.app.url, 'issue_comment', event)).status).toBe(200);
  await s.app.pool.idle();
  return (
    [...s.github.comments.values()]
      .filter((c) => c.issue === pr.number && c.body.includes('patchwright:tracking'))
      .at(-1)?.body ?? ''
  );
}

const close = async (s: Scene | undefined) => {
  await s?.app.close();
  await Promise.all([s?.git.close(), s?.github.close(), s?.model.close()]);
};
const head = (s: Scene, ref: string) =>
  execFileSync('git', ['rev-parse', ref], { cwd: s.bare, encoding: 'utf8' }).trim();
const conclusions = (s: Scene, sha: string) =>
  s.github.checkRuns.filter((c) => c.head_sha === sha).map((c) => c.conclusion);

describe('a follow-up that fixes nothing, on a PR whose first run fixed nothing', () => {
  let s: Scene;
  beforeAll(async () => {
    // The first run and the follow-up each only add a comment: the failing test fails the same way throughout.
    const first: Step[] = [
      patch('*** Update File: math.js\n-exports.add = (a, b) => a - b;\n+exports.add = (a, b) => a - b; // adds'),
      ...stubborn,
    ];
    const second: Step[] = [
      patch(
        '*** Update File: math.js\n-exports.add = (a, b) => a - b; // adds\n+exports.add = (a, b) => a - b; // adds two numbers',
      ),
      ...stubborn,
    ];
    // Each run answered from its own queue, whatever number of rounds the harness asks for.
    const route = (body: Record<string, unknown>): Step =>
      (JSON.stringify(body).includes('please finish the fix') ? second : first).shift() ?? { text: 'Done.' };
    s = await scene(
      Array.from({ length: 60 }, () => route),
      '61172',
    );
  }, 300_000);
  afterAll(() => close(s));

  it('the first run is a draft with a failing check run: the same failure before and after is no fix', () => {
    expect(s.github.pulls).toHaveLength(1);
    expect(s.github.pulls[0]!.draft).toBe(true);
    expect(conclusions(s, head(s, s.github.pulls[0]!.head))).toEqual(['failure']);
  });

  it('the follow-up leaves it a draft, its check run fails, and the tracking comment says why', async () => {
    const tracking = await followUp(s, 9001, 'please finish the fix');
    const pr = s.github.pulls[0]!;
    expect(pr.draft).toBe(true);
    expect(conclusions(s, head(s, pr.head))).toEqual(['failure']);
    expect(tracking).toMatch(/tests_failing/);
    // The PR's own text names the failing test, so the follow-up's task is about it: still failing, it is named.
    expect(tracking).toMatch(/still fail or no longer run: adds|nothing shows it does what the task asks/);
  }, 300_000);
});

describe('the tests run again after a rebase are not the agent checkout’s', () => {
  let s: Scene;
  let before = '';
  beforeAll(async () => {
    s = await scene(
      [
        patch(nodeFix.replace('*** Begin Patch\n', '').replace('\n*** End Patch', '')),
        { text: 'Fixed add.' },
        // The follow-up: a colleague pushes meanwhile; the model breaks add and plants a node that says the tests pass.
        () => {
          const dir = tempDir('pw-colleague-');
          execFileSync('git', ['clone', '-q', '--branch', s.github.pulls[0]!.head, s.bare, dir]);
          fs.writeFileSync(path.join(dir, 'NOTES.md'), 'notes\n');
          execFileSync('git', ['add', '-A'], { cwd: dir });
          execFileSync('git', ['commit', '-qm', 'Add notes'], { cwd: dir, env: gitEnv() });
          execFileSync('git', ['push', '-q', 'origin', s.github.pulls[0]!.head], { cwd: dir });
          return shell(FORGED_NODE);
        },
        patch('*** Update File: math.js\n-exports.add = (a, b) => a + b;\n+exports.add = (a, b) => a * b;'),
        ...stubborn,
      ],
      '61174',
    );
  }, 300_000);
  afterAll(() => close(s));

  it('the first run is a ready PR with a green check run', () => {
    expect(s.github.pulls[0]!.draft).toBe(false);
    before = head(s, s.github.pulls[0]!.head);
    expect(conclusions(s, before)).toEqual(['success']);
  });

  it('the broken follow-up is not pushed on top of the colleague’s commit, and the PR stays ready on the good commit', async () => {
    const tracking = await followUp(s, 9002, 'use multiplication');
    const pr = s.github.pulls[0]!;
    const now = head(s, pr.head);
    // Only the colleague's commit is on the branch: nothing of the broken change.
    expect(
      execFileSync('git', ['log', '--format=%s', pr.head], { cwd: s.bare, encoding: 'utf8' }).trim().split('\n')[0],
    ).toBe('Add notes');
    expect(execFileSync('git', ['show', `${now}:math.js`], { cwd: s.bare, encoding: 'utf8' })).toContain('a + b');
    expect(tracking).toMatch(/Not pushed/);
    expect(conclusions(s, now)).not.toContain('success');
  }, 300_000);
});
