import type { RepoFiles } from './repo-files.ts';
import { shellWords } from './shell-words.ts';

export type FileRole = 'test' | 'code' | 'other';

export interface TestFileRules {
  /** Folders (and files) the repository's own test setup names as its tests, beyond the usual names. */
  testDirs: string[];
  /** Whether a changed path belongs to the tests (test code, its data and fixtures), to the code under test, or to neither (docs, CI, changelog). */
  roleOf(path: string): FileRole;
}

/** Test file names by ecosystem: Python, Go, JS/TS, Ruby, JVM, .NET, Elixir, C/C++, Swift, PHP, Dart. */
const TEST_NAME = [
  /(^|\/)test_[^/]+\.py$/,
  /(^|\/)[^/]+_test\.py$/,
  /(^|\/)conftest\.py$/,
  /(^|\/)tests?\.py$/,
  /_test\.go$/,
  /\.(test|spec)\.[cm]?[jt]sx?$/,
  /(^|\/)[^/]+-test\.[cm]?js$/,
  /(^|\/)(tests?|spec)\.[cm]?[jt]sx?$/,
  /_(spec|test)\.rb$/,
  /(^|\/)test_[^/]+\.rb$/,
  /(Test|Tests|IT|Spec)\.(java|kt|scala|groovy)$/,
  /Tests?\.cs$/,
  /_test\.exs$/,
  /(^|\/)(test_[^/]+|[^/]+_(test|unittest))\.(c|cc|cpp|cxx|h|hpp)$/,
  /Tests?\.swift$/,
  /Test\.php$/,
  /_test\.dart$/,
];
/** Folder names that hold tests in most ecosystems (Perl's `t/`, Go's `testdata/`, Maven's `src/test/`). */
const TEST_DIR =
  /(^|\/)(tests?|__tests__|spec|specs|t|testdata|test[-_]?data|fixtures|__snapshots__|__fixtures__|e2e)\//;
const MAVEN_TEST = /(^|\/)src\/test\//;
/** Not code under test: docs, change logs, licences, CI and editor settings. */
const NOT_CODE = [
  /\.(md|markdown|rst|txt|adoc)$/i,
  /(^|\/)(docs?|documentation|examples?|benchmarks?|bench)\//i,
  /(^|\/)(CHANGELOG|CHANGES|HISTORY|NEWS|AUTHORS|CONTRIBUTORS|LICEN[CS]E|COPYING|NOTICE)[^/]*$/i,
  /(^|\/)\.github\//,
  /(^|\/)\.(gitignore|gitattributes|editorconfig|mailmap|pre-commit-config\.yaml|travis\.yml|gitlab-ci\.yml)$/,
];

/**
 * How this repository tells its tests from its code: the usual names and folders, plus the
 * folders its own test command and pytest's `testpaths` name (a `checks/` folder passed to
 * `unittest discover -s`, a `testing/` one in pytest's config).
 */
export function testFileRules(repo: RepoFiles, testCommand: string | null): TestFileRules {
  const named = [...commandDirs(repo, testCommand), ...pytestPaths(repo)];
  const testDirs = [
    ...new Set(named.map((d) => d.replace(/^\.\//, '').replace(/\/+$/, '')).filter((d) => d && d !== '.')),
  ];
  const inNamed = (p: string) => testDirs.some((d) => p === d || p.startsWith(`${d}/`));
  return {
    testDirs,
    roleOf(p) {
      if (inNamed(p) || TEST_DIR.test(p) || MAVEN_TEST.test(p) || TEST_NAME.some((r) => r.test(p))) return 'test';
      return NOT_CODE.some((r) => r.test(p)) ? 'other' : 'code';
    },
  };
}

/**
 * Words of the test command that are folders or files of the checkout with a test-like name the
 * usual names miss (`discover -s checks`, `pytest testing/`, `node check.mjs`). A code folder the
 * command also names (`pytest src tests` for doctests, `vitest run src`) stays code.
 */
function commandDirs(repo: RepoFiles, command: string | null): string[] {
  if (!command) return [];
  return shellWords(command)
    .map((w) =>
      w
        .replace(/^['"]|['"]$/g, '')
        .replace(/^--?[\w-]+=/, '')
        .replace(/\/+$/, ''),
    )
    .filter(
      (w) =>
        /^[\w./-]+$/.test(w) &&
        !w.startsWith('-') &&
        !w.startsWith('/') &&
        !w.includes('..') &&
        /test|spec|check/i.test(w.split('/').pop() ?? '') &&
        repo.exists(w),
    );
}

/** Folders that hold a project's code even when its test setup names them. */
const CODE_ROOTS = new Set(['src', 'lib', 'pkg', 'app', 'internal', 'cmd', 'source', 'packages', 'crates', 'modules']);

/** `testpaths` of pytest's configuration, in whichever file holds it. */
function pytestPaths(repo: RepoFiles): string[] {
  for (const file of ['pytest.ini', 'pyproject.toml', 'setup.cfg', 'tox.ini']) {
    const text = repo.read(file);
    const m = text && /^\s*testpaths\s*=\s*(\[[^\]]*\]|.*(?:\n[ \t]+.+)*)/m.exec(text);
    if (m)
      return [...m[1]!.matchAll(/["']?([\w./-]+)["']?/g)]
        .map((x) => x[1]!)
        .filter((d) => !CODE_ROOTS.has(d.replace(/\/+$/, '').split('/').pop() ?? '') && repo.isDir(d));
  }
  return [];
}
