import { parseTestOutput } from '../core/loop/parse-test-output.ts';
import { testStatuses } from '../core/loop/test-statuses.ts';
import type { Sandbox } from '../core/ports.ts';
import type { SuiteRun } from '../protocol/eval.ts';

/** A verbose run of thousands of tests is long; its names are the point, so more is kept than for the model. */
const OUTPUT_LIMIT = 8 * 1024 * 1024;

export interface Limits {
  setupTimeoutMs: number;
  commandTimeoutMs: number;
}

/** The repository's setup in the sandbox, as a run's setup goes (network on, setup-only secrets): null when it went through, else why not. */
export async function runSetup(
  sandbox: Sandbox,
  setup: string[],
  cwd: string,
  limits: Limits,
  signal: AbortSignal,
): Promise<string | null> {
  for (const command of setup) {
    const r = await sandbox.run({
      command,
      cwd,
      network: true,
      timeoutMs: limits.setupTimeoutMs,
      outputLimitBytes: 64 * 1024,
      signal,
      stage: 'setup',
    });
    if (r.exitCode !== 0)
      return `setup step \`${command}\` failed (${r.timedOut ? 'timed out' : `exit ${r.exitCode}`}): ${`${r.stdout}\n${r.stderr}`.trim().slice(-1500)}`;
  }
  return null;
}

/** The test command in the sandbox with no network, as the harness runs it for its verdict. */
export async function runSuite(
  sandbox: Sandbox,
  command: string,
  cwd: string,
  limits: Limits,
  signal: AbortSignal,
): Promise<SuiteRun> {
  const r = await sandbox.run({
    command,
    cwd,
    network: false,
    timeoutMs: limits.commandTimeoutMs,
    outputLimitBytes: OUTPUT_LIMIT,
    signal,
  });
  const output = `${r.stdout}\n${r.stderr}`;
  const parsed = parseTestOutput(output);
  const exitCode = r.timedOut ? null : r.exitCode;
  return {
    command,
    exitCode,
    timedOut: r.timedOut,
    passed: parsed.passed,
    failed: parsed.failed ?? (exitCode === 0 ? 0 : null),
    skipped: parsed.skipped,
    failures: parsed.failures,
    statuses: testStatuses(output, cwd)?.tests ?? null,
    durationMs: r.durationMs,
    tail: output.trim().slice(-3000),
  };
}
