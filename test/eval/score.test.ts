import { describe, expect, it } from 'vitest';
import type { SuiteRun } from '../../src/protocol/eval.ts';
import { judgeValidation, verdictOf } from '../../src/eval/score.ts';

const run = (o: Partial<SuiteRun>): SuiteRun => ({
  command: 't',
  exitCode: 0,
  timedOut: false,
  passed: null,
  failed: null,
  skipped: null,
  failures: [],
  statuses: null,
  durationMs: 1,
  tail: '',
  ...o,
});
const named = (
  tests: Record<string, 'passed' | 'failed' | 'skipped'>,
  exitCode = Object.values(tests).includes('failed') ? 1 : 0,
) =>
  run({
    statuses: tests,
    exitCode,
    passed: Object.values(tests).filter((s) => s === 'passed').length,
    failed: Object.values(tests).filter((s) => s === 'failed').length,
    failures: Object.keys(tests).filter((k) => tests[k] === 'failed'),
  });

describe('judgeValidation (SWE-bench: the fix’s tests fail at the parent and pass with the fix)', () => {
  it('by name: FAIL_TO_PASS are the tests passing only with the fix (failed or missing before), PASS_TO_PASS those passing in both', () => {
    const j = judgeValidation(
      named({ a: 'passed', b: 'failed', c: 'passed', d: 'failed' }),
      named({ a: 'passed', b: 'passed', c: 'passed', d: 'failed', e: 'passed' }),
    );
    expect(j).toEqual({
      ok: true,
      granularity: 'test',
      failToPass: ['b', 'e'],
      passToPass: ['a', 'c'],
      goldPassed: 4,
      goldFailures: ['d'],
    });
  });

  it('a module that did not import before: each of its tests passing after is FAIL_TO_PASS', () => {
    const j = judgeValidation(
      named({ 'unittest.loader._FailedTest.test_new': 'failed', 'test_old.T.a': 'passed' }),
      named({ 'test_new.T.x': 'passed', 'test_new.T.y': 'passed', 'test_old.T.a': 'passed' }),
    );
    expect(j).toMatchObject({ ok: true, failToPass: ['test_new.T.x', 'test_new.T.y'], passToPass: ['test_old.T.a'] });
  });

  it.each([
    ['the tests already pass at the parent', named({ a: 'passed' }), named({ a: 'passed' }), 'passes_before'],
    [
      'a failure the fix does not fix (and nothing else fails)',
      named({ a: 'passed', b: 'failed' }),
      named({ a: 'passed', b: 'failed' }),
      'no_fail_to_pass',
    ],
    [
      'a test passing only before',
      named({ a: 'passed', b: 'failed' }, 1),
      named({ a: 'failed', b: 'failed' }),
      'no_fail_to_pass',
    ],
    ['timed out at the parent', run({ timedOut: true, exitCode: null }), named({ a: 'passed' }), 'timed_out'],
    ['timed out with the fix', named({ a: 'failed' }), run({ timedOut: true, exitCode: null }), 'timed_out'],
    [
      'counts: as many fail with the fix',
      run({ exitCode: 1, passed: 3, failed: 1, failures: ['x'] }),
      run({ exitCode: 1, passed: 3, failed: 1, failures: ['x'] }),
      'fails_after',
    ],
    [
      'counts: nothing fails at the parent',
      run({ passed: 4, failed: 0 }),
      run({ passed: 5, failed: 0 }),
      'passes_before',
    ],
    ['exit code only: passes at the parent', run({ exitCode: 0 }), run({ exitCode: 0 }), 'passes_before'],
    ['exit code only: fails with the fix', run({ exitCode: 1 }), run({ exitCode: 2 }), 'fails_after'],
  ])('not a task: %s', (_n, before, after, code) => {
    expect(judgeValidation(before, after)).toMatchObject({ ok: false, code });
  });

  it('by counts and failure names when the runner names no passing test (a quiet unittest)', () => {
    expect(
      judgeValidation(
        run({ exitCode: 1, passed: 3, failed: 2, failures: ['t.A.x', 't.A.y'] }),
        run({ exitCode: 1, passed: 4, failed: 1, failures: ['t.A.y'] }),
      ),
    ).toEqual({
      ok: true,
      granularity: 'count',
      failToPass: ['t.A.x'],
      passToPass: [],
      goldPassed: 4,
      goldFailures: ['t.A.y'],
    });
    expect(
      judgeValidation(run({ exitCode: 1, passed: 3, failed: 2 }), run({ exitCode: 0, passed: 5, failed: 0 })),
    ).toMatchObject({ ok: true, granularity: 'count', failToPass: ['2 test(s) the runner does not name'] });
  });

  it('by the exit code when the output is not a runner’s it knows', () => {
    expect(judgeValidation(run({ exitCode: 1 }), run({ exitCode: 0 }))).toMatchObject({
      ok: true,
      granularity: 'suite',
      failToPass: ['the whole test suite'],
    });
  });
});

describe('verdictOf: resolved when FAIL_TO_PASS pass and PASS_TO_PASS still pass', () => {
  const byName = {
    granularity: 'test' as const,
    failToPass: ['b', 'e'],
    passToPass: ['a', 'c'],
    goldPassed: 4,
    goldFailures: ['d'],
    after: named({ a: 'passed', b: 'passed', c: 'passed', d: 'failed', e: 'passed' }),
  };

  it('every FAIL_TO_PASS passes and every PASS_TO_PASS still does (a pre-existing failure stays allowed)', () => {
    expect(verdictOf(byName, named({ a: 'passed', b: 'passed', c: 'passed', d: 'failed', e: 'passed' }))).toMatchObject(
      { resolved: true, failToPass: { passed: 2, total: 2, failing: [] }, passToPass: { total: 2, broken: [] } },
    );
  });

  it.each([
    [
      'a FAIL_TO_PASS test still fails',
      { a: 'passed', b: 'failed', c: 'passed', e: 'passed' },
      { failing: ['b'], broken: [] },
    ],
    ['a FAIL_TO_PASS test no longer runs', { a: 'passed', b: 'passed', c: 'passed' }, { failing: ['e'], broken: [] }],
    [
      'a PASS_TO_PASS test now fails',
      { a: 'failed', b: 'passed', c: 'passed', e: 'passed' },
      { failing: [], broken: ['a'] },
    ],
    ['a PASS_TO_PASS test no longer runs', { b: 'passed', c: 'passed', e: 'passed' }, { failing: [], broken: ['a'] }],
    [
      'a PASS_TO_PASS test is now skipped',
      { a: 'skipped', b: 'passed', c: 'passed', e: 'passed' },
      { failing: [], broken: ['a'] },
    ],
  ] as const)('unresolved: %s', (_n, tests, expected) => {
    const v = verdictOf(byName, named(tests));
    expect(v.resolved).toBe(false);
    expect([v.failToPass.failing, v.passToPass.broken]).toEqual([expected.failing, expected.broken]);
    expect(v.reason).toMatch(/still fail|now fail/);
  });

  it('unresolved: the run names no test at all (the suite crashed, or the test command was replaced)', () => {
    expect(verdictOf(byName, run({ exitCode: 0, tail: 'nothing here' }))).toMatchObject({
      resolved: false,
      failToPass: { failing: ['b', 'e'] },
      passToPass: { broken: ['a', 'c'] },
    });
  });

  it('unresolved: timed out', () => {
    expect(verdictOf(byName, run({ timedOut: true, exitCode: null }))).toMatchObject({
      resolved: false,
      reason: 'the tests timed out',
    });
  });

  const byCount = {
    granularity: 'count' as const,
    failToPass: ['t.A.x'],
    passToPass: [],
    goldPassed: 4,
    goldFailures: ['t.A.y'],
    after: run({ exitCode: 1, passed: 4, failed: 1, failures: ['t.A.y'] }),
  };
  it.each([
    ['as with the fix', run({ exitCode: 1, passed: 4, failed: 1, failures: ['t.A.y'] }), true],
    ['more tests pass (the run added its own)', run({ exitCode: 1, passed: 6, failed: 1, failures: ['t.A.y'] }), true],
    ['the failing test still fails', run({ exitCode: 1, passed: 4, failed: 2, failures: ['t.A.x', 't.A.y'] }), false],
    ['another test fails', run({ exitCode: 1, passed: 3, failed: 2, failures: ['t.A.y', 't.B.z'] }), false],
    ['fewer tests run', run({ exitCode: 1, passed: 2, failed: 1, failures: ['t.A.y'] }), false],
    ['no counts at all', run({ exitCode: 0 }), false],
  ])('by counts: %s', (_n, r, resolved) => {
    expect(verdictOf(byCount, r).resolved).toBe(resolved);
  });

  it.each([
    [0, true],
    [1, false],
  ])('by the exit code: exit %i', (exitCode, resolved) => {
    expect(
      verdictOf(
        {
          granularity: 'suite',
          failToPass: ['the whole test suite'],
          passToPass: [],
          goldPassed: null,
          goldFailures: [],
          after: run({}),
        },
        run({ exitCode }),
      ).resolved,
    ).toBe(resolved);
  });
});
