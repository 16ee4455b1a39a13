import type { EvalTask, Granularity, SkipCode, SuiteRun, Verdict } from '../protocol/eval.ts';

export type Judged =
  | {
      ok: true;
      granularity: Granularity;
      failToPass: string[];
      passToPass: string[];
      goldPassed: number | null;
      goldFailures: string[];
    }
  | { ok: false; code: SkipCode; message: string };

const SUITE = 'the whole test suite';
const failedIn = (r: SuiteRun) =>
  Object.entries(r.statuses ?? {})
    .filter(([, st]) => st === 'failed')
    .map(([n]) => n)
    .sort();
const passedIn = (r: SuiteRun) =>
  new Set(
    Object.entries(r.statuses ?? {})
      .filter(([, s]) => s === 'passed')
      .map(([n]) => n),
  );

/**
 * SWE-bench's check of a candidate: at the parent with the fix's tests applied (`before`) some
 * tests fail that pass with the whole fix (`after`). FAIL_TO_PASS are those; PASS_TO_PASS the
 * tests that pass in both. By name where both runs name every test; else by the runner's counts
 * and failure names; else by the suite's exit code alone.
 */
export function judgeValidation(before: SuiteRun, after: SuiteRun): Judged {
  if (before.timedOut || after.timedOut)
    return {
      ok: false,
      code: 'timed_out',
      message: `the tests timed out ${before.timedOut ? 'at the parent with the fix’s tests' : 'with the whole fix'}`,
    };
  const gold = { goldPassed: after.passed, goldFailures: after.failures };
  if (before.statuses && after.statuses) {
    const was = passedIn(before);
    const now = passedIn(after);
    const failToPass = [...now].filter((n) => !was.has(n)).sort();
    const passToPass = [...now].filter((n) => was.has(n)).sort();
    if (failToPass.length) return { ok: true, granularity: 'test', failToPass, passToPass, ...gold };
    return before.exitCode === 0
      ? {
          ok: false,
          code: 'passes_before',
          message: 'the fix’s tests already pass at its parent: they do not test what it changed',
        }
      : {
          ok: false,
          code: 'no_fail_to_pass',
          message: `no test that fails at the parent passes with the fix (failing at the parent: ${list(failedIn(before)) || 'none by name'}; with the fix: ${list(failedIn(after)) || 'none by name'})`,
        };
  }
  if (before.passed !== null && after.passed !== null) {
    const fixed = before.failures.filter((f) => !after.failures.includes(f));
    const fewer = (after.failed ?? 0) < (before.failed ?? 0);
    if (!fewer && before.exitCode === 0)
      return {
        ok: false,
        code: 'passes_before',
        message: 'the fix’s tests already pass at its parent: they do not test what it changed',
      };
    if (!fewer)
      return {
        ok: false,
        code: 'fails_after',
        message: `as many tests fail with the fix as without it (${after.failed ?? '?'}: ${list(after.failures) || 'unnamed'})`,
      };
    return {
      ok: true,
      granularity: 'count',
      failToPass: fixed.length
        ? fixed
        : [`${(before.failed ?? 0) - (after.failed ?? 0)} test(s) the runner does not name`],
      passToPass: [],
      ...gold,
    };
  }
  if (before.exitCode === 0)
    return {
      ok: false,
      code: 'passes_before',
      message: 'the test command succeeds at the parent with the fix’s tests',
    };
  if (after.exitCode !== 0)
    return {
      ok: false,
      code: 'fails_after',
      message: `the test command fails with the whole fix (exit ${after.exitCode})`,
    };
  return { ok: true, granularity: 'suite', failToPass: [SUITE], passToPass: [], ...gold };
}

/**
 * Resolved when every FAIL_TO_PASS test now passes and nothing of PASS_TO_PASS fails (by name:
 * a test that no longer runs counts as failing). With counts only: no test fails that did not
 * fail with the fix itself, and at least as many pass. With the exit code only: the suite passes.
 */
export function verdictOf(
  task: Pick<EvalTask, 'granularity' | 'failToPass' | 'passToPass' | 'goldPassed' | 'goldFailures' | 'after'>,
  run: SuiteRun,
): Verdict {
  const total = { failToPass: task.failToPass.length, passToPass: task.passToPass.length };
  if (run.timedOut) return unresolved(total, task.failToPass, [], 'the tests timed out');
  if (task.granularity === 'test') {
    const now = passedIn(run);
    const failing = task.failToPass.filter((n) => !now.has(n));
    const broken = task.passToPass.filter((n) => !now.has(n));
    const verdict: Verdict = {
      resolved: !failing.length && !broken.length,
      failToPass: { passed: total.failToPass - failing.length, total: total.failToPass, failing },
      passToPass: { total: total.passToPass, broken },
      reason: '',
    };
    verdict.reason = verdict.resolved
      ? `all ${total.failToPass} failing test(s) pass, none of ${total.passToPass} passing broke`
      : words(failing, broken, total.failToPass);
    return verdict;
  }
  if (task.granularity === 'count') {
    const still = task.failToPass.filter((n) => run.failures.includes(n));
    const fresh = run.failures.filter((f) => !task.goldFailures.includes(f) && !still.includes(f));
    const tooFew = run.passed === null || (task.goldPassed !== null && run.passed < task.goldPassed);
    const moreFailing = (run.failed ?? Number.POSITIVE_INFINITY) > (task.after.failed ?? 0);
    if (!still.length && !fresh.length && !tooFew && !moreFailing)
      return {
        resolved: true,
        failToPass: { passed: total.failToPass, total: total.failToPass, failing: [] },
        passToPass: { total: 0, broken: [] },
        reason: `the tests that failed pass (${run.passed} pass, ${run.failed ?? 0} fail, as with the fix itself)`,
      };
    const why =
      still.length || fresh.length
        ? words(still, fresh, total.failToPass)
        : `${run.passed ?? 'no'} tests pass and ${run.failed ?? '?'} fail; with the fix itself ${task.goldPassed} pass and ${task.after.failed ?? 0} fail`;
    return unresolved(total, still.length ? still : task.failToPass, fresh, why);
  }
  return run.exitCode === 0
    ? {
        resolved: true,
        failToPass: { passed: 1, total: 1, failing: [] },
        passToPass: { total: 0, broken: [] },
        reason: 'the test suite passes',
      }
    : unresolved(total, [SUITE], [], `the test suite fails (exit ${run.exitCode})`);
}

function unresolved(
  total: { failToPass: number; passToPass: number },
  failing: string[],
  broken: string[],
  reason: string,
): Verdict {
  return {
    resolved: false,
    failToPass: { passed: Math.max(0, total.failToPass - failing.length), total: total.failToPass, failing },
    passToPass: { total: total.passToPass, broken },
    reason,
  };
}

function words(failing: string[], broken: string[], f2p: number): string {
  const parts = [];
  if (failing.length) parts.push(`${failing.length} of ${f2p} failing test(s) still fail: ${list(failing)}`);
  if (broken.length) parts.push(`${broken.length} test(s) that passed now fail: ${list(broken)}`);
  return parts.join('; ');
}

const list = (names: string[]) =>
  names.slice(0, 5).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');
