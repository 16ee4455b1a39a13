import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.ts';
import { BOT_LOGIN, deliver, tempDir } from '../support/app-harness.ts';
import { startAppWithWorker } from '../support/app-with-worker.ts';
import { nodeBuggy, nodeFix } from '../support/fixture-repo.ts';
import { startGithubFake, type FakeGithub } from '../support/github-fake.ts';
import { makeRemoteRepo, startGitServer, type GitServer } from '../support/git-http-server.ts';
import { markdownProblems, plainProblems } from '../support/markdown-check.ts';
import { payload } from '../support/payloads.ts';
import { startScriptedModel, type ScriptedModel } from '../support/scripted-model.ts';

/**
 * "Nothing is ever pushed to a branch the app did not create for the job", and "the issue a PR
 * closes is state set when the job was made", through the real app (server, worker, bwrap, git
 * over HTTP, the fake GitHub). Every way a job can push is driven here: a label, a rerun, a
 * review, a command, a retry, a human's PR, and fork PRs whose head is `main`, `develop` and
 * the default branch's name. After each, the repository's refs are compared: only branches the
 * thread store says are the app's may have moved.
 */
const TOKEN = `ghs_${crypto.randomBytes(16).toString('hex')}`;
let git: GitServer;
let github: FakeGithub;
let model: ScriptedModel;
let server: RunningServer;
let bare: string;

const REPO = { clone_url: '', default_branch: 'trunk' };
const refs = () =>
  Object.fromEntries(
    execFileSync('git', ['for-each-ref', '--format=%(refname) %(objectname)'], { cwd: bare, encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => l.split(' ') as [string, string]),
  );
const gitOut = (...args: string[]) => execFileSync('git', args, { cwd: bare, encoding: 'utf8' }).trim();
/** Refs that are new or moved since `before`. */
const changed = (before: Record<string, string>) =>
  Object.entries(refs())
    .filter(([ref, sha]) => before[ref] !== sha)
    .map(([ref]) => ref);
const text = (body: Record<string, unknown>) => JSON.stringify(body.input ?? body.messages);
const patch = (file: string, line: string) => ({
  calls: [
    { name: 'apply_patch', arguments: { input: `*** Begin Patch\n*** Add File: ${file}\n+${line}\n*** End Patch` } },
  ],
});

beforeAll(async () => {
  const root = tempDir('pw-push-targets-');
  bare = makeRemoteRepo(root, 'widgets', nodeBuggy);
  // The default branch is `trunk`; `main` and `develop` are other people's long-lived branches.
  execFileSync('git', ['branch', '-m', 'main', 'trunk'], { cwd: bare });
  execFileSync('git', ['symbolic-ref', 'HEAD', 'refs/heads/trunk'], { cwd: bare });
  execFileSync('git', ['branch', 'main', 'trunk'], { cwd: bare });
  execFileSync('git', ['branch', 'develop', 'trunk'], { cwd: bare });
  // Someone's own branch that happens to have the name the app would pick for issue 41.
  execFileSync('git', ['branch', 'agent/41-tidy-up', 'trunk'], { cwd: bare });
  git = await startGitServer(root, TOKEN);
  REPO.clone_url = `${git.url}/widgets.git`;
  github = await startGithubFake({
    token: TOKEN,
    files: { '.github/agent.yml': 'followUp:\n  humanPullRequests: true\n  batchSeconds: 0\n' },
  });
  model = await startScriptedModel(
    [
      // Issue 40, labelled: the fix.
      { calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] },
      { text: 'Fixed add.' },
      // A review on its PR: the model claims another issue everywhere it can.
      patch('review.txt', 'done'),
      { text: 'Addressed the review. Fixes #12, closes octo-org/widgets#12.' },
      // `/agent` on its PR: the task still carries issue #40, whatever the model wrote.
      (body) =>
        /The original issue #40[\s\S]*The original report for #40/.test(text(body)) &&
        !/original issue #12/.test(text(body))
          ? patch('again.txt', 'again')
          : { text: 'the task lost issue 40' },
      { text: 'Tidied, as asked. Resolves #12.' },
      // Issue 41, whose first branch name someone already has (the base's test fails: a real fix, or the verdict refuses it).
      { calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] },
      { text: 'Tidied up.' },
      // A human's PR from `develop` in the repository itself: a branch of the app's own.
      { calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] },
      { text: 'Fixed the lint.' },
    ],
    { titles: (last) => (/commit subject/.test(last) ? 'Fixes #12: address the review' : 'Fix add, fixes #12') },
  );
  server = await startAppWithWorker(github.url, model.baseURL, undefined, undefined, {
    env: { PATCHWRIGHT_SANDBOX_UID: '61180' },
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await Promise.all([git?.close(), github?.close(), model?.close()]);
});

const comment = (number: number, body: string, id: number, isPr = true, user = 'outsider') =>
  payload('issue_comment', 'created', {
    comment: { id, body, user: { login: 'maintainer', type: 'User' } },
    issue: {
      number,
      title: 'Tidy the lint',
      body: 'please',
      ...(isPr ? { pull_request: { url: `https://api.github.test/pulls/${number}` } } : { pull_request: undefined }),
      user: { login: user, type: 'User' },
    },
    repository: REPO,
  });
const threadText = (number: number) =>
  [...github.comments.values()]
    .filter((c) => c.issue === number)
    .map((c) => c.body)
    .join('\n');
/** What the app owns, by its own records: the branches of issues and of the PRs it opened. */
const ownBranches = () =>
  new Set(
    server.db
      .prepare('SELECT branch, pr_branch FROM threads')
      .all()
      .flatMap((r) => [r.branch, r.pr_branch])
      .filter(Boolean)
      .map((b) => `refs/heads/${String(b)}`),
  );

describe('fork pull requests: a plain answer, and no ref anywhere moves', () => {
  const forks = [
    { number: 300, head: 'main' },
    { number: 301, head: 'develop' },
    { number: 302, head: 'trunk' },
  ];
  beforeAll(() => {
    for (const f of forks)
      github.pulls.push({
        number: f.number,
        head: f.head,
        headRepo: 'evil-fork/widgets',
        author: 'outsider',
        base: 'trunk',
        title: 'Tidy',
        body: 'Fixes #1',
        draft: false,
        state: 'open',
      });
  });

  it.each(forks)(
    '/agent, /agent retry and a review asking for it on a fork PR whose head is $head',
    async ({ number, head }) => {
      const before = refs();
      const jobsBefore = server.jobs.list().length;
      const requestsBefore = model.requests.length;
      expect(
        (await deliver(server.url, 'issue_comment', comment(number, '/agent fix the lint', number * 10))).status,
      ).toBe(200);
      expect(
        (await deliver(server.url, 'issue_comment', comment(number, '/agent retry', number * 10 + 1))).status,
      ).toBe(200);
      const review = payload('pull_request_review', 'submitted', {
        review: {
          id: number * 10 + 2,
          state: 'commented',
          body: '/agent please fix',
          user: { login: 'maintainer', type: 'User' },
        },
        pull_request: {
          number,
          title: 'Tidy',
          body: 'x',
          user: { login: 'outsider', type: 'User' },
          head: { ref: head, repo: { full_name: 'evil-fork/widgets' } },
        },
        repository: REPO,
      });
      expect((await deliver(server.url, 'pull_request_review', review)).status).toBe(200);
      await server.settled();
      await server.pool.idle();
      expect(server.jobs.list().length).toBe(jobsBefore);
      expect(model.requests.length).toBe(requestsBefore);
      expect(changed(before)).toEqual([]);
      expect(threadText(number)).toMatch(
        /this pull request comes from a fork \(its branch is in `evil-fork\/widgets`\)\. Patchwright pushes only to branches it made in this repository/,
      );
    },
  );

  it('a follow-up job for a fork PR that reaches the worker anyway (not through a webhook) is refused there', async () => {
    const before = refs();
    const task = {
      action: 'follow_up' as const,
      repo: { owner: 'octo-org', name: 'widgets', cloneUrl: REPO.clone_url, defaultBranch: 'trunk' },
      installationId: 4242,
      number: 300,
      isPullRequest: true,
      title: 'Tidy',
      body: '',
      instructions: 'push to main',
      requester: 'maintainer',
      trigger: { kind: 'command' as const, commentId: 1, command: 'instructions' },
    };
    const { job } = server.jobs.enqueue('forged-fork-1', task);
    server.pool.notify();
    await server.pool.idle();
    expect(server.jobs.get(job.id)).toMatchObject({ state: 'failed', reason: 'pull request comes from a fork' });
    expect(changed(before)).toEqual([]);
  });
});

describe('the issue a PR closes is the one the job was made for', () => {
  let pr = 0;
  it('a labelled issue opens a PR that closes it; the model’s other numbers are neutralised in the title, commit and body', async () => {
    const before = refs();
    const labelled = payload('issues', 'labeled', {
      label: { name: 'agent' },
      issue: { number: 40, title: 'Fix add', body: 'add is wrong', pull_request: undefined },
      repository: REPO,
    });
    expect((await deliver(server.url, 'issues', labelled)).status).toBe(200);
    await server.pool.idle();
    const opened = github.pulls.find((p) => p.head.startsWith('agent/40'))!;
    pr = opened.number;
    expect(opened.base).toBe('trunk');
    expect(changed(before)).toEqual([`refs/heads/${opened.head}`]);
    expect(opened.body).toMatch(/^Closes #40$/m);
    expect(markdownProblems(opened.body, { ownIssue: 40 })).toEqual([]);
    expect(opened.title).toBe('Fix add, fixes issue 12');
    expect(plainProblems(gitOut('log', '-1', '--format=%B', opened.head), 40)).toEqual([]);
  });

  it('after a review whose answer says "Fixes #12", a command still feeds #40’s text and the body still closes #40 only', async () => {
    const opened = github.pulls.find((p) => p.number === pr)!;
    github.reviewComments.set(4001, [{ id: 40011, path: 'math.js', line: 1, diff_hunk: '@@', body: 'Tidy this.' }]);
    const review = payload('pull_request_review', 'submitted', {
      review: { id: 4001, state: 'changes_requested', body: 'One thing.', user: { login: 'maintainer', type: 'User' } },
      // A payload's head.ref means nothing: the branch is the thread store's.
      pull_request: {
        number: pr,
        title: opened.title,
        body: opened.body,
        user: { login: BOT_LOGIN, type: 'Bot' },
        head: { ref: 'main', repo: { full_name: 'octo-org/widgets' } },
      },
      repository: REPO,
    });
    let before = refs();
    expect((await deliver(server.url, 'pull_request_review', review)).status).toBe(200);
    await server.pool.idle();
    expect(changed(before)).toEqual([`refs/heads/${opened.head}`]);
    expect(server.jobs.list().at(-1)!.outcome).toBe('succeeded');
    before = refs();
    expect(
      (
        await deliver(server.url, 'issue_comment', {
          ...comment(pr, '/agent tidy it further', 40020),
          issue: {
            number: pr,
            title: opened.title,
            body: github.pulls.find((p) => p.number === pr)!.body,
            pull_request: { url: 'x' },
            user: { login: BOT_LOGIN, type: 'Bot' },
          },
        })
      ).status,
    ).toBe(200);
    await server.pool.idle();
    expect(server.jobs.list().at(-1)!.outcome).toBe('succeeded');
    expect(changed(before)).toEqual([`refs/heads/${opened.head}`]);
    const body = github.pulls.find((p) => p.number === pr)!.body;
    expect(body).toMatch(/^Closes #40$/m);
    expect(body).toContain('Tidied, as asked.');
    expect(markdownProblems(body, { ownIssue: 40 })).toEqual([]);
    for (const message of gitOut('log', '--format=%B%x00', `trunk..${opened.head}`)
      .split('\0')
      .filter((m) => m.trim()))
      expect(plainProblems(message, 40)).toEqual([]);
    for (const run of github.checkRuns)
      expect(markdownProblems(String((run.output as { summary: string }).summary), { ownIssue: 40 })).toEqual([]);
    for (const reply of github.replies) expect(markdownProblems(reply.body)).toEqual([]);
  });
});

describe('branches the app did not make', () => {
  it('an issue whose branch name someone already has gets the next name; theirs is untouched', async () => {
    const before = refs();
    const labelled = payload('issues', 'labeled', {
      label: { name: 'agent' },
      issue: { number: 41, title: 'Tidy up', body: 'tidy', pull_request: undefined },
      repository: REPO,
    });
    expect((await deliver(server.url, 'issues', labelled)).status).toBe(200);
    await server.pool.idle();
    expect(changed(before)).toEqual(['refs/heads/agent/41-tidy-up-2']);
    expect(github.pulls.find((p) => p.head === 'agent/41-tidy-up-2')?.body).toMatch(/^Closes #41$/m);
  });

  it('a human’s PR from develop (humanPullRequests): the work goes on a new branch of the app’s, proposed into develop', async () => {
    github.pulls.push({
      number: 303,
      head: 'develop',
      author: 'colleague',
      base: 'trunk',
      title: 'Refactor the lint',
      body: 'wip',
      draft: false,
      state: 'open',
    });
    const before = refs();
    expect(
      (await deliver(server.url, 'issue_comment', comment(303, '/agent fix the lint', 30300, true, 'colleague')))
        .status,
    ).toBe(200);
    await server.pool.idle();
    const moved = changed(before);
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatch(/^refs\/heads\/agent\/303-/);
    const proposal = github.pulls.find((p) => `refs/heads/${p.head}` === moved[0])!;
    expect(proposal).toMatchObject({ base: 'develop' });
    expect(proposal.body).toMatch(/Changes for #303, on top of its branch\./);
    expect(proposal.body).not.toMatch(/^(Closes|Fixes|Resolves) #/m);
  });

  it('every ref that ever moved in this file is one the app recorded as its own; main, develop and trunk never moved', () => {
    const start = gitOut('rev-parse', 'develop');
    expect(gitOut('rev-parse', 'main')).toBe(start);
    expect(gitOut('rev-parse', 'trunk')).toBe(start);
    expect(gitOut('rev-parse', 'agent/41-tidy-up')).toBe(start);
    const own = ownBranches();
    const moved = Object.keys(refs()).filter(
      (r) => !['refs/heads/main', 'refs/heads/develop', 'refs/heads/trunk', 'refs/heads/agent/41-tidy-up'].includes(r),
    );
    expect(moved.length).toBeGreaterThanOrEqual(3);
    for (const ref of moved) expect(own.has(ref), ref).toBe(true);
  });
});
