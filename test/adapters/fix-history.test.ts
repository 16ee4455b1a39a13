import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyPatch,
  changeOf,
  checkoutAt,
  CheckoutError,
  historyUpTo,
  removeCheckout,
} from '../../src/adapters/git/eval-checkout.ts';
import {
  branchMessages,
  changedPaths,
  mainlineCommits,
  namedCommits,
  patchOf,
} from '../../src/adapters/git/fix-history.ts';
import { candidateOf, taskText } from '../../src/eval/fix-message.ts';
import { inspectRepo } from '../../src/repo/inspect.ts';
import { RepoFiles } from '../../src/repo/repo-files.ts';
import { testFileRules } from '../../src/repo/test-files.ts';
import { tempDir } from '../support/app-harness.ts';
import { cloneHistory, MORE_ITERTOOLS_CONFIG, shaOf, TOMLI_CONFIG } from '../support/real-history.ts';

const git = (dir: string, ...a: string[]) => execFileSync('git', a, { cwd: dir, encoding: 'utf8' }).trim();

async function candidates(repo: string) {
  const rules = testFileRules(new RepoFiles(repo), inspectRepo(repo).test);
  const out = [];
  for (const c of await mainlineCommits(repo, { tip: git(repo, 'rev-parse', 'HEAD'), max: 100 })) {
    if (!c.parents[0]) continue;
    const cand = candidateOf(c, await changedPaths(repo, c.parents[0], c.sha), rules.roleOf);
    if (cand?.testFiles.length)
      out.push({
        cand,
        text: taskText(cand, cand.kind === 'merge' ? await branchMessages(repo, cand.base, cand.sha) : [], new Map()),
      });
  }
  return out;
}

describe('mining the history of real repositories', () => {
  it('more-itertools (GitHub merges): the first-parent line newest first, each merge as its branch’s whole change, titled by its PR', async () => {
    const repo = cloneHistory('more-itertools+more-itertools', MORE_ITERTOOLS_CONFIG);
    const found = await candidates(repo);
    expect(found.map(({ cand, text }) => [cand.kind, cand.pr, text.title, cand.testFiles, cand.codeFiles])).toEqual([
      [
        'merge',
        1223,
        'Raise a clear ValueError for negative n in chunked()',
        ['tests/test_more.py'],
        ['more_itertools/more.py'],
      ],
      [
        'merge',
        1216,
        'Issue 1214: Update __eq__ and __hash__ for numeric_range',
        ['tests/test_more.py'],
        ['more_itertools/more.py'],
      ],
      [
        'merge',
        1211,
        'Fix stability in running_min and running_max',
        ['tests/test_more.py'],
        ['more_itertools/recipes.py'],
      ],
      ['merge', 1200, 'Raise for negative slice sizes in sliced()', ['tests/test_more.py'], ['more_itertools/more.py']],
      [
        'merge',
        null,
        'Raise for negative tail sizes on sized iterables',
        ['tests/test_recipes.py'],
        ['more_itertools/recipes.py'],
      ],
      ['merge', 1193, 'Handle empty interleave_evenly input', ['tests/test_more.py'], ['more_itertools/more.py']],
    ]);
    // A local merge: the branch's three commits, oldest first, make its task's text.
    const local = found[4]!.text.body;
    expect(local).toMatch(
      /^The commits of this change:\n- Raise for negative tail sizes on sized iterables[\s\S]*\n- Add non-sized negative tail test[\s\S]*\n- Fix formatting for test_iterator_negative/,
    );
    expect(found[1]!.cand.issues).toEqual([1214]);
  });

  it('tomli (squashed PRs and plain commits): the tests-only commit is a candidate without code; docs commits none at all', async () => {
    const repo = cloneHistory('hukkin+tomli', TOMLI_CONFIG);
    expect((await candidates(repo)).map(({ cand }) => [cand.kind, cand.pr, cand.subject, cand.codeFiles])).toEqual([
      ['squash', 203, 'TOML 1.1: Make seconds optional in Date-Time and Time (#203)', ['src/tomli/_re.py']],
      ['squash', 202, 'TOML 1.1: Add \\xHH Unicode escape code to basic strings (#202)', ['src/tomli/_parser.py']],
      ['squash', 200, 'TOML 1.1: Allow newlines and trailing comma in inline tables (#200)', ['src/tomli/_parser.py']],
      ['commit', null, 'Xfail on tests for TOML 1.1 features not yet supported', []],
    ]);
  });

  it('since a commit or a date, and named commits off the first-parent line', async () => {
    const repo = cloneHistory('more-itertools+more-itertools', MORE_ITERTOOLS_CONFIG);
    const head = git(repo, 'rev-parse', 'HEAD');
    const since = shaOf(repo, /Raise for negative slice sizes/);
    const after = await mainlineCommits(repo, { tip: head, since, max: 100 });
    expect(after.map((c) => c.sha)).toEqual(git(repo, 'rev-list', '--first-parent', `${since}..HEAD`).split('\n'));
    expect(await mainlineCommits(repo, { tip: head, since: '2099-01-01', max: 100 })).toEqual([]);
    expect(await mainlineCommits(repo, { tip: head, max: 3 })).toHaveLength(3);
    const branchCommit = git(repo, 'log', '-1', '--format=%H', '--grep=Add non-sized negative tail test');
    expect((await namedCommits(repo, [branchCommit.slice(0, 10)]))[0]).toMatchObject({
      sha: branchCommit,
      message: 'Add non-sized negative tail test',
    });
    await expect(namedCommits(repo, ['nosuchref'])).rejects.toThrow(/--only nosuchref: no such commit/);
  });

  it('every candidate’s test patch and code patch, applied to its parent, give exactly its tree (binary-safe, blank last lines kept)', async () => {
    for (const [name, config] of [
      ['hukkin+tomli', TOMLI_CONFIG],
      ['more-itertools+more-itertools', MORE_ITERTOOLS_CONFIG],
    ] as const) {
      const repo = cloneHistory(name, config);
      for (const { cand } of await candidates(repo)) {
        const dir = path.join(tempDir('pw-patch-'), 'w');
        git(repo, 'worktree', 'add', '-q', '--detach', dir, cand.base);
        await applyPatch(dir, await patchOf(repo, cand.base, cand.sha, cand.testFiles), 'tests');
        await applyPatch(
          dir,
          await patchOf(repo, cand.base, cand.sha, [...cand.codeFiles, ...cand.otherFiles]),
          'code',
        );
        git(dir, 'add', '-A');
        expect([cand.subject, git(dir, 'write-tree')]).toEqual([
          cand.subject,
          git(repo, 'rev-parse', `${cand.sha}^{tree}`),
        ]);
        git(repo, 'worktree', 'remove', '--force', dir);
      }
    }
  });
});

describe('task checkouts', () => {
  it('hold the history up to their commit and nothing after it: no later commit, branch, tag, reflog or FETCH_HEAD', async () => {
    const repo = cloneHistory('hukkin+tomli', TOMLI_CONFIG);
    git(repo, 'tag', 'v-later');
    git(repo, 'branch', 'other-work');
    const base = shaOf(repo, /Xfail on tests/);
    const history = await historyUpTo(repo, base, path.join(tempDir('pw-hist-'), 'h.git'));
    expect(git(history, 'rev-list', '--all')).toBe(git(repo, 'rev-list', base));
    expect(git(history, 'for-each-ref', '--format=%(refname)')).toBe('refs/heads/eval-base');
    expect(fs.existsSync(path.join(history, 'FETCH_HEAD'))).toBe(false);
    expect(() => git(history, 'cat-file', '-e', git(repo, 'rev-parse', 'HEAD'))).toThrow();
    // Made once: the second call reuses it.
    const mtime = fs.statSync(path.join(history, 'HEAD')).mtimeMs;
    expect(await historyUpTo(repo, base, history)).toBe(history);
    expect(fs.statSync(path.join(history, 'HEAD')).mtimeMs).toBe(mtime);

    const co = await checkoutAt(history, base, path.join(tempDir('pw-co-'), 'w'));
    expect(git(co.dir, 'rev-parse', 'HEAD')).toBe(base);
    expect(co.commonDir).toBe(history);
    // The run's change: edits and new files, never ignored ones.
    fs.appendFileSync(path.join(co.dir, 'src/tomli/_parser.py'), '# edited\n');
    fs.writeFileSync(path.join(co.dir, 'NEW.txt'), 'new\n');
    fs.writeFileSync(path.join(co.dir, 'src/ignored.pyc'), 'x');
    // A virtual environment and node_modules that .gitignore does not name: setup's, not the run's.
    for (const dep of ['.venv/lib/site.py', 'web/node_modules/x/index.js', 'src/__pycache__/a.txt']) {
      fs.mkdirSync(path.dirname(path.join(co.dir, dep)), { recursive: true });
      fs.writeFileSync(path.join(co.dir, dep), 'dep');
    }
    fs.mkdirSync(path.join(co.dir, 'docs/new dir'), { recursive: true });
    fs.writeFileSync(path.join(co.dir, 'docs/new dir/é.md'), 'unusual name\n');
    const change = await changeOf(co.dir, base);
    expect([...change.matchAll(/^diff --git (?:"a\/(.+?)"|a\/(\S+))/gm)].map((m) => m[1] ?? m[2])).toEqual([
      'NEW.txt',
      'docs/new dir/\\303\\251.md',
      'src/tomli/_parser.py',
    ]);
    await removeCheckout(history, co.dir);
    expect(fs.existsSync(co.dir)).toBe(false);
  });

  it('a patch that does not apply says what and why, with the code patch_failed', async () => {
    const repo = cloneHistory('hukkin+tomli', TOMLI_CONFIG);
    const dir = path.join(tempDir('pw-co-'), 'w');
    git(repo, 'worktree', 'add', '-q', '--detach', dir, 'HEAD');
    const bad =
      'diff --git a/README.md b/README.md\n--- a/README.md\n+++ b/README.md\n@@ -1 +1 @@\n-no such line\n+x\n';
    const error = await applyPatch(dir, bad, 'the run’s change').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckoutError);
    expect(error).toMatchObject({
      code: 'patch_failed',
      message: expect.stringMatching(/^the run’s change does not apply: .*patch failed: README\.md:1/),
    });
  });
});
