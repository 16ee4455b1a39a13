import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectRepo } from '../../src/repo/inspect.ts';
import { RepoFiles } from '../../src/repo/repo-files.ts';
import { testFileRules } from '../../src/repo/test-files.ts';
import { tempDir } from '../support/app-harness.ts';
import { materialise } from './corpus-score.ts';

/** Real trees from the inspect corpus, with paths whose role anyone reading the project would agree on. */
const REAL: Array<[string, Record<string, 'test' | 'code' | 'other'>]> = [
  [
    'pytest-dev+pytest',
    {
      'testing/python/collect.py': 'test',
      'testing/conftest.py': 'test',
      'src/_pytest/python.py': 'code',
      'doc/en/conf.py': 'other',
      'changelog/README.rst': 'other',
      'pyproject.toml': 'code',
    },
  ],
  [
    'spf13+cobra',
    { 'command_test.go': 'test', 'command.go': 'code', 'README.md': 'other', '.github/workflows/test.yml': 'other' },
  ],
  ['tokio-rs+tokio', { 'tokio/tests/io_read.rs': 'test', 'tokio/src/io/mod.rs': 'code', 'tokio/Cargo.toml': 'code' }],
  [
    'expressjs+express',
    {
      'test/app.router.js': 'test',
      'test/acceptance/auth.js': 'test',
      'lib/application.js': 'code',
      'examples/auth/index.js': 'other',
      'History.md': 'other',
    },
  ],
  [
    'google+gson',
    {
      'gson/src/test/java/com/google/gson/GsonTest.java': 'test',
      'gson/src/main/java/com/google/gson/Gson.java': 'code',
    },
  ],
  [
    'sinatra+sinatra',
    {
      'test/routing_test.rb': 'test',
      'rack-protection/spec/lib/rack/protection/authenticity_token_spec.rb': 'test',
      'lib/sinatra/base.rb': 'code',
    },
  ],
  [
    'pallets+click',
    {
      'tests/test_basic.py': 'test',
      'tests/conftest.py': 'test',
      'src/click/testing.py': 'code',
      'src/click/core.py': 'code',
      'docs/testing.md': 'other',
    },
  ],
];

describe('testFileRules on real repositories', () => {
  it.each(REAL)('%s', (name, roles) => {
    const dir = materialise(name);
    try {
      const files = Object.keys(
        JSON.parse(fs.readFileSync(`fixtures/real-repos/${name}.json`, 'utf8')).files as object,
      );
      for (const p of Object.keys(roles)) expect(files, `${name} has ${p}`).toContain(p);
      const rules = testFileRules(new RepoFiles(dir), inspectRepo(dir).test);
      expect(Object.fromEntries(Object.keys(roles).map((p) => [p, rules.roleOf(p)]))).toEqual(roles);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('testFileRules', () => {
  const tree = (files: Record<string, string>) => {
    const dir = tempDir('pw-testfiles-');
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    return new RepoFiles(dir);
  };

  it('the usual names in every ecosystem are tests, wherever they sit', () => {
    const rules = testFileRules(tree({}), null);
    for (const p of [
      'test.js',
      'test.mjs',
      'tests.py',
      'pkg/test.py',
      'spec.ts',
      'pkg/x_test.go',
      'src/a.test.ts',
      'src/a.spec.jsx',
      'lib/b.test.mjs',
      'app/x_spec.rb',
      'test_calc.py',
      'calc/calc_test.py',
      'src/conftest.py',
      'Foo/FooTests.cs',
      'src/test/java/a/B.java',
      'core/src/main/java/a/BTest.java',
      'tests/data/case.toml',
      't/basic.t',
      'pkg/testdata/in.json',
      'src/__tests__/a.js',
      'src/__snapshots__/a.snap',
    ])
      expect([p, rules.roleOf(p)]).toEqual([p, 'test']);
    for (const p of [
      'src/calc.py',
      'pkg/x.go',
      'src/testing.py',
      'lib/contest.rb',
      'src/latest.ts',
      'package.json',
      'attest.js',
      'src/tester.py',
    ])
      expect([p, rules.roleOf(p)]).toEqual([p, 'code']);
    for (const p of [
      'README.md',
      'docs/api.rst',
      'CHANGELOG',
      '.github/workflows/ci.yml',
      'examples/demo.js',
      'LICENSE.txt',
    ])
      expect([p, rules.roleOf(p)]).toEqual([p, 'other']);
  });

  it('the folder the test command names is the tests’ (unittest discover -s checks), a code folder it names is not', () => {
    const repo = tree({ 'checks/check_calc.py': 'import unittest\n', 'src/calc.py': '', 'unittests/a.js': '' });
    expect(
      testFileRules(repo, 'python -m unittest discover -s checks -p "check_*.py"').roleOf('checks/check_calc.py'),
    ).toBe('test');
    expect(testFileRules(repo, 'node --test unittests/').roleOf('unittests/a.js')).toBe('test');
    expect(testFileRules(repo, 'python -m pytest src checks').roleOf('src/calc.py')).toBe('code');
    // A file the command runs: sindresorhus's and many small libraries' single check script.
    expect(testFileRules(tree({ 'check.mjs': '', 'index.js': '' }), 'node check.mjs').roleOf('check.mjs')).toBe('test');
    expect(testFileRules(repo, null).roleOf('checks/check_calc.py')).toBe('code');
  });

  it('pytest’s testpaths, in pyproject.toml or an ini file', () => {
    expect(
      testFileRules(
        tree({
          'pyproject.toml': '[tool.pytest.ini_options]\ntestpaths = ["testing", "src"]\n',
          'testing/x.py': '',
          'src/a.py': '',
        }),
        null,
      ).testDirs,
    ).toEqual(['testing']);
    expect(
      testFileRules(
        tree({ 'setup.cfg': '[tool:pytest]\ntestpaths =\n    itests\n    more\n', 'itests/x.py': '', 'more/y.py': '' }),
        null,
      ).testDirs,
    ).toEqual(['itests', 'more']);
  });
});
