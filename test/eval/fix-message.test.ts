import { describe, expect, it } from 'vitest';
import { candidateOf, isBot, linkedIssues, taskText, type CommitInfo } from '../../src/eval/fix-message.ts';

const commit = (message: string, parents = ['p1'], extra: Partial<CommitInfo> = {}): CommitInfo => ({
  sha: 'c1',
  parents,
  author: 'Ada',
  email: 'ada@example.com',
  date: '2026-01-10T12:00:00+00:00',
  message,
  ...extra,
});
const roleOf = (p: string) =>
  p.startsWith('tests/') ? ('test' as const) : p.endsWith('.md') ? ('other' as const) : ('code' as const);

describe('candidateOf', () => {
  it.each([
    [
      'a GitHub merge: the PR from the merge line, the first parent as the base',
      commit(
        'Merge pull request #1223 from uttam12331/chunked-negative-n-guard\n\nRaise a clear ValueError for negative n in chunked()',
        ['p1', 'p2'],
      ),
      { kind: 'merge', pr: 1223, base: 'p1' },
    ],
    [
      'a local merge of a branch',
      commit("Merge branch 'CodingFeng101-codex/tail-negative'", ['p1', 'p2']),
      { kind: 'merge', pr: null },
    ],
    [
      'a squashed pull request',
      commit('TOML 1.1: Allow newlines and trailing comma in inline tables (#200)'),
      { kind: 'squash', pr: 200 },
    ],
    [
      'a plain commit',
      commit('Fix the parser on empty input\n\nFixes #12.'),
      { kind: 'commit', pr: null, issues: [12] },
    ],
  ])('%s', (_n, c, expected) => {
    expect(candidateOf(c, ['tests/test_x.py', 'src/x.py', 'README.md'], roleOf)).toMatchObject({
      ...expected,
      testFiles: ['tests/test_x.py'],
      codeFiles: ['src/x.py'],
      otherFiles: ['README.md'],
    });
  });

  it('a root commit is no candidate: there is nothing to compare with', () => {
    expect(candidateOf(commit('Initial', []), ['a.py'], roleOf)).toBeNull();
  });

  it('bots by name or address', () => {
    expect([
      isBot({ author: 'dependabot[bot]', email: 'x' }),
      isBot({ author: 'Ada', email: '49699333+dependabot[bot]@users.noreply.github.com' }),
      isBot({ author: 'Ada', email: 'ada@example.com' }),
    ]).toEqual([true, true, false]);
  });
});

describe('linkedIssues', () => {
  it.each([
    ['Fixes #12', [12]],
    ['closes owner/repo#3 and resolves #4', [3, 4]],
    ['Merge pull request #1217 from more-itertools/issue-1215-iter-index-range', [1215]],
    ['Issue 1214: Update __eq__ and __hash__ for numeric_range', [1214]],
    ['Bump version to 1.2 (#99)', []],
    ['fix: the prefix is no link', []],
  ])('%s', (text, expected) => {
    expect(linkedIssues(text)).toEqual(expected);
  });
});

describe('taskText', () => {
  const issues = new Map([
    [1215, { title: 'iter_index with a range is slow', body: 'Calling iter_index(range(10**9), 5) takes forever.' }],
    [200, { title: 'Allow newlines in inline tables', body: 'This PR fixes #150.' }],
    [150, { title: 'TOML 1.1 inline tables', body: 'Inline tables may span lines in TOML 1.1.' }],
  ]);

  it('a GitHub merge: the PR title, its description, the branch’s commits, the linked issue’s text; no trailers', () => {
    const c = candidateOf(
      commit(
        'Merge pull request #1217 from more-itertools/issue-1215-iter-index-range\n\nIssue 1215: Add docstring note for iter_index\n\nSee the discussion.',
        ['p1', 'p2'],
      ),
      ['tests/t.py', 'm.py'],
      roleOf,
    )!;
    const t = taskText(c, ['Add a note for ranges\n\nSigned-off-by: Bo <bo@example.com>', 'Run the formatter'], issues);
    expect(t.title).toBe('Issue 1215: Add docstring note for iter_index');
    expect(t.body).toBe(
      'See the discussion.\n\nThe commits of this change:\n- Add a note for ranges\n- Run the formatter\n\nIssue #1215: iter_index with a range is slow\n\nCalling iter_index(range(10**9), 5) takes forever.',
    );
  });

  it('a local merge takes its title from the branch’s first commit', () => {
    const c = candidateOf(commit("Merge branch 'tail-negative'", ['p1', 'p2']), ['tests/t.py', 'm.py'], roleOf)!;
    expect(
      taskText(c, ['Raise for negative tail sizes on sized iterables', 'Add non-sized negative tail test'], new Map())
        .title,
    ).toBe('Raise for negative tail sizes on sized iterables');
  });

  it('a squash: the subject without (#N); the PR’s text from --issues-from, and the issue its body fixes', () => {
    const c = candidateOf(
      commit(
        'TOML 1.1: Allow newlines and trailing comma in inline tables (#200)\n\nCo-authored-by: X <x@example.com>',
      ),
      ['tests/t.py', 'p.py'],
      roleOf,
    )!;
    const t = taskText(c, [], issues);
    expect(t.title).toBe('TOML 1.1: Allow newlines and trailing comma in inline tables');
    expect(t.body).toBe(
      'Pull request #200: Allow newlines in inline tables\n\nThis PR fixes #150.\n\nIssue #150: TOML 1.1 inline tables\n\nInline tables may span lines in TOML 1.1.',
    );
  });

  it('a bare subject is its own body', () => {
    const c = candidateOf(commit('Handle empty input'), ['tests/t.py', 'p.py'], roleOf)!;
    expect(taskText(c, [], new Map())).toEqual({ title: 'Handle empty input', body: 'Handle empty input' });
  });
});
