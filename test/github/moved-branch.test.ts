import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.ts';
import { startAppWithWorker } from '../support/app-with-worker.ts';
import { BOT_LOGIN, deliver, tempDir } from '../support/app-harness.ts';
import { nodeBuggy, nodeFix } from '../support/fixture-repo.ts';
import { startGithubFake, type FakeGithub } from '../support/github-fake.ts';
import { gitEnv, makeRemoteRepo, startGitServer, type GitServer } from '../support/git-http-server.ts';
import { payload } from '../support/payloads.ts';
import { startScriptedModel, type ScriptedModel } from '../support/scripted-model.ts';

// A human pushes to the PR branch while a follow-up run works: their commit is kept, and ours
// goes on top of it after the tests pass again; on a conflict nothing is pushed.
const TOKEN = `ghs_${crypto.randomBytes(16).toString('hex')}`;
let git: GitServer;
let github: FakeGithub;
let model: ScriptedModel;
let server: RunningServer;
let remote: string;
const BRANCH = 'agent/7-fix-add';

/** A colleague's commit on the PR branch, pushed straight into the bare repository. */
function humanPush(file: string, text: string, subject: string) {
  const dir = tempDir('pw-colleague-');
  execFileSync('git', ['clone', '-q', '--branch', BRANCH, remote, dir]);
  fs.writeFileSync(path.join(dir, file), text);
  execFileSync('git', ['add', '-A'], { cwd: dir });
  execFileSync('git', ['commit', '-qm', subject], { cwd: dir, env: gitEnv() });
  execFileSync('git', ['push', '-q', 'origin', BRANCH], { cwd: dir });
}

const patch = (from: string, to: string) =>
  `*** Begin Patch\n*** Update File: math.js\n-${from}\n+${to}\n*** End Patch`;

beforeAll(async () => {
  const root = tempDir('pw-moved-');
  remote = makeRemoteRepo(root, 'widgets', nodeBuggy);
  git = await startGitServer(root, TOKEN);
  github = await startGithubFake({ token: TOKEN });
  model = await startScriptedModel(
    [
      { calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] },
      { text: 'Fixed add.' },
      // Follow-up 1: while the model works, a colleague adds a file on the branch.
      () => (
        humanPush('NOTES.md', 'notes\n', 'Add notes'),
        {
          calls: [
            {
              name: 'apply_patch',
              arguments: { input: patch('exports.add = (a, b) => a + b;', 'exports.add = (a, b) => a + b; // sum') },
            },
          ],
        }
      ),
      { text: 'Commented add.' },
      // Follow-up 2: the colleague edits the very line the model edits.
      () => (
        humanPush('math.js', 'exports.add = (a, b) => b + a; // theirs\n', 'Swap operands'),
        {
          calls: [
            {
              name: 'apply_patch',
              arguments: {
                input: patch('exports.add = (a, b) => a + b; // sum', 'exports.add = (a, b) => a + b; // ours'),
              },
            },
          ],
        }
      ),
      { text: 'Changed the comment.' },
      // Follow-up 3: the colleague's commit breaks a test the change does not touch.
      () => (
        humanPush(
          'test/math.test.js',
          "const test = require('node:test');\nconst assert = require('node:assert');\nconst { add } = require('../math.js');\n\ntest('adds', () => {\n  assert.strictEqual(add(2, 3), 6);\n});\n",
          'Tighten the test',
        ),
        {
          calls: [
            {
              name: 'apply_patch',
              arguments: {
                input: patch('exports.add = (a, b) => b + a; // theirs', 'exports.add = (a, b) => b + a; // both'),
              },
            },
          ],
        }
      ),
      { text: 'Merged the comments.' },
      // Follow-up 4: someone deletes the PR branch while the model works.
      () => (
        execFileSync('git', ['update-ref', '-d', `refs/heads/${BRANCH}`], { cwd: remote }),
        {
          calls: [
            {
              name: 'apply_patch',
              arguments: {
                input: patch('exports.add = (a, b) => b + a; // theirs', 'exports.add = (a, b) => b + a; // gone'),
              },
            },
          ],
        }
      ),
      { text: 'Changed it again.' },
      // The colleague's tightened test fails on the base branch and on the pull request alike: nothing shows a fix, so the
      // harness sends the model back (these answers) and the run ends tests_failing, published as a draft, still on the deleted branch.
      ...Array.from({ length: 4 }, () => ({ text: 'Changed it again.' })),
    ],
    { titles: (last) => (/commit subject/.test(last) ? 'Comment add' : 'Make add return the sum') },
  );
  server = await startAppWithWorker(github.url, model.baseURL);
  const labelled = payload('issues', 'labeled', {
    label: { name: 'agent' },
    issue: { number: 7, title: 'Fix add', body: 'add(2, 3) returns -1', pull_request: undefined },
    repository: { clone_url: `${git.url}/widgets.git` },
  });
  await deliver(server.url, 'issues', labelled);
  await server.pool.idle();
});

afterAll(async () => {
  await server?.close();
  await Promise.all([git?.close(), github?.close(), model?.close()]);
});

async function followUp(commentId: number, text: string) {
  const pr = github.pulls[0]!;
  const event = payload('issue_comment', 'created', {
    comment: { id: commentId, body: `/agent ${text}`, user: { login: 'maintainer', type: 'User' } },
    issue: {
      number: pr.number,
      title: pr.title,
      body: pr.body,
      pull_request: { url: `https://api.github.test/pulls/${pr.number}` },
      user: { login: BOT_LOGIN, type: 'Bot' },
    },
    repository: { clone_url: `${git.url}/widgets.git` },
  });
  expect((await deliver(server.url, 'issue_comment', event)).status).toBe(200);
  await server.pool.idle();
  const tracking = [...github.comments.values()].filter(
    (c) => c.issue === pr.number && c.body.includes('patchwright:tracking'),
  );
  return { job: server.jobs.list().at(-1)!, tracking: tracking.at(-1)!.body };
}

const log = () =>
  execFileSync('git', ['log', '--format=%s', BRANCH], { cwd: remote, encoding: 'utf8' }).trim().split('\n');

it('replays the change on a colleague’s newer commit, runs the tests again, and pushes on top', async () => {
  expect(github.pulls).toHaveLength(1);
  const { job, tracking } = await followUp(7001, 'add a comment to add');
  expect([job.state, job.outcome]).toEqual(['done', 'succeeded']);
  expect(log().slice(0, 3)).toEqual(['Comment add', 'Add notes', 'Make add return the sum']);
  expect(execFileSync('git', ['show', `${BRANCH}:math.js`], { cwd: remote, encoding: 'utf8' })).toContain('// sum');
  expect(tracking).toMatch(
    /Someone pushed 1 commit\(s\) to the branch while this run worked \("Add notes"\); this change was replayed on top of them and the tests were run again: `npm test` passed 1, failed 0/,
  );
  expect(github.pulls).toHaveLength(1);
});

it('on a conflict with the colleague’s commit: nothing pushed, their commit untouched, the comment says why', async () => {
  const { job, tracking } = await followUp(7002, 'change the comment');
  expect(job.state).toBe('failed');
  expect(log()[0]).toBe('Swap operands');
  expect(tracking).toMatch(
    /Not pushed: someone pushed to agent\/7-fix-add while this run worked, and this run's change conflicts with theirs in math\.js/,
  );
});

it('when the tests fail on top of the colleague’s commits, nothing is pushed and the comment says so', async () => {
  const { job, tracking } = await followUp(7003, 'merge the comments');
  expect(job.state).toBe('failed');
  expect(log()[0]).toBe('Tighten the test');
  expect(tracking).toMatch(
    /Not pushed: someone pushed 1 commit\(s\) to agent\/7-fix-add while this run worked \("Tighten the test"\); on top of them the tests fail \(`npm test` passed 0, failed 1/,
  );
});

it('the branch deleted while a follow-up works: nothing is pushed (no branch brought back), and the comment says so', async () => {
  const { job, tracking } = await followUp(7004, 'change it again');
  expect(job.state).toBe('failed');
  expect(execFileSync('git', ['branch', '--list', BRANCH], { cwd: remote, encoding: 'utf8' }).trim()).toBe('');
  expect(tracking).toMatch(/Not pushed: the branch agent\/7-fix-add was deleted while this run worked/);
});
