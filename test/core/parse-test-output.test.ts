import { describe, expect, it } from 'vitest';
import { parseTestOutput } from '../../src/core/loop/parse-test-output.ts';

describe('parseTestOutput', () => {
  it.each([
    [
      'node --test',
      'not ok 2 - adds negative numbers\n  ---\n# tests 3\n# suites 0\n# pass 2\n# fail 1\n# cancelled 0\n# skipped 0\n# todo 0\n',
      { passed: 2, failed: 1, skipped: 0, failures: ['adds negative numbers'], format: 'tap' },
    ],
    [
      'node --test spec reporter',
      '✔ adds (1.6ms)\n✖ multiplies (1.7ms)\nℹ tests 2\nℹ suites 0\nℹ pass 1\nℹ fail 1\nℹ cancelled 0\nℹ skipped 0\nℹ todo 0\n\n✖ failing tests:\n\ntest at test/mul.test.js:3:1\n✖ multiplies (1.7ms)\n',
      { passed: 1, failed: 1, skipped: 0, failures: ['multiplies'], format: 'tap' },
    ],
    [
      'TAP with ok lines is not go',
      'TAP version 13\nok 1 - adds\n1..1\n# tests 1\n# pass 1\n# fail 0\n',
      { passed: 1, failed: 0, format: 'tap' },
    ],
    [
      'vitest',
      ' × test/a.test.ts > math > adds 3ms\n Test Files  1 failed (1)\n      Tests  1 failed | 4 passed | 1 skipped (6)\n',
      { passed: 4, failed: 1, skipped: 1, format: 'vitest' },
    ],
    [
      'jest',
      '  ● math › adds\n\nTests:       1 failed, 2 skipped, 9 passed, 12 total\n',
      { passed: 9, failed: 1, skipped: 2, failures: ['math › adds'], format: 'jest' },
    ],
    [
      'pytest',
      'FAILED tests/test_calc.py::test_add - assert 1 == 2\n========= 1 failed, 7 passed, 2 skipped in 0.12s =========\n',
      { passed: 7, failed: 1, skipped: 2, failures: ['tests/test_calc.py::test_add'], format: 'pytest' },
    ],
    [
      'unittest',
      'FAIL: test_add (tests.test_calc.T.test_add)\n----\nRan 5 tests in 0.001s\n\nFAILED (failures=1, skipped=1)\n',
      { passed: 3, failed: 1, skipped: 1, format: 'unittest' },
    ],
    ['unittest ok', 'Ran 2 tests in 0.000s\n\nOK\n', { passed: 2, failed: 0, skipped: 0, format: 'unittest' }],
    [
      'go test',
      '--- FAIL: TestAdd (0.00s)\n--- PASS: TestSub (0.00s)\nFAIL\nFAIL\texample.com/calc\t0.002s\n',
      { passed: 1, failed: 1, failures: ['TestAdd'], format: 'go' },
    ],
    [
      'cargo',
      'test tests::adds ... FAILED\ntest result: FAILED. 3 passed; 1 failed; 2 ignored; 0 measured\n',
      { passed: 3, failed: 1, skipped: 2, failures: ['tests::adds'], format: 'cargo' },
    ],
    [
      'JUnit XML',
      '<testsuite name="s" tests="4" failures="1" errors="0" skipped="1"><testcase name="adds"><failure/></testcase></testsuite>',
      { passed: 2, failed: 1, skipped: 1, failures: ['adds'], format: 'junit' },
    ],
  ])('%s', (_name, output, expected) => {
    expect(parseTestOutput(output)).toMatchObject(expected);
  });

  it.each([
    ['uvu', { passed: 15, failed: 0, skipped: 0, failures: [], format: 'uvu' }],
    ['uvu-fail', { passed: 14, failed: 1, skipped: 0, failures: ['codes'], format: 'uvu' }],
    ['ava', { passed: 20, failed: 0, skipped: 0, failures: [], format: 'ava' }],
    ['ava-fail', { passed: 19, failed: 1, skipped: 0, failures: ['main'], format: 'ava' }],
  ])('real %s output (captured from lukeed/kleur and sindresorhus/slugify)', async (file, expected) => {
    const fs = await import('node:fs');
    expect(parseTestOutput(fs.readFileSync(`fixtures/test-output/${file}.txt`, 'utf8'))).toEqual(expected);
  });

  it('returns null counts for output it does not know', () => {
    expect(parseTestOutput('all good!')).toEqual({
      passed: null,
      failed: null,
      skipped: null,
      failures: [],
      format: null,
    });
  });
});
