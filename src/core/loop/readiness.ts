import type { TestSummary } from '../../protocol/run-event.ts';
import type { Sandbox, WorkspaceFiles } from '../ports.ts';
import type { ToolchainRequirement } from '../../protocol/toolchain.ts';
import { missingPrograms, missingProgramText } from './missing-programs.ts';
import { toolchainNotes } from './toolchain-check.ts';
import { runTests } from './run-tests.ts';

export interface ReadinessInput {
  setup: string[];
  test: string | null;
  setupTimeoutMs: number;
  commandTimeoutMs: number;
  /** What the repository asks for; compared with the worker's versions first. */
  toolchain?: ToolchainRequirement[];
}

export interface ReadinessReport {
  ready: boolean;
  setup: Array<{ command: string; exitCode: number | null; durationMs: number; tail: string }>;
  baseline: TestSummary | null;
  /** What is wrong, in words a maintainer can act on, with what to put in `.github/agent.yml`. */
  problems: string[];
  /** Toolchain versions that differ from what the repository asks for (an older one is also a problem when something fails). */
  toolchain: string[];
  durationMs: number;
}

/**
 * What a run would meet before the model is asked anything: setup in the sandbox, then the
 * baseline test run. Ready means setup works and the test command runs and names its tests.
 */
export async function checkReadiness(input: ReadinessInput, deps: { sandbox: Sandbox; files: WorkspaceFiles }, signal: AbortSignal): Promise<ReadinessReport> {
  const started = Date.now();
  const report: ReadinessReport = { ready: false, setup: [], baseline: null, problems: [], toolchain: [], durationMs: 0 };
  const notes = await toolchainNotes(deps.sandbox, input.toolchain ?? [], deps.files.root, signal);
  report.toolchain = notes.map((n) => n.text);
  const finish = () => {
    // Something failed and the worker's toolchain is older than asked: that is the first thing to fix.
    if (report.problems.length) report.problems.unshift(...notes.filter((n) => n.older).map((n) => n.text));
    report.durationMs = Date.now() - started;
    report.ready = report.problems.length === 0;
    return report;
  };
  const missing = await missingPrograms(deps.sandbox, input.setup, deps.files.root, signal);
  if (missing.length) return (report.problems.push(missingProgramText(missing, input.setup, 'setup')), finish());
  for (const command of input.setup) {
    const res = await deps.sandbox.run({ command, cwd: deps.files.root, network: true, timeoutMs: input.setupTimeoutMs, outputLimitBytes: 64 * 1024, signal, stage: 'setup' });
    const tail = `${res.stdout}\n${res.stderr}`.trim().split('\n').slice(-15).join('\n');
    report.setup.push({ command, exitCode: res.timedOut ? null : res.exitCode, durationMs: res.durationMs, tail });
    if (res.exitCode !== 0) {
      report.problems.push(`setup step \`${command}\` ${res.timedOut ? 'timed out' : `failed (exit ${res.exitCode})`}; if it is not how this repository installs, set \`setup:\` in .github/agent.yml`);
      return finish();
    }
  }
  if (!input.test) return (report.problems.push('no test command was found: set `test:` in .github/agent.yml to the command that runs the unit tests'), finish());
  const missingTest = await missingPrograms(deps.sandbox, [input.test], deps.files.root, signal);
  if (missingTest.length) return (report.problems.push(missingProgramText(missingTest, [input.test], 'test')), finish());
  const run = await runTests(deps.sandbox, input.test, deps.files.root, input.commandTimeoutMs, signal);
  report.baseline = run.summary;
  const s = run.summary;
  if (s.exitCode === null) report.problems.push(`the test command \`${input.test}\` did not finish within ${Math.round(input.commandTimeoutMs / 1000)} s: set a faster \`test:\` in .github/agent.yml, or raise PATCHWRIGHT_COMMAND_TIMEOUT_SECONDS`);
  else if (s.exitCode !== 0 && s.passed === null && s.failures.length === 0) {
    report.problems.push(`the test command \`${input.test}\` fails (exit ${s.exitCode}) before any test is named: ${lastLine(run.tail)}; set \`test:\` in .github/agent.yml to the command that runs the unit tests`);
  }
  return finish();
}

function lastLine(tail: string): string {
  return tail.trim().split('\n').filter((l) => l.trim()).slice(-1)[0]?.slice(0, 200) ?? 'no output';
}
