import type { TestSummary } from '../../protocol/run-event.ts';
import type { Sandbox } from '../ports.ts';
import { locateFailures } from './failure-locations.ts';
import { parseTestOutput } from './parse-test-output.ts';

export interface TestRun {
  summary: TestSummary;
  tail: string;
  /** Names the output shows passing, or null when its format does not list every test. */
  passing: string[] | null;
}

/** The harness runs the suite itself; the model's word counts for nothing. */
export async function runTests(
  sandbox: Sandbox,
  command: string,
  cwd: string,
  timeoutMs: number,
  signal: AbortSignal,
  exists?: (rel: string) => Promise<boolean>,
): Promise<TestRun> {
  const res = await sandbox.run({ command, cwd, network: false, timeoutMs, outputLimitBytes: 256 * 1024, signal });
  const output = `${res.stdout}\n${res.stderr}`;
  const parsed = parseTestOutput(output);
  const exitCode = res.timedOut ? null : res.exitCode;
  const locations = exists && parsed.failures.length ? await locateFailures(output, parsed.failures, cwd, exists) : [];
  return {
    summary: {
      command,
      exitCode,
      passed: parsed.passed,
      failed: parsed.failed ?? (exitCode === 0 ? 0 : null),
      skipped: parsed.skipped,
      failures: parsed.failures,
      ...(locations.length ? { failureLocations: locations } : {}),
      durationMs: res.durationMs,
    },
    tail: (res.timedOut ? `[timed out after ${timeoutMs} ms]\n` : '') + output.slice(-4000),
    passing: parsed.passing ?? null,
  };
}

/**
 * Green, or no worse than the baseline: every failing test already failed before the change
 * (by name, where the runner names them). Pre-existing failures are never blamed on the change.
 */
export function isGreen(final: TestSummary, baseline: TestSummary | null): boolean {
  if (final.exitCode === 0) return true;
  if (!baseline || baseline.exitCode === 0 || final.exitCode === null) return false;
  if (final.failures.length === 0 || baseline.failures.length === 0) return false;
  const before = new Set(baseline.failures);
  return final.failures.every((f) => before.has(f));
}

export function newFailures(final: TestSummary, baseline: TestSummary | null): string[] {
  const before = new Set(baseline?.failures ?? []);
  return final.failures.filter((f) => !before.has(f));
}
