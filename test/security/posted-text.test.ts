import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { RunningServer } from '../../src/server/start-server.ts';
import { BOT_LOGIN, deliver, tempDir } from '../support/app-harness.ts';
import { startAppWithWorker } from '../support/app-with-worker.ts';
import { nodeBuggy, nodeFix } from '../support/fixture-repo.ts';
import { startGithubFake, type FakeGithub } from '../support/github-fake.ts';
import { makeRemoteRepo, startGitServer, type GitServer } from '../support/git-http-server.ts';
import { hostileSample } from '../support/hostile-text.ts';
import { markdownProblems, plainProblems } from '../support/markdown-check.ts';
import { payload } from '../support/payloads.ts';
import { startScriptedModel, type ScriptedModel, type Step } from '../support/scripted-model.ts';

/**
 * Hostile text on every surface the app posts to, through the real app (server, worker, bwrap,
 * git over HTTP, the fake GitHub, which records every request): the model's summary, title,
 * plan steps, commands, question and file names; the repository's test names, failure messages,
 * setup output and config keys; the previous PR body a retry quotes. Every text field of every
 * write the fake saw is parsed with markdown-it and its tokens walked: no live mention, closing
 * keyword, raw HTML, link off the host, link definition or hidden character anywhere. Commit
 * messages too. The strings come from the generated corpus (hostile-text.ts), not a fixed list.
 */
const TOKEN = `ghs_${crypto.randomBytes(16).toString('hex')}`;
let git: GitServer;
let github: FakeGithub;
let model: ScriptedModel;
let server: RunningServer;
let bare: string;

const oneLine = (seed: number, n: number) => hostileSample(seed, n, ' ').replace(/[\r\n\u2028\u2029]+/g, ' ');
const SUMMARY = hostileSample(11, 60);
const TITLE = oneLine(12, 3);
const STEPS = [1, 2, 3, 4, 5].map((i) => oneLine(20 + i, 2));
const COMMAND_TEXT = oneLine(31, 3).replace(/'/g, '');
const LINK_NAME = `@alice-${oneLine(32, 1)
  .replace(/[/'\0]/g, '')
  .slice(0, 60)}`;
const FILE_NAME = `notes/\`@octo-org/security-team\` Fixes #12 <details> ${oneLine(33, 1)
  .replace(/[/'\0\\]/g, '')
  .slice(0, 80)}.md`;
const TEST_NAME = oneLine(34, 2).replace(/\\/g, '');
const FAILURE = oneLine(35, 2);
const REVIEW_SUMMARY = hostileSample(36, 20);
const QUESTION = hostileSample(37, 10);
const SETUP_OUTPUT = oneLine(38, 4).replace(/'/g, '');
const BAD_KEY = oneLine(39, 1).slice(0, 80);

const testFile = [
  "const test = require('node:test');",
  "const assert = require('node:assert');",
  "const { add } = require('../math.js');",
  '',
  "test('adds', () => {",
  '  assert.strictEqual(add(2, 3), 5);',
  '});',
  '',
  `test(${JSON.stringify(TEST_NAME)}, () => {`,
  `  assert.fail(${JSON.stringify(FAILURE)});`,
  '});',
  '',
].join('\n');

beforeAll(async () => {
  const root = tempDir('pw-posted-');
  bare = makeRemoteRepo(root, 'widgets', { ...nodeBuggy, 'test/math.test.js': testFile });
  git = await startGitServer(root, TOKEN);
  github = await startGithubFake({ token: TOKEN });
  const say = (text: string) => ({ text });
  const patch = (input: string) => ({ calls: [{ name: 'apply_patch', arguments: { input } }] });
  // Each job's steps, picked by what the job is about; the step is the count of tool results so far.
  const scripts: Record<string, Step[]> = {
    // Issue 50: plan, a command that runs a while (the live comment shows it), a link the harness removes, the fix, a file with a hostile name.
    main: [
      {
        calls: [
          {
            name: 'update_plan',
            arguments: { plan: STEPS.map((step, i) => ({ step, status: i === 0 ? 'in_progress' : 'pending' })) },
          },
        ],
      },
      {
        calls: [
          {
            name: 'shell',
            arguments: { command: ['bash', '-c', `printf '%s\\n' '${COMMAND_TEXT}' >/dev/null; sleep 5`] },
          },
        ],
      },
      {
        calls: [
          { name: 'shell', arguments: { command: ['bash', '-c', `ln -s /etc/passwd '${LINK_NAME}'; echo linked`] } },
        ],
      },
      patch(nodeFix),
      patch(`*** Begin Patch\n*** Add File: ${FILE_NAME}\n+notes\n*** End Patch`),
      say(SUMMARY),
    ],
    // A review on its PR: a reply in its thread.
    review: [patch('*** Begin Patch\n*** Add File: review.txt\n+ok\n*** End Patch'), say(REVIEW_SUMMARY)],
    // `/agent retry`: the previous (hostile) body is quoted, then a fresh attempt.
    retry: [patch(nodeFix), say(hostileSample(40, 20))],
    // Issue 51: a hostile question.
    ask: [{ calls: [{ name: 'ask', arguments: { question: QUESTION } }] }],
  };
  const dispatch = (body: Record<string, unknown>): Step => {
    const input = JSON.stringify(body.input ?? body.messages);
    const job = /Address this code review/.test(input)
      ? 'review'
      : /The original issue #50/.test(input)
        ? 'retry'
        : /Ask first/.test(input)
          ? 'ask'
          : 'main';
    const done = (input.match(/function_call_output/g) ?? []).length;
    return scripts[job]![done] ?? say('Done.');
  };
  model = await startScriptedModel(
    Array.from({ length: 200 }, () => dispatch),
    { titles: () => TITLE },
  );
  server = await startAppWithWorker(github.url, model.baseURL, undefined, undefined, {
    env: { PATCHWRIGHT_SANDBOX_UID: '61182' },
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await Promise.all([git?.close(), github?.close(), model?.close()]);
});

const REPO = () => ({ clone_url: `${git.url}/widgets.git` });
const label = (number: number, title = 'Fix add') =>
  payload('issues', 'labeled', {
    label: { name: 'agent' },
    issue: { number, title, body: 'add(2, 3) returns -1', pull_request: undefined },
    repository: REPO(),
  });
const pr = () => github.pulls.find((p) => p.head.startsWith('agent/50'))!;
const onPr = (body: string, id: number) =>
  payload('issue_comment', 'created', {
    comment: { id, body, user: { login: 'maintainer', type: 'User' } },
    issue: {
      number: pr().number,
      title: pr().title,
      body: pr().body,
      pull_request: { url: 'x' },
      user: { login: BOT_LOGIN, type: 'Bot' },
    },
    repository: REPO(),
  });

/** Every text field of a request body: markdown fields, and plain ones (titles, annotation messages). */
function texts(body: Record<string, unknown>): Array<{ field: string; text: string; plain: boolean }> {
  const out: Array<{ field: string; text: string; plain: boolean }> = [];
  const walk = (v: unknown, key: string) => {
    if (typeof v === 'string') {
      if (['body', 'summary', 'text'].includes(key)) out.push({ field: key, text: v, plain: false });
      if (['title', 'message', 'raw_details'].includes(key)) out.push({ field: key, text: v, plain: true });
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, key === 'annotations' ? '' : key));
    else if (v && typeof v === 'object' && key !== 'variables') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(body, '');
  return out;
}

const allowHtml = (content: string) => content.trim() === '<!-- patchwright:tracking -->';
const allowLink = (href: string) => new URL(href).host === 'github.test';

describe('hostile text on every surface, read back with a CommonMark parser', () => {
  beforeAll(async () => {
    expect((await deliver(server.url, 'issues', label(50))).status).toBe(200);
    await server.pool.idle();
    github.reviewComments.set(5001, [{ id: 50011, path: 'math.js', line: 1, diff_hunk: '@@', body: 'Look again.' }]);
    const review = payload('pull_request_review', 'submitted', {
      review: {
        id: 5001,
        state: 'changes_requested',
        body: 'Please check.',
        user: { login: 'maintainer', type: 'User' },
      },
      pull_request: {
        number: pr().number,
        title: pr().title,
        body: pr().body,
        user: { login: BOT_LOGIN, type: 'Bot' },
        head: { ref: pr().head, repo: { full_name: 'octo-org/widgets' } },
      },
      repository: REPO(),
    });
    expect((await deliver(server.url, 'pull_request_review', review)).status).toBe(200);
    await server.pool.idle();
    expect((await deliver(server.url, 'issue_comment', onPr('/agent retry', 50020))).status).toBe(200);
    await server.pool.idle();
    expect((await deliver(server.url, 'issues', label(51, 'Ask first'))).status).toBe(200);
    await server.pool.idle();
    // The repository's own words: a setup step whose output is hostile, for `/agent doctor`.
    github.files['.github/agent.yml'] = YAML.stringify({ setup: [`printf '%s\\n' '${SETUP_OUTPUT}'; exit 3`] });
    const doctor = payload('issue_comment', 'created', {
      comment: { id: 52000, body: '/agent doctor', user: { login: 'maintainer', type: 'User' } },
      issue: {
        number: 52,
        title: 'Doctor',
        body: '',
        pull_request: undefined,
        user: { login: 'maintainer', type: 'User' },
      },
      repository: REPO(),
    });
    expect((await deliver(server.url, 'issue_comment', doctor)).status).toBe(200);
    await server.pool.idle();
    // And config keys: the problem list names them.
    github.files['.github/agent.yml'] = YAML.stringify({ [BAD_KEY]: 1, followUp: { [`${BAD_KEY} nested`]: true } });
    expect((await deliver(server.url, 'issues', label(53))).status).toBe(200);
    await server.settled();
    delete github.files['.github/agent.yml'];
  }, 300_000);

  it('the hostile text reached every surface (so the checks below are not vacuous)', () => {
    const writes = github.requests.filter((r) => r.method !== 'GET');
    const all = writes.map((r) => JSON.stringify(r.body)).join('\n');
    // The hostile test keeps failing, so later runs may end as tests_failing: they still publish (a draft).
    expect(
      server.jobs.list().map((j) => [j.number, j.action, j.outcome === 'tests_failing' ? 'succeeded' : j.outcome]),
    ).toEqual([
      [50, 'start', 'succeeded'],
      [pr().number, 'follow_up', 'succeeded'],
      [pr().number, 'retry', 'succeeded'],
      [51, 'start', 'needs_input'],
      [52, 'doctor', 'not_ready'],
    ]);
    expect(
      writes.some(
        (r) =>
          r.method === 'PATCH' &&
          /\/issues\/comments\//.test(r.path) &&
          String(r.body.body).includes('Running:') &&
          String(r.body.body).includes('- [ ]'),
      ),
    ).toBe(true);
    expect(github.checkRuns.some((c) => ((c.output as { annotations?: unknown[] }).annotations ?? []).length > 0)).toBe(
      true,
    );
    expect(github.replies.length).toBeGreaterThan(0);
    expect([...github.comments.values()].some((c) => c.body.startsWith('🔁'))).toBe(true);
    expect(all).toContain('security-team');
    expect(all).toMatch(/Question/);
    expect(all).toMatch(/🩺/);
    expect(all).toMatch(/is not a known key/);
    expect(pr().body).toMatch(/Still failing, as before the change/);
    // The first run's PR body named the hostile file (the retry's attempt did not make it again).
    expect(writes.some((r) => /\/pulls$/.test(r.path) && String(r.body.body).includes('notes/'))).toBe(true);
  });

  it('every text field of every write: nothing live, nothing hidden', () => {
    const found: Array<{ request: string; field: string; problems: string[]; text: string }> = [];
    for (const r of github.requests.filter((x) => x.method !== 'GET')) {
      const ownIssue = /\/pulls(\/\d+)?$/.test(r.path) ? 50 : null;
      for (const t of texts(r.body)) {
        const problems = [
          ...markdownProblems(t.text, { ownIssue, allowHtml, allowLink }),
          ...(t.plain ? plainProblems(t.text, ownIssue) : []),
        ];
        if (problems.length)
          found.push({ request: `${r.method} ${r.path}`, field: t.field, problems, text: t.text.slice(0, 300) });
      }
    }
    expect(found.slice(0, 5)).toEqual([]);
  });

  it('commit messages: nothing live, no closing keyword but the job’s own', () => {
    const messages = execFileSync('git', ['log', '--all', '--format=%B%x00'], { cwd: bare, encoding: 'utf8' })
      .split('\0')
      .filter((m) => m.trim());
    expect(messages.length).toBeGreaterThanOrEqual(2);
    // The Co-authored-by trailer is git's, with a noreply address: the app's own, and not markdown.
    for (const m of messages)
      expect([
        ...markdownProblems(m.replace(/^Co-authored-by: .*$/gm, ''), { ownIssue: 50 }),
        ...plainProblems(m, 50),
      ]).toEqual([]);
  });
});
