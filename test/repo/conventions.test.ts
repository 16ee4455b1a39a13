import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectConventions } from '../../src/repo/conventions/detect-conventions.ts';
import { styleTitle } from '../../src/repo/conventions/title-style.ts';
import { RepoFiles } from '../../src/repo/repo-files.ts';
import { findPrTemplate } from '../../src/repo/conventions/pr-template.ts';
import { branchShape, expandBranch } from '../../src/repo/conventions/branch-name.ts';
import { learnPrHabits, type MergedPull } from '../../src/repo/conventions/pr-habits.ts';
import { commitSubject, titleBrief } from '../../src/repo/conventions/title-brief.ts';
import { titleProblem } from '../../src/repo/conventions/title-style.ts';
import type { CommitStyle } from '../../src/repo/conventions/commit-style.ts';
import { tempDir } from '../support/app-harness.ts';

const tree = (files: Record<string, string>) => {
  const dir = tempDir('pw-conv-');
  for (const [p, t] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), t);
  }
  return dir;
};
const pull = (title: string, o: Partial<MergedPull> = {}): MergedPull => ({
  title,
  body: '',
  branch: 'topic',
  author: 'alice',
  bot: false,
  ...o,
});
const plainHistory = [
  'Fix the parser',
  'Add a flag',
  'Update docs',
  'Remove dead code',
  'Speed up startup',
  'Handle empty input',
].map((subject) => ({ subject, bot: false }));

describe('PR templates', () => {
  it.each([['.github/pull_request_template.md'], ['PULL_REQUEST_TEMPLATE.md'], ['docs/Pull_Request_Template.md']])(
    'finds %s',
    (p) => {
      expect(findPrTemplate(new RepoFiles(tree({ [p]: '## Why\n\n## Testing\n' })))).toMatchObject({
        path: p,
        headings: ['## Why', '## Testing'],
      });
    },
  );

  it('picks the template named for the kind of change in a PULL_REQUEST_TEMPLATE folder', () => {
    const dir = tree({
      '.github/PULL_REQUEST_TEMPLATE/bug_fix.md': '## Bug\n',
      '.github/PULL_REQUEST_TEMPLATE/feature.md': '## Feature\n',
    });
    expect(findPrTemplate(new RepoFiles(dir), 'fix')?.path).toBe('.github/PULL_REQUEST_TEMPLATE/bug_fix.md');
    expect(findPrTemplate(new RepoFiles(dir), 'feature')?.path).toBe('.github/PULL_REQUEST_TEMPLATE/feature.md');
  });
});

describe('explicit rules and titles', () => {
  it('a commitlint config makes it conventional whatever the history says', () => {
    const conv = detectConventions(tree({ 'commitlint.config.js': 'module.exports = {}' }), plainHistory);
    expect(conv.commitStyle).toMatchObject({ kind: 'conventional', source: 'config' });
    // The config states the kind; it says nothing of casing, and the history has no example to learn it from.
    expect(titleProblem(conv.prTitleStyle, 'feat: Add a login page')).toBeNull();
    expect(titleProblem(conv.prTitleStyle, 'feat: add a login page')).toBeNull();
    expect(titleProblem(conv.prTitleStyle, 'Add a login page')).toMatch(/Conventional Commits/);
  });

  it('takes the PR title style from merged PRs by humans when there are enough of them', () => {
    const prs = [
      'feat: add login',
      'fix: crash on empty list',
      'docs: explain flags',
      'fix(ui): align buttons',
      'chore: tidy the config',
      'Update deps',
    ].map((title, i) => pull(title, { bot: i === 5 }));
    const conv = detectConventions(tree({}), plainHistory, prs);
    expect(conv.commitStyle?.kind).toBe('plain');
    expect(conv.prTitleStyle?.kind).toBe('conventional');
  });

  it('PR titles read from merge commits are PR titles, not commit subjects', () => {
    const commits = Array.from({ length: 20 }, (_, i) => ({ subject: `net/http: fix case ${i}`, bot: false }));
    const merged = Array.from({ length: 12 }, (_, i) => ({
      subject: `Handle case ${i} (#${i + 1})`,
      bot: false,
      merged: true,
    }));
    // Interleaved as a merge-commit history reads: each PR's title, then its commits.
    const history = commits.flatMap((c, i) => (merged[i] ? [merged[i], c] : [c]));
    const conv = detectConventions(tree({}), history);
    expect(conv.commitStyle).toMatchObject({ kind: 'component-prefix', sample: 20 });
    expect(conv.prTitleStyle?.kind).toBe('plain');
    expect(conv.prTitleSource).toBe('squash-merges');
    // Fewer than 10 of them: the PR title style is the commit style.
    expect(
      detectConventions(
        tree({}),
        history.filter((s) => !('merged' in s) || Number(/#(\d+)/.exec(s.subject)![1]) <= 9),
      ).prTitleSource,
    ).toBe('commits');
  });

  it('builds titles in each style and refuses WIP and bot prefixes', () => {
    const plain = detectConventions(tree({}), plainHistory).commitStyle;
    expect(styleTitle(plain, '[WIP] crash when the list is empty', 'fix')).toBe('Crash when the list is empty');
    const comp = {
      kind: 'component-prefix' as const,
      prefixes: ['net/http', 'os'],
      capitalized: false,
      imperative: true,
      confidence: 1,
      sample: 10,
      source: 'history' as const,
    };
    expect(styleTitle(comp, 'Fix header parsing', 'fix', ['net/http/header.go'])).toBe('net/http: fix header parsing');
    // A component the history has not used yet is named the way the history names them.
    expect(styleTitle(comp, 'Fix the resolver', 'fix', ['net/dns/client.go'])).toBe('net/dns: fix the resolver');
    expect(
      styleTitle({ ...comp, prefixes: ['mailmap', 'http', 'fetch-pack'] }, 'Fix a leak', 'fix', [
        'builtin/send-pack.c',
      ]),
    ).toBe('send-pack: fix a leak');
    const emoji = { ...comp, kind: 'gitmoji' as const, prefixes: ['🐛'] };
    expect(styleTitle(emoji, 'handle empty lists', 'fix')).toBe('🐛 Handle empty lists');
    expect(titleProblem(plain, '[WIP] Fix it')).toMatch(/WIP/);
    expect(titleProblem(comp, 'Fix it')).toMatch(/component/);
    expect(titleProblem(comp, 'os: fix it')).toBeNull();
  });
});

const cc: CommitStyle = {
  kind: 'conventional',
  types: ['fix', 'feat', 'docs'],
  scopes: ['math'],
  capitalized: false,
  imperative: true,
  confidence: 0.9,
  sample: 40,
  source: 'history',
};

describe('title checks', () => {
  it.each([
    [cc, 'fix(math): return the sum from add', null],
    [cc, 'Fix add', /Conventional Commits/],
    [cc, 'fix: Return the sum', /lower-case/],
    [cc, 'fix: README typo', null],
    [cc, 'bugfix: return the sum', /not a type this repository uses/],
    [cc, '[WIP] fix: return the sum', /WIP/],
    [cc, 'fix: return the sum\nsecond line', /one line/],
    [{ ...cc, kind: 'plain', capitalized: true } as CommitStyle, 'fix: return the sum', /plain sentences/],
    [{ ...cc, kind: 'plain', capitalized: true } as CommitStyle, 'Fixed the sum', /imperative/],
    [{ ...cc, kind: 'plain', capitalized: true } as CommitStyle, 'Fix the sum', null],
    [{ ...cc, kind: 'gitmoji' } as CommitStyle, 'Fix the sum', /gitmoji/],
    [{ ...cc, kind: 'component-prefix', prefixes: ['net/http'] } as CommitStyle, 'net/http: fix the header', null],
  ])('%#: %s', (style, title, expected) => {
    const problem = titleProblem(style, title);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(expected);
  });

  it('tells the model the types, scopes and recent human examples of the style', () => {
    const brief = titleBrief({
      style: cc,
      recent: [
        pull('fix(math): handle NaN'),
        pull('Bump lodash', { bot: true }),
        pull('Release v1.2.0'),
        pull('feat: add mul'),
      ].map((p) => ({ subject: p.title, bot: p.bot })),
      issueTitle: 'add returns a difference',
      kind: 'fix',
    });
    expect(brief.guidance).toMatch(/Conventional Commits[\s\S]*fix, feat, docs[\s\S]*Scopes in use: math/);
    expect(brief.examples).toEqual(['fix(math): handle NaN', 'feat: add mul']);
    expect(brief.repair('[WIP] Make add return the sum', ['math.js'])).toBe('fix: make add return the sum');
    expect(brief.repair(null, [])).toBe('fix: add returns a difference');
  });

  it('puts the ticket the issue names first, in the form the repository writes it', () => {
    const jira: CommitStyle = { ...cc, kind: 'ticket-prefix', prefixes: ['[PAY-12]', '[PAY-9]'], capitalized: true };
    const brief = titleBrief({
      style: jira,
      recent: [],
      issueTitle: 'Refunds round down',
      issueBody: 'Tracked in PAY-431.',
      kind: 'fix',
    });
    expect(brief.guidance).toMatch(/ticket is PAY-431: start with `\[PAY-431\] `/);
    expect(brief.problem('Round refunds to the cent')).toMatch(/start with the ticket/);
    expect(brief.problem('[PAY-431] Round refunds to the cent')).toBeNull();
    expect(brief.repair('Round refunds to the cent', [])).toBe('[PAY-431] Round refunds to the cent');
    const rubocop: CommitStyle = { ...jira, prefixes: ['[Fix #15590]', '[Fix #15601]'] };
    expect(
      titleBrief({
        style: rubocop,
        recent: [],
        issueTitle: 'Crash on empty file',
        kind: 'fix',
        issueNumber: 77,
      }).repair(null, []),
    ).toBe('[Fix #77] Crash on empty file');
    expect(
      titleBrief({ style: jira, recent: [], issueTitle: 'No ticket here', kind: 'fix' }).problem('Plain words'),
    ).toBeNull();
  });

  it('picks the template named for the kind of change', () => {
    const dir = tree({
      '.github/PULL_REQUEST_TEMPLATE/bug_fix.md': '## Bug\n',
      '.github/PULL_REQUEST_TEMPLATE/default.md': '## Change\n',
    });
    expect(detectConventions(dir, plainHistory, [], undefined, 'fix').prTemplate?.path).toBe(
      '.github/PULL_REQUEST_TEMPLATE/bug_fix.md',
    );
    expect(detectConventions(dir, plainHistory, [], undefined, 'feature').prTemplate?.path).toBe(
      '.github/PULL_REQUEST_TEMPLATE/default.md',
    );
  });

  it('restyles a PR title for the commit subject when the two styles differ', () => {
    const plain: CommitStyle = { ...cc, kind: 'plain', capitalized: true };
    expect(commitSubject(plain, 'fix(math): return the sum', 'fix', ['math.js'])).toBe('Return the sum');
    expect(commitSubject(cc, 'fix(math): return the sum', 'fix', ['math.js'])).toBe('fix(math): return the sum');
  });
});

describe('merged PR habits', () => {
  const body = (closes: string) => `## Summary\n\nDid a thing.\n\n## Test plan\n\nnpm test\n\n${closes} #12`;
  it('learns shared headings, the closing keyword and the branch pattern from human PRs', () => {
    const pulls = [
      pull('a', { body: body('Fixes'), branch: 'fix/12-empty-list' }),
      pull('b', { body: body('Fixes'), branch: 'feature/31-dark-mode' }),
      pull('c', { body: body('fixes'), branch: 'fix/40-crash' }),
      pull('d', { body: '## Summary\n\nx\n\n## Screenshots\n\n## Test plan\n\ny', branch: 'bugfix/41-typo' }),
      pull('e', { body: 'just text', branch: 'docs/readme' }),
      pull('f', { body: '## Changelog\n\n- bump', branch: 'renovate/lodash-4.x', bot: true }),
    ];
    const habits = learnPrHabits(pulls);
    expect(habits.sample).toBe(5);
    expect(habits.headings).toEqual(['## Summary', '## Test plan']);
    expect(habits.closingKeyword).toBe('Fixes');
    expect(habits.branchPattern).toBe('{kind}/{issue}-{slug}');
    expect(habits.branchKinds).toEqual({ fix: 'fix', feature: 'feature', docs: 'docs' });
    expect(
      expandBranch(habits.branchPattern!, { issue: 7, slug: 'dark-mode', kind: 'feature', kinds: habits.branchKinds }),
    ).toBe('feature/7-dark-mode');
    expect(
      expandBranch(habits.branchPattern!, { issue: 7, slug: 'tidy', kind: 'other', kinds: habits.branchKinds }),
    ).toBe('chore/7-tidy');
  });

  it('reads branch shapes and ignores personal prefixes', () => {
    expect(branchShape('alice/fix-login', 'alice').pattern).toBe('{user}/{slug}');
    expect(branchShape('123-fix-login').pattern).toBe('{issue}-{slug}');
    expect(branchShape('issue-123').pattern).toBe('issue-{issue}');
    expect(branchShape('release/2.0').pattern).toBe('release/{slug}');
    const personal = ['alice/a', 'alice/b', 'alice/c', 'alice/d', 'alice/e'].map((b) => pull('t', { branch: b }));
    expect(learnPrHabits(personal).branchPattern).toBeNull();
    expect(learnPrHabits([pull('t', { body: 'Closes #1' })]).closingKeyword).toBe('Closes');
  });

  it('conventions stated in .github/agent.yml win over commitlint and history, keeping what history shows of that style', () => {
    const dir = tree({ 'commitlint.config.js': 'module.exports = {}' });
    const prs = ['feat: a', 'fix: b', 'docs: c', 'fix: d', 'chore: e'].map((t) => pull(t, { body: 'Closes #1' }));
    const conv = detectConventions(dir, plainHistory, prs, undefined, 'fix', {
      commitStyle: 'plain',
      closingKeyword: 'Resolves',
    });
    expect(conv.commitStyle).toMatchObject({
      kind: 'plain',
      source: 'config',
      capitalized: true,
      sample: plainHistory.length,
    });
    expect(conv.prTitleStyle).toMatchObject({ kind: 'plain', source: 'config' });
    expect(conv.prBody.closingKeyword).toBe('Resolves');
    expect(
      detectConventions(dir, plainHistory, prs, undefined, 'fix', { prTitleStyle: 'gitmoji' }).prTitleStyle,
    ).toMatchObject({ kind: 'gitmoji', source: 'config' });
  });

  it('uses the configured branch pattern over the learned one', () => {
    const pulls = ['fix/1-a', 'fix/2-b', 'fix/3-c', 'feat/4-d', 'feat/5-e'].map((b) => pull('t', { branch: b }));
    expect(detectConventions(tree({}), plainHistory, pulls)).toMatchObject({
      branchPattern: '{kind}/{issue}-{slug}',
      branchSource: 'merged-prs',
    });
    expect(detectConventions(tree({}), plainHistory, pulls, 'bot/{issue}')).toMatchObject({
      branchPattern: 'bot/{issue}',
      branchSource: 'config',
    });
    expect(detectConventions(tree({}), plainHistory, [])).toMatchObject({
      branchPattern: 'agent/{issue}-{slug}',
      branchSource: 'default',
    });
  });
});
