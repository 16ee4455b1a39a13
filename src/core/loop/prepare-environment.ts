import type { ProjectEnvironment, RunEnvironment, ToolchainRequirement } from '../../protocol/toolchain.ts';
import type { Sandbox, SandboxResult, ToolchainSource } from '../ports.ts';
import {
  chooseVersion,
  compare,
  toolchainNotes,
  versionOf,
  workerVersions,
  type ToolchainNote,
} from './toolchain-check.ts';

export interface EnvironmentInput {
  toolchain: ToolchainRequirement[];
  environment: ProjectEnvironment;
  /** The worktree, as the sandbox sees it. */
  root: string;
  setupTimeoutMs: number;
  /** Host paths the deployment's settings name for setup (a pip mirror's folders), and which setting names each. */
  needs?: Array<{ path: string; why: string }>;
}

export interface EnvironmentDeps {
  sandbox: Sandbox;
  /** Toolchain versions the app can fetch itself (Node from the npm registry); absent, none is. */
  toolchains?: ToolchainSource;
  /** Told about each command that makes the environment, before and after it runs, so the caller can show it. */
  started?: (command: string) => void;
  completed?: (command: string, result: SandboxResult) => void;
}

export interface PreparedEnvironment {
  /** The sandbox every later command of the run goes through: the environment's folders first on PATH. */
  sandbox: Sandbox;
  environment: RunEnvironment;
  /** How the worker's toolchain differs from what the repository asks for, once the app provided what it could. */
  notes: ToolchainNote[];
  /** What the app fetched for this run, in words (`Node 22.12.0 from …, for the Node >=22 that package.json asks for`). */
  provided: string[];
  /** Paths the deployment's settings name that the sandbox does not see: the likely cause when setup fails. */
  unseen: string[];
  /** Why the environment could not be made: the run cannot go on. */
  problem: string | null;
}

/** Every command through `sandbox` gets `environment` on top of what it asks for. */
export function withEnvironment(sandbox: Sandbox, environment: RunEnvironment): Sandbox {
  if (!environment.path.length && !Object.keys(environment.vars).length) return sandbox;
  return {
    kind: sandbox.kind,
    run: (o) =>
      sandbox.run({
        ...o,
        environment: {
          path: [...(o.environment?.path ?? []), ...environment.path],
          vars: { ...environment.vars, ...o.environment?.vars },
        },
      }),
  };
}

/**
 * Before setup: the toolchain the repository asks for, where the app can provide it (first on
 * PATH), and a Python project's virtual environment in the worktree (`.venv`, ignored by git
 * through its own `*` .gitignore), which every later command uses: its bin first on PATH and
 * VIRTUAL_ENV set. uv makes its own environment in `.venv` on `uv sync`.
 */
export async function prepareEnvironment(
  input: EnvironmentInput,
  deps: EnvironmentDeps,
  signal: AbortSignal,
): Promise<PreparedEnvironment> {
  const python = input.environment.python;
  const venvKey = python ? `venv:${python.venv}` : '';
  // The deployment's package index folders matter to Python's installers: checked for a Python project only.
  const needs = python ? (input.needs ?? []) : [];
  const tools = [
    ...new Set([
      ...input.toolchain.map((t) => t.tool),
      ...(python ? ['python', 'uv', venvKey] : []),
      ...needs.map((n) => `path:${n.path}`),
    ]),
  ];
  const probe = tools.length
    ? await workerVersions(deps.sandbox, tools, input.root, signal)
    : new Map<string, string>();
  const verdict = (want: ToolchainRequirement) => {
    const raw = probe.get(want.tool);
    const have = raw ? versionOf(raw) : undefined;
    return have ? compare(have, raw!, want) : 'missing';
  };
  const env: RunEnvironment = { path: [], vars: {} };
  const provided: string[] = [];
  const unavailable = new Map<string, string>();
  for (const want of input.toolchain) {
    if (!deps.toolchains?.tools.includes(want.tool) || ['ok', 'unknown'].includes(verdict(want))) continue;
    const got = await deps.toolchains.provide({ want, choose: (versions) => chooseVersion(versions, want) }, signal);
    if ('unavailable' in got) unavailable.set(want.tool, got.unavailable);
    else {
      env.path.push(got.bin);
      provided.push(
        `${NAMES[want.tool]} ${got.version} from ${got.source}, for the ${want.wants} that ${want.file} asks for`,
      );
    }
  }
  let problem: string | null = null;
  let made = false;
  if (python && python.manager !== 'uv' && !probe.has(venvKey)) {
    if (!probe.has('python'))
      problem = `this is a Python project (${python.file}) and the worker has no Python: install python3 and python3-venv on the worker (Debian, Ubuntu: apt-get install python3-venv)`;
    else {
      const want = input.toolchain.find((t) => t.tool === 'python');
      // A newer Python than the worker's: uv fetches it, when the worker has uv.
      // The version as a specifier uv reads; anything else in it (the repository wrote it) and uv is not asked.
      const spec = want?.wants.trim().replace(/\s+/g, ',');
      const viaUv = want && spec && /^[\d.,<>=!~*]+$/.test(spec) && verdict(want) === 'older' && probe.has('uv');
      const command = `${viaUv ? `uv venv --seed --python '${spec}'` : 'python3 -m venv'} ${python.venv} && echo '*' > ${python.venv}/.gitignore`;
      deps.started?.(command);
      const res = await deps.sandbox.run({
        command,
        cwd: input.root,
        network: true,
        timeoutMs: input.setupTimeoutMs,
        outputLimitBytes: 64 * 1024,
        signal,
        stage: 'setup',
      });
      deps.completed?.(command, res);
      made = res.exitCode === 0;
      if (!made) problem = venvProblem(python.venv, command, res);
    }
  }
  if (python) {
    const venv = `${input.root.replace(/\/$/, '')}/${python.venv}`;
    env.path.unshift(`${venv}/bin`);
    // hatch keeps environments of its own and is only run from here (a setup's `pip install hatch`): it is not told of this one.
    if (python.manager !== 'hatch') env.vars.VIRTUAL_ENV = venv;
    // Poetry uses the active environment; should it look for its own, the project's folder is the one.
    if (python.manager === 'poetry') env.vars.POETRY_VIRTUALENVS_IN_PROJECT = 'true';
  }
  const sandbox = withEnvironment(deps.sandbox, env);
  // What the commands will see: asked again when the app put a toolchain of its own first on PATH (it must run in there).
  const notes = await toolchainNotes(sandbox, input.toolchain, input.root, signal, {
    unavailable,
    ...(provided.length || made ? {} : { have: probe }),
  });
  const unseen = unseenText(needs.filter((n) => !probe.has(`path:${n.path}`)));
  return { sandbox, environment: env, notes, provided, unseen, problem };
}

/** One line per setting: what it needs that the sandbox does not see, and the one folder to name for all of it. */
function unseenText(missing: Array<{ path: string; why: string }>): string[] {
  const bySetting = new Map<string, string[]>();
  for (const m of missing) bySetting.set(m.why, [...(bySetting.get(m.why) ?? []), m.path]);
  return [...bySetting].map(([why, paths]) => {
    if (paths.length === 1)
      return `${why} needs ${paths[0]}, which the sandbox does not see: add it (or a folder holding it) to PATCHWRIGHT_SANDBOX_PATHS`;
    const parts = paths.map((p) => p.split('/'));
    const differ = parts[0]!.findIndex((seg, i) => parts.some((q) => q[i] !== seg));
    const common = parts[0]!.slice(0, differ < 0 ? undefined : differ).join('/') || '/';
    return `${why} needs ${paths.join(' and ')}, which the sandbox does not see: add ${common} (holding them) to PATCHWRIGHT_SANDBOX_PATHS`;
  });
}

const NAMES: Record<ToolchainRequirement['tool'], string> = { node: 'Node', python: 'Python', go: 'Go', rust: 'Rust' };

/** Debian's python3 without python3-venv makes a venv without pip and says "ensurepip is not available". */
function venvProblem(dir: string, command: string, res: SandboxResult): string {
  const out = `${res.stdout}\n${res.stderr}`;
  if (/ensurepip is not\s+available|No module named ensurepip/.test(out)) {
    return `the virtual environment ${dir} could not be made: the worker's Python has no ensurepip, so venv cannot install pip; install python3-venv on the worker (Debian, Ubuntu: apt-get install python3-venv)`;
  }
  const tail = out
    .trim()
    .split('\n')
    .filter((l) => l.trim())
    .slice(-3)
    .join(' / ')
    .slice(0, 400);
  return `the virtual environment ${dir} could not be made (\`${command}\` ${res.timedOut ? 'timed out' : `exit ${res.exitCode}`}): ${tail || 'no output'}`;
}
