import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { readHistory } from '../../src/adapters/git/read-history.ts';
import { tempDir } from '../support/app-harness.ts';
import { gitEnv } from '../support/git-http-server.ts';

/** A repository whose PRs were merged with merge commits (GitHub's form), one commit per second. */
function mergeCommitRepo(): string {
  const dir = tempDir('pw-history-');
  let clock = 1_700_000_000;
  const git = (...args: string[]) => {
    clock += 1;
    const date = `${clock} +0000`;
    execFileSync('git', args, { cwd: dir, env: { ...gitEnv(), GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } });
  };
  const commit = (subject: string) => git('commit', '-q', '--allow-empty', '-m', subject);
  const merge = (branch: string, subject: string, body: string, commits: string[]) => {
    git('checkout', '-q', '-b', branch, 'main');
    for (const c of commits) commit(c);
    git('checkout', '-q', 'main');
    git('merge', '-q', '--no-ff', branch, '-m', subject, '-m', body);
  };
  git('init', '-q', '-b', 'main');
  commit('Initial import');
  merge('old', 'Merge pull request #1 from alice/old', 'An old title', ['old work']);
  commit('Direct fix on main');
  merge('parser', 'Merge pull request #5 from alice/parser', 'Add a parser option', ['wip parser', 'parser tests']);
  merge(
    'bump',
    'Merge pull request #6 from acme/dependabot/npm_and_yarn/lodash-4.17.21',
    'Bump lodash from 4.17.20 to 4.17.21',
    ['Bump lodash'],
  );
  merge('copybara', 'Merge pull request #7 from acme/copybara', 'PiperOrigin-RevId: 968678073', ['Internal change']);
  merge('feature', 'Merge branch feature', 'not a pull request', ['feature work']);
  commit('Last direct commit');
  return dir;
}

it('reads commit subjects without merges; with mergedPulls, merge commits’ PR titles in their place', async () => {
  const dir = mergeCommitRepo();
  const commits = [
    'Last direct commit',
    'feature work',
    'Internal change',
    'Bump lodash',
    'parser tests',
    'wip parser',
    'Direct fix on main',
    'old work',
    'Initial import',
  ];
  expect((await readHistory(dir)).map((s) => s.subject)).toEqual(commits);
  expect((await readHistory(dir)).some((s) => s.merged)).toBe(false);

  const withPulls = await readHistory(dir, 'HEAD', 300, { mergedPulls: true });
  // Each PR title goes before the newest commit older than its merge; the commits keep their order.
  expect(withPulls.map((s) => (s.merged ? `[${s.subject}]${s.bot ? ' bot' : ''}` : s.subject))).toEqual([
    'Last direct commit',
    'feature work',
    'Internal change',
    '[Bump lodash from 4.17.20 to 4.17.21 (#6)] bot',
    'Bump lodash',
    '[Add a parser option (#5)]',
    'parser tests',
    'wip parser',
    'Direct fix on main',
    '[An old title (#1)]',
    'old work',
    'Initial import',
  ]);
  // Only merges as old as the commits read: the 4 newest commits reach back to the lodash bump.
  const recent = await readHistory(dir, 'HEAD', 4, { mergedPulls: true });
  expect(recent.filter((s) => s.merged).map((s) => s.subject)).toEqual(['Bump lodash from 4.17.20 to 4.17.21 (#6)']);
});

it('no history, or no directory: empty, not an error', async () => {
  expect(await readHistory(tempDir('pw-nohistory-'), 'HEAD', 300, { mergedPulls: true })).toEqual([]);
  expect(await readHistory('/nonexistent/pw-dir')).toEqual([]);
});
