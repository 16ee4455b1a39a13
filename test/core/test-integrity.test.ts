import { describe, expect, it } from 'vitest';
import type { ChangedFile } from '../../src/core/ports.ts';
import { addedLines } from '../../src/core/loop/line-changes.ts';
import { TOOLING_PATHS } from '../../src/core/loop/repo-rules.ts';
import { testConcerns, type IntegrityInput } from '../../src/core/loop/test-integrity.ts';
import { RUNNER_CONFIG, SKIP_MARKERS, TEST_PATH } from '../../src/core/loop/test-paths.ts';
import type { TestSummary } from '../../src/protocol/run-event.ts';

const summary = (over: Partial<TestSummary>): TestSummary => ({
  command: 'npm test',
  exitCode: 0,
  passed: 3,
  failed: 0,
  skipped: 0,
  failures: [],
  durationMs: 1,
  ...over,
});
const red = summary({ exitCode: 1, passed: 2, failed: 1, failures: ['parses dates'] });
const v = (text: string, mode = '100644') => ({ mode, bytes: Buffer.from(text) });
/** A changed file from its whole old and new texts (null: absent on that side). */
const file = (path: string, before: string | null, after: string | null, mode?: string): ChangedFile => ({
  path,
  before: before === null ? null : v(before),
  after: after === null ? null : v(after, mode),
});
const judge = (files: ChangedFile[], over: Partial<IntegrityInput> = {}) =>
  testConcerns({
    files,
    baseline: summary({}),
    final: summary({}),
    taskText: 'x',
    testCommand: 'npm test',
    ...over,
  }).blocking.join(' | ');
const pkg = (scripts: Record<string, string>, more: Record<string, unknown> = {}) =>
  JSON.stringify({ name: 'x', scripts, ...more }, null, 2);
const source = file('src/date.js', 'return null;\n', 'return parse(x);\n');

describe('testConcerns', () => {
  it('accepts an honest fix: source changed, the failing test now passes, as many tests as before', () => {
    const files = [source, file('test/date.test.js', null, "test('parses ISO', () => {});\n")];
    expect(judge(files, { baseline: red, final: summary({}), taskText: 'parses dates is broken' })).toBe('');
  });

  it('reads whole contents: lines that look like diff headers or hunks are just lines', () => {
    const tricky = file(
      'src/notes.js',
      'a\n',
      'a\n+++ b/test/x.test.js\n--- a/package.json\ndiff --git a/x b/x\n@@ -1 +1 @@\n',
    );
    expect(judge([tricky])).toBe('');
    expect(addedLines('a\n', 'a\n+++ b\n').map((l) => l.text)).toEqual(['+++ b']);
  });

  it('flags deleted test files, but not a test file moved whole', () => {
    const body = "test('x', () => {});\n";
    expect(judge([file('test/date.test.js', body, null), source])).toMatch(/deletes test files: test\/date\.test\.js/);
    expect(judge([file('test/date.test.js', body, null), file('test/dates/date.test.js', null, body), source])).toBe(
      '',
    );
  });

  it('flags a test file emptied, or replaced by a link', () => {
    expect(judge([file('test/a.test.js', "test('x', () => {});\n", '\n'), source])).toMatch(/empties test files/);
    expect(judge([file('test/a.test.js', "test('x', () => {});\n", 'other.js', '120000'), source])).toMatch(
      /empties test files or replaces them with links/,
    );
  });

  // One sample line for every marker: a marker without a sample fails this test, so the list and the samples stay in step.
  const SKIPS = [
    "test.skip('x', () => {})",
    "xit('x', () => {})",
    "fit('x', () => {})",
    'this.skip();',
    '@pytest.mark.skip(reason="flaky")',
    '    pytest.skip("later")',
    '@unittest.skip("later")',
    '        raise unittest.SkipTest("no")',
    '        self.skipTest("no")',
    '\tt.Skip("later")',
    '//go:build ignore',
    '#[ignore]',
    '#[cfg(any())]',
    '@Disabled',
    '    assumeTrue(false);',
    '[Fact(Skip = "later")]',
    '[Ignore]',
    '$this->markTestSkipped();',
    '@tag :skip',
    '  skip "not yet"',
    "test('x', { skip: true }, () => {})",
  ];
  it.each(SKIPS)('flags an added skip marker: %s', (line) => {
    expect(judge([file('test/date.test.js', 'ok\n', `ok\n${line}\n`), source])).toMatch(/marks tests as skipped/);
  });
  it('has a sample line for every skip marker', () => {
    for (const marker of SKIP_MARKERS)
      expect(
        SKIPS.some((l) => marker.test(l)),
        String(marker),
      ).toBe(true);
  });

  it('flags a skip marker hidden from a diff: the file is read whole, whatever attributes or NUL bytes it has', () => {
    const withNul = file('test/date.test.js', "test('x', () => {});\n\0", "test.skip('x', () => {});\n\0");
    expect(judge([withNul, source])).toMatch(/marks tests as skipped/);
    const utf16 = {
      path: 'test/date.test.js',
      before: { mode: '100644', bytes: Buffer.from("\ufefftest('x', () => {});\n", 'utf16le') },
      after: { mode: '100644', bytes: Buffer.from("\ufefftest.skip('x', () => {});\n", 'utf16le') },
    };
    expect(judge([utf16, source])).toMatch(/marks tests as skipped/);
  });

  it('flags an early exit added to a test file', () => {
    expect(judge([file('tests/test_a.py', 'x\n', 'x\nos._exit(0)\n'), source])).toMatch(/ends the test process early/);
  });

  it.each([
    ['the test script itself', pkg({ test: 'vitest run' }), pkg({ test: 'true' }), 'npm test'],
    [
      'a script the test script runs',
      pkg({ test: 'npm run unit', unit: 'node --test' }),
      pkg({ test: 'npm run unit', unit: 'echo ok' }),
      'npm test',
    ],
    [
      'a pre hook of a reached script',
      pkg({ test: 'npm run unit', unit: 'node --test' }),
      pkg({ test: 'npm run unit', unit: 'node --test', preunit: 'exit 0' }),
      'npm test',
    ],
    ['the script the command names', pkg({ check: 'node --test' }), pkg({ check: 'true' }), 'yarn check'],
    [
      'a script run through pnpm run',
      pkg({ 'test:ci': 'node --test' }),
      pkg({ 'test:ci': 'true' }),
      'pnpm run test:ci',
    ],
  ])('flags a change to %s', (_n, before, after, testCommand) => {
    expect(judge([file('package.json', before, after), source], { testCommand })).toMatch(/changes the test script/);
  });

  it('leaves alone scripts the test command does not reach', () => {
    expect(
      judge([
        file('package.json', pkg({ test: 'node --test', build: 'tsc' }), pkg({ test: 'node --test', build: 'tsc -b' })),
        source,
      ]),
    ).toBe('');
  });

  it('flags package.json runner settings, unparseable manifests and dependencies taken from the change itself', () => {
    expect(
      judge([
        file('package.json', pkg({ test: 'jest' }), pkg({ test: 'jest' }, { jest: { testPathIgnorePatterns: ['.'] } })),
        source,
      ]),
    ).toMatch(/how tests are found or run \(package\.json "jest"\)/);
    expect(judge([file('package.json', pkg({ test: 'jest' }), '{ not json'), source])).toMatch(/unreadable as JSON/);
    expect(
      judge([
        file(
          'package.json',
          pkg({ test: 'mocha' }, { devDependencies: { mocha: '^10' } }),
          pkg({ test: 'mocha' }, { devDependencies: { mocha: 'file:./tools/mocha' } }),
        ),
        source,
      ]),
    ).toMatch(/installs dependencies from the change itself \(mocha → file:\.\/tools\/mocha\)/);
  });

  it.each([
    ['sh scripts/test.sh', 'scripts/test.sh'],
    ['./run-tests', 'run-tests'],
    ['node --require=./setup/register.js --test', 'setup/register.js'],
    ['python3 tools/run_tests.py -q', 'tools/run_tests.py'],
  ])('flags a change to a file the test command runs: %s', (testCommand, path) => {
    expect(judge([file(path, 'real\n', 'fake\n'), source], { testCommand })).toMatch(
      /changes files the test command runs/,
    );
  });

  it('flags a change to a file a reached npm script runs, relative to its package', () => {
    const manifest = file('packages/a/package.json', pkg({ test: 'sh ci/test.sh' }), pkg({ test: 'sh ci/test.sh' }));
    expect(judge([manifest, file('packages/a/ci/test.sh', 'real\n', 'fake\n'), source])).toMatch(
      /files the test command runs \(packages\/a\/ci\/test\.sh\)/,
    );
  });

  it('flags an install hook the change adds or edits, and the file it runs: setup runs it before the tests', () => {
    // An attacker session's finding: a postinstall that rewrites the tests while the clean checkout's setup runs.
    const manifest = file(
      'package.json',
      pkg({ test: 'node --test' }),
      pkg({ test: 'node --test', postinstall: 'node tools/postinstall.js' }),
    );
    const hook = file('tools/postinstall.js', null, "require('fs').writeFileSync('test/math.test.js', '')\n");
    const out = judge([manifest, hook, source], { testCommand: 'npm test' });
    expect(out).toMatch(
      /it changes what installing the package runs \(package\.json "postinstall"\), which setup runs/,
    );
    expect(out).toMatch(/files the test command runs \(tools\/postinstall\.js\)/);
    // An install hook the change leaves alone is no concern.
    const same = file('package.json', pkg({ prepare: 'husky' }), pkg({ prepare: 'husky', lint: 'eslint .' }));
    expect(judge([same, source])).toBe('');
  });

  it('counts snapshots as tests: a rewritten expected value is an edited test (the verdict reruns with the old one)', () => {
    for (const p of ['src/__snapshots__/date.test.ts.snap', 'tests/golden/out.snapshot', 'date.snap'])
      expect(TEST_PATH.test(p), p).toBe(true);
    expect(TEST_PATH.test('src/snapshot.js')).toBe(false);
  });

  // One sample path for every runner-config rule.
  const CONFIGS = [
    'vitest.config.ts',
    'jest.setup.js',
    'vitest.workspace.json',
    'jest-preset.js',
    'pytest.toml',
    '.pytest.toml',
    'src/setupTests.ts',
    '.mocharc.yml',
    'conftest.py',
    'sitecustomize.py',
    'lib/evil.pth',
    '.npmrc',
    '.yarnrc.yml',
    '.pnp.cjs',
    '.rspec',
    '.cargo/config.toml',
    'gradle/wrapper/gradle-wrapper.properties',
  ];
  it.each(CONFIGS)('flags a change to runner configuration: %s', (path) => {
    expect(judge([file(path, 'a\n', 'b\n'), source])).toMatch(/how tests are found or run/);
  });
  it('has a sample path for every runner-config rule', () => {
    for (const rule of RUNNER_CONFIG)
      expect(
        CONFIGS.some((p) => rule.test(p)),
        String(rule),
      ).toBe(true);
  });

  it('flags runner sections of shared files, test switches in build files, and the task runner the command goes through', () => {
    expect(
      judge([
        file(
          'pyproject.toml',
          '[project]\nname = "x"\n[tool.pytest.ini_options]\naddopts = "-q"\n',
          '[project]\nname = "x"\n[tool.pytest.ini_options]\naddopts = "-q -k not_dates"\n',
        ),
        source,
      ]),
    ).toMatch(/pyproject\.toml/);
    expect(judge([file('pyproject.toml', '[project]\nname = "x"\n', '[project]\nname = "y"\n'), source])).toBe('');
    expect(judge([file('pom.xml', '<x/>\n', '<x/>\n<skipTests>true</skipTests>\n'), source])).toMatch(/pom\.xml/);
    expect(
      judge([file('Makefile', 'test:\n\tpytest\n', 'test:\n\ttrue\n'), source], { testCommand: 'make test' }),
    ).toMatch(/Makefile/);
    expect(
      judge([file('Makefile', 'build:\n\tcc a.c\n', 'build:\n\tcc -O2 a.c\n'), source], { testCommand: 'npm test' }),
    ).toBe('');
  });

  // Every attribute that changes how git diffs, merges, filters or converts a file.
  it.each([
    'package.json -diff',
    'tests/** binary',
    '*.js diff=evil',
    '* text eol=crlf',
    '*.dat filter=evil',
    '*.c merge=ours',
    '*.txt working-tree-encoding=UTF-16',
    'src/** linguist-generated',
    '*.x ident',
    '*.y -text',
    '[attr]hide -diff -merge',
  ])('flags a .gitattributes rule: %s', (rule) => {
    expect(judge([file('.gitattributes', '# attributes\n', `# attributes\n${rule}\n`), source])).toMatch(
      /changes \.gitattributes, which decides how git diffs/,
    );
    expect(judge([file('sub/.gitattributes', `${rule}\n`, null), source])).toMatch(/changes sub\/\.gitattributes/);
  });

  it('leaves alone a .gitattributes change that only edits comments', () => {
    expect(judge([file('.gitattributes', '# a\n*.png binary\n', '# b\n*.png binary\n'), source])).toBe('');
  });

  it('flags files added where the start ignored them, and ignore rules dropped for tooling paths', () => {
    const added = file('node_modules/.bin/node', null, '#!/bin/sh\n');
    expect(
      judge([added, file('.gitignore', 'node_modules/\n', '\n'), source], {
        unignored: ['node_modules/.bin/node', 'node_modules/x'],
      }),
    ).toMatch(
      /adds files where the repository ignores them \(node_modules\/\.bin\/node\).*stops ignoring tooling or dependency paths \(node_modules\/\)/,
    );
    expect(TOOLING_PATHS).toEqual(expect.arrayContaining(['node_modules/x', '.venv/x', '.pnp.cjs']));
  });

  it('flags fewer tests, and a run that reports none', () => {
    expect(judge([source], { baseline: summary({ passed: 10 }), final: summary({ passed: 7 }) })).toMatch(
      /fewer tests ran than before the change \(7, was 10\)/,
    );
    expect(judge([source], { baseline: summary({ passed: 10 }), final: summary({ passed: null, failed: 0 }) })).toMatch(
      /no longer reports any test/,
    );
  });

  it('flags the task’s own failing test left failing, by name or by file, and not an unrelated one', () => {
    const baseline = {
      ...red,
      failureLocations: [{ name: 'parses dates', path: 'test/date.test.js', line: 3, message: 'x' }],
    };
    const final = summary({ exitCode: 1, passed: 2, failed: 1, failures: ['parses dates'] });
    expect(judge([source], { baseline, final, taskText: 'The test `parses dates` fails' })).toMatch(
      /this task is about still fail.*parses dates/,
    );
    expect(judge([source], { baseline, final, taskText: 'see date.test.js' })).toMatch(/this task is about/);
    expect(judge([source], { baseline, final, taskText: 'Add a logo to the README' })).toBe('');
  });

  it('flags failing tests that the green run does not show passing (the code under test ended the run early)', () => {
    const final = summary({ passed: 3 });
    expect(judge([source], { baseline: red, final, finalPassing: ['test/date.test.js'] })).toMatch(
      /do not show as passing now \(parses dates\)/,
    );
    expect(judge([source], { baseline: red, final, finalPassing: ['parses dates'] })).toBe('');
    expect(judge([source], { baseline: red, final, finalPassing: null })).toBe('');
    // A file that failed to load is listed by its tests once it loads.
    expect(
      judge([source], {
        baseline: summary({ exitCode: 1, failures: ['test/date.test.js'] }),
        final,
        finalPassing: ['parses ISO'],
      }),
    ).toBe('');
  });

  it('flags a green run reached by editing only tests', () => {
    const files = [file('test/date.test.js', 'expect(parse(x)).toBe(1)\n', 'expect(parse(x)).toBe(null)\n')];
    expect(judge(files, { baseline: red, final: summary({}) })).toMatch(/only test files changed/);
  });

  it('flags a pass told by exit code alone when the change adds code that exits with success', () => {
    const counts = { passed: null, failed: null, skipped: null };
    const exit = file(
      'math.js',
      'exports.add = (a, b) => a - b;\n',
      'exports.add = (a, b) => a - b;\nprocess.exit(0);\n',
    );
    expect(
      judge([exit], { baseline: summary({ exitCode: 1, ...counts }), final: summary({ exitCode: 0, ...counts }) }),
    ).toMatch(/only its exit code says it passed.*math\.js/);
    expect(judge([exit], { baseline: red, final: summary({}) })).not.toMatch(/only its exit code/);
  });
});
