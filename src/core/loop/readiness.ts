import type { TestSummary } from '../../protocol/run-event.ts';
import type { Sandbox, ToolchainSource, WorkspaceFiles } from '../ports.ts';
import type { ProjectEnvironment, RunEnvironment, ToolchainRequirement } from '../../protocol/toolchain.ts';
import { missingPrograms, missingProgramText } from './missing-programs.ts';
import { prepareEnvironment } from './prepare-environment.ts';
import { runTests } from './run-tests.ts';

export interface ReadinessInput {
  setup: string[];
  test: string | null;
  setupTimeoutMs: number;
  commandTimeoutMs: number;
  /** What the repository asks for; compared with the worker's versions first, and provided where the app can. */
  toolchain?: ToolchainRequirement[];
  /** Where the commands run (a Python project's virtual environment), made before setup. */
  environment?: ProjectEnvironment;
  /** Host paths the deployment's settings name for setup (its pip mirror), checked to be visible in the sandbox. */
  needs?: Array<{ path: string; why: string }>;
}

export interface ReadinessReport {
  ready: boolean;
  setup: Array<{ command: string; exitCode: number | null; durationMs: number; tail: string }>;
  baseline: TestSummary | null;
  /** What is wrong, in words a maintainer can act on, with what to put in `.github/agent.yml`. */
  problems: string[];
  /** Toolchain versions that differ from what the repository asks for (an older one is also a problem when something fails). */
  toolchain: string[];
  /** What the app fetched for the run (a Node version the repository asks for). */
  provided: string[];
  /** The folders first on PATH and the values every command got. */
  environment: RunEnvironment;
  durationMs: number;
}

/**
 * What a run would meet before the model is asked anything: setup in the sandbox, then the
 * baseline test run. Ready means setup works and the test command runs and names its tests.
 */
export async function checkReadiness(
  input: ReadinessInput,
  deps: { sandbox: Sandbox; files: WorkspaceFiles; toolchains?: ToolchainSource },
  signal: AbortSignal,
): Promise<ReadinessReport> {
  const started = Date.now();
  const report: ReadinessReport = {
    ready: false,
    setup: [],
    baseline: null,
    problems: [],
    toolchain: [],
    provided: [],
    environment: { path: [], vars: {} },
    durationMs: 0,
  };
  const prepared = await prepareEnvironment(
    {
      toolchain: input.toolchain ?? [],
      environment: input.environment ?? {},
      root: deps.files.root,
      setupTimeoutMs: input.setupTimeoutMs,
      ...(input.needs ? { needs: input.needs } : {}),
    },
    {
      sandbox: deps.sandbox,
      ...(deps.toolchains ? { toolchains: deps.toolchains } : {}),
      completed: (command, res) => report.setup.push(step(command, res)),
    },
    signal,
  );
  const { notes, sandbox } = prepared;
  report.toolchain = [...notes.map((n) => n.text), ...prepared.unseen];
  report.provided = prepared.provided;
  report.environment = prepared.environment;
  const finish = () => {
    // Something failed and the worker's toolchain is older than asked, or the mirror is out of sight: that is the first thing to fix.
    if (report.problems.length)
      report.problems.unshift(...notes.filter((n) => n.older).map((n) => n.text), ...prepared.unseen);
    report.durationMs = Date.now() - started;
    report.ready = report.problems.length === 0;
    return report;
  };
  if (prepared.problem) return (report.problems.push(prepared.problem), finish());
  const missing = await missingPrograms(sandbox, input.setup, deps.files.root, signal);
  if (missing.length) return (report.problems.push(missingProgramText(missing, input.setup, 'setup')), finish());
  for (const command of input.setup) {
    const res = await sandbox.run({
      command,
      cwd: deps.files.root,
      network: true,
      timeoutMs: input.setupTimeoutMs,
      outputLimitBytes: 64 * 1024,
      signal,
      stage: 'setup',
    });
    report.setup.push(step(command, res));
    if (res.exitCode !== 0) {
      report.problems.push(
        `setup step \`${command}\` ${res.timedOut ? 'timed out' : `failed (exit ${res.exitCode})`}; if it is not how this repository installs, set \`setup:\` in .github/agent.yml`,
      );
      return finish();
    }
  }
  if (!input.test)
    return (
      report.problems.push(
        'no test command was found: set `test:` in .github/agent.yml to the command that runs the unit tests',
      ),
      finish()
    );
  const missingTest = await missingPrograms(sandbox, [input.test], deps.files.root, signal);
  if (missingTest.length)
    return (report.problems.push(missingProgramText(missingTest, [input.test], 'test')), finish());
  const run = await runTests(sandbox, input.test, deps.files.root, input.commandTimeoutMs, signal);
  report.baseline = run.summary;
  const s = run.summary;
  if (s.exitCode === null)
    report.problems.push(
      `the test command \`${input.test}\` did not finish within ${Math.round(input.commandTimeoutMs / 1000)} s: set a faster \`test:\` in .github/agent.yml, or raise PATCHWRIGHT_COMMAND_TIMEOUT_SECONDS`,
    );
  else if (s.exitCode !== 0 && s.passed === null && s.failures.length === 0) {
    report.problems.push(
      `the test command \`${input.test}\` fails (exit ${s.exitCode}) before any test is named: ${lastLine(run.tail)}; set \`test:\` in .github/agent.yml to the command that runs the unit tests`,
    );
  }
  return finish();
}

function step(
  command: string,
  res: { stdout: string; stderr: string; exitCode: number | null; timedOut: boolean; durationMs: number },
): ReadinessReport['setup'][number] {
  const tail = `${res.stdout}\n${res.stderr}`.trim().split('\n').slice(-15).join('\n');
  return { command, exitCode: res.timedOut ? null : res.exitCode, durationMs: res.durationMs, tail };
}

function lastLine(tail: string): string {
  return (
    tail
      .trim()
      .split('\n')
      .filter((l) => l.trim())
      .slice(-1)[0]
      ?.slice(0, 200) ?? 'no output'
  );
}
