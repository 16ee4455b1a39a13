import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTestOutput } from '../../src/core/loop/parse-test-output.ts';
import { testStatuses } from '../../src/core/loop/test-statuses.ts';

const real = (name: string) => fs.readFileSync(`fixtures/test-output/${name}.txt`, 'utf8');

describe('testStatuses on real runner output (captured here)', () => {
  it('unittest -v with failing subtests (tomli at the parent of a fix, its tests applied): the method fails, the others pass', () => {
    const r = testStatuses(real('unittest-v-subtests'))!;
    expect(r.format).toBe('unittest');
    expect(Object.keys(r.tests)).toHaveLength(16);
    expect(r.tests['tests.test_data.TestData.test_valid']).toBe('failed');
    expect(r.tests['tests.test_data.TestData.test_invalid']).toBe('passed');
    // The docstring's line sits between the name and `... ok`.
    expect(r.tests['tests.test_misc.TestMiscellaneous.test_types_import']).toBe('passed');
    // The same names parseTestOutput gives the failures.
    expect(parseTestOutput(real('unittest-v-subtests')).failures).toEqual(['tests.test_data.TestData.test_valid']);
  });

  it('node --test, TAP (Node 20 off a terminal): nested suites are paths, suites themselves are not tests', () => {
    expect(testStatuses(real('node20-tap-nested'))).toEqual({
      format: 'tap',
      tests: {
        'math > adds': 'passed',
        'math > nested > subtracts': 'failed',
        'math > skipped one': 'skipped',
        'top level': 'passed',
        adds: 'failed',
        'todo one': 'skipped',
      },
    });
  });

  it('node --test, spec reporter (Node 24): the same tests by the same names; the closing failure list is not counted twice', () => {
    expect(testStatuses(real('node24-spec-nested'))).toEqual({
      format: 'spec',
      tests: {
        'math > adds': 'passed',
        'math > nested > subtracts': 'failed',
        'math > skipped one': 'skipped',
        'top level': 'passed',
        adds: 'failed',
        'todo one': 'skipped',
      },
    });
  });

  it.each(['pytest-rA', 'pytest-v'])('%s: node ids, parametrised cases apart', (file) => {
    const r = testStatuses(real(file))!;
    expect(r.format).toBe('pytest');
    expect(r.tests).toMatchObject({
      'test_x.py::test_a': 'passed',
      'test_x.py::test_b': 'failed',
      'test_x.py::test_p[1]': 'passed',
      'test_x.py::test_p[2]': 'failed',
      'test_x.py::TestK::test_m': 'passed',
    });
  });

  it('cargo test', () => {
    expect(testStatuses(real('cargo-verbose'))).toEqual({
      format: 'cargo',
      tests: { 'tests::adds': 'passed', 'tests::fails': 'failed', 'tests::later': 'skipped' },
    });
  });

  it('vitest --reporter=verbose (colours and all)', () => {
    expect(testStatuses(real('vitest-verbose'))).toEqual({
      format: 'vitest',
      tests: {
        'a.test.ts > math > adds': 'passed',
        'a.test.ts > math > fails': 'failed',
        'a.test.ts > math > later': 'skipped',
        'a.test.ts > top': 'passed',
      },
    });
  });
});

describe('testStatuses', () => {
  it('go test -v, subtests by their path', () => {
    const out =
      '=== RUN   TestAdd\n--- PASS: TestAdd (0.00s)\n=== RUN   TestTable\n    --- FAIL: TestTable/neg (0.00s)\n--- FAIL: TestTable (0.00s)\nFAIL\nFAIL\texample.com/calc\t0.002s\n';
    expect(testStatuses(out)).toEqual({
      format: 'go',
      tests: { TestAdd: 'passed', 'TestTable/neg': 'failed', TestTable: 'failed' },
    });
  });

  it('unittest before Python 3.11 names the class only', () => {
    expect(testStatuses('test_add (tests.test_calc.T) ... FAIL\ntest_sub (tests.test_calc.T) ... ok\n')?.tests).toEqual(
      { 'tests.test_calc.T.test_add': 'failed', 'tests.test_calc.T.test_sub': 'passed' },
    );
  });

  it('one TestCase run per data line, told apart only by its description (idna’s UTS 46 tests): each line is a test', () => {
    const out =
      'runTest (test_idna_uts46.TestIdnaTest.runTest)\nIdnaTestV2.txt line 98: fass.de; ; ; ; ; ;  ... ok\nrunTest (test_idna_uts46.TestIdnaTest.runTest)\nIdnaTestV2.txt line 99: a...b; ; ; ... FAIL\ntestEncode (test_idna.IDNATests.testEncode) ... ok\n\nRan 3 tests in 0.1s\n\nFAILED (failures=1)\n';
    expect(testStatuses(out)?.tests).toEqual({
      'test_idna_uts46.TestIdnaTest.runTest: IdnaTestV2.txt line 98: fass.de; ; ; ; ; ;': 'passed',
      'test_idna_uts46.TestIdnaTest.runTest: IdnaTestV2.txt line 99: a...b; ; ;': 'failed',
      'test_idna.IDNATests.testEncode': 'passed',
    });
  });

  it('a module that does not import is a failed pseudo-test, as unittest names it', () => {
    expect(
      testStatuses(
        'test_more (unittest.loader._FailedTest.test_more) ... ERROR\n\nRan 1 test in 0.000s\n\nFAILED (errors=1)\n',
      )?.tests,
    ).toEqual({ 'unittest.loader._FailedTest.test_more': 'failed' });
  });

  it('the checkout’s path is cut from names, so two checkouts agree', () => {
    const out = (root: string) =>
      `# Subtest: ${root}/test/a.test.js\n    # Subtest: works\n    ok 1 - works\nok 1 - ${root}/test/a.test.js\n`;
    expect(testStatuses(out('/data/w/one'), '/data/w/one')).toEqual(testStatuses(out('/data/w/two'), '/data/w/two/'));
    expect(testStatuses(out('/data/w/one'), '/data/w/one')?.tests).toEqual({ 'test/a.test.js > works': 'passed' });
  });

  it('a name seen twice is failed if either run of it failed', () => {
    expect(testStatuses('ok 1 - adds\nnot ok 2 - adds\nok 3 - adds\nok 4 - subs\n')?.tests).toEqual({
      adds: 'failed',
      subs: 'passed',
    });
  });

  it.each([
    [
      'quiet unittest',
      '..F.\n======\nFAIL: test_add (tests.test_calc.T.test_add)\n----\nRan 4 tests in 0.001s\n\nFAILED (failures=1)\n',
    ],
    ['pytest -q', '..F\nFAILED tests/test_x.py::test_b - assert 0\n1 failed, 2 passed in 0.1s\n'],
    [
      'tape assertions',
      'TAP version 13\n# adds\nok 1 should be strictly equal\n\n1..1\n# tests 1\n# pass  1\n\n# ok\n',
    ],
    ['only skips', "test_a (t.T.test_a) ... skipped 'later'\n"],
    ['nothing at all', 'make: *** [test] Error 1\n'],
  ])('%s: no passing test is named → null (counts only)', (_n, out) => {
    expect(testStatuses(out)).toBeNull();
  });
});
