import type { Item } from '../../protocol/run-event.ts';
import type { ProjectEnvironment, RunEnvironment, ToolchainRequirement } from '../../protocol/toolchain.ts';
import type { Sandbox, ToolchainSource } from '../ports.ts';
import { untilAborted } from './deadline.ts';
import { missingPrograms, missingProgramText } from './missing-programs.ts';
import { prepareEnvironment } from './prepare-environment.ts';

export interface SetupInput {
  setup: string[];
  toolchain?: ToolchainRequirement[];
  environment?: ProjectEnvironment;
  needs?: Array<{ path: string; why: string }>;
  setupTimeoutMs: number;
  outputLimitBytes: number;
}

export interface SetupDeps {
  sandbox: Sandbox;
  root: string;
  toolchains?: ToolchainSource;
  nextId: () => string;
  /** `item.started` / `item.completed` for each command, as the run shows them. */
  show: (kind: 'item.started' | 'item.completed', item: Item) => void;
  /** Throws when the run was stopped. */
  checkAbort: () => void;
}

export type SetupDone =
  | { ok: true; sandbox: Sandbox; environment: RunEnvironment; provided: string[]; commands: string[] }
  | { ok: false; summary: string; commands: string[] };

/**
 * The run's setup phase: the project's environment (toolchains the app provides, a Python
 * project's virtual environment), then the setup commands in it, each shown as a command item.
 * A failure says which step, with the likely cause (a toolchain older than asked, a mirror the
 * sandbox cannot see).
 */
export async function runSetup(input: SetupInput, deps: SetupDeps, signal: AbortSignal): Promise<SetupDone> {
  const made: string[] = [];
  let id = '';
  const base = (command: string) => ({ id, kind: 'command_execution' as const, command, cwd: deps.root });
  const started = (command: string) => {
    id = deps.nextId();
    deps.show('item.started', { ...base(command), exitCode: null, durationMs: 0, output: '' });
  };
  const completed = (
    command: string,
    res: { exitCode: number | null; durationMs: number; stdout: string; stderr: string },
  ) =>
    deps.show('item.completed', {
      ...base(command),
      exitCode: res.exitCode,
      durationMs: res.durationMs,
      output: `${res.stdout}\n${res.stderr}`.trim(),
    });
  const prepared = await untilAborted(
    prepareEnvironment(
      {
        toolchain: input.toolchain ?? [],
        environment: input.environment ?? {},
        root: deps.root,
        setupTimeoutMs: input.setupTimeoutMs,
        ...(input.needs ? { needs: input.needs } : {}),
      },
      // The commands that make the environment are shown like setup steps; one runs at a time.
      {
        sandbox: deps.sandbox,
        ...(deps.toolchains ? { toolchains: deps.toolchains } : {}),
        started: (command) => (made.push(command), started(command)),
        completed,
      },
      signal,
    ),
    signal,
  );
  const commands = [...made, ...input.setup];
  deps.checkAbort();
  if (prepared.problem) return { ok: false, summary: prepared.problem, commands };
  const { sandbox } = prepared;
  // An older toolchain than the repository asks for, or a mirror out of sight, is named with any setup failure: it is the likely cause.
  const causes = [...prepared.notes.filter((n) => n.older).map((n) => n.text), ...prepared.unseen];
  const likely = causes.length ? `\n\nLikely why: ${causes.join('; ')}.` : '';
  const missing = input.setup.length ? await missingPrograms(sandbox, input.setup, deps.root, signal) : [];
  if (missing.length)
    return { ok: false, summary: missingProgramText(missing, input.setup, 'setup', input.environment), commands };
  for (const command of input.setup) {
    deps.checkAbort();
    started(command);
    const res = await sandbox.run({
      command,
      cwd: deps.root,
      network: true,
      timeoutMs: input.setupTimeoutMs,
      outputLimitBytes: input.outputLimitBytes,
      signal,
      stage: 'setup',
    });
    completed(command, res);
    deps.checkAbort();
    if (res.exitCode !== 0) {
      const output = `${res.stdout}\n${res.stderr}`.trim();
      return {
        ok: false,
        summary: `setup step \`${command}\` failed (${res.timedOut ? 'timed out' : `exit ${res.exitCode}`}):\n${output.slice(-2000)}${likely}`,
        commands,
      };
    }
  }
  return { ok: true, sandbox, environment: prepared.environment, provided: prepared.provided, commands };
}
