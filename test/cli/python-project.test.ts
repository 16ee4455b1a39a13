import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCommand } from '../../src/cli/run-command.ts';
import type { ReadinessReport } from '../../src/core/loop/readiness.ts';
import type { RunEvent } from '../../src/protocol/run-event.ts';
import { tempDir } from '../support/app-harness.ts';
import { fixtureRepo, repoFromFolder } from '../support/fixture-repo.ts';
import { pipMirror, PYTEST_WHEELS, type PipMirror } from '../support/pip-mirror.ts';
import { startScriptedModel, type ScriptedModel } from '../support/scripted-model.ts';

/**
 * Python projects on a plain Debian worker, as a deployment behind a package mirror runs them:
 * the sandbox's python3 is Debian's (externally managed, PEP 668), pip reaches packages only
 * through the mirror the deployment names (PATCHWRIGHT_PIP_CONFIG), and the mirror's folder is
 * out of the sandbox's sight unless the deployment names it (PATCHWRIGHT_SANDBOX_PATHS).
 */
const NODE = path.resolve('node_modules/.bin/node');
const CLI = path.resolve('bin/patchwright.js');
/** This suite's own host users when the tests run as root (see AGENTS.md). */
const UID = '61192';

let flit: PipMirror;
let hatch: PipMirror;
beforeAll(() => {
  flit = pipMirror(['flit_core-4.1.0']);
  hatch = pipMirror([
    ...PYTEST_WHEELS,
    'hatchling-1.32.4',
    'pathspec-1.1.1',
    'trove_classifiers-2026.9.21.13',
    'tomlkit-0.15.1',
    'editables-0.6',
  ]);
});

/** A real package's source committed into a fresh repository. */
const realPackage = (name: string) => repoFromFolder(path.resolve('fixtures/python-packages', name));

function doctor(
  dir: string,
  env: Record<string, string>,
): { code: number; report: ReadinessReport & { setupCommands: string[]; testCommand: string } } {
  let out: string;
  let code = 0;
  try {
    out = execFileSync(NODE, [CLI, 'doctor', dir, '--json'], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        HOME: tempDir('pw-home-'),
        PATCHWRIGHT_DATA_DIR: tempDir('pw-py-data-'),
        PATCHWRIGHT_SANDBOX_UID: UID,
        PATCHWRIGHT_NODE_REGISTRY: 'off',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const e = error as { status: number; stdout: string };
    [code, out] = [e.status, e.stdout];
  }
  return { code, report: JSON.parse(out) };
}

describe('patchwright doctor on a real Python package behind the deployment’s pip mirror', () => {
  it('more-itertools: a virtual environment first, flit_core through the mirror, its 900 tests run: ready', () => {
    const { code, report } = doctor(realPackage('more-itertools'), {
      PATCHWRIGHT_PIP_CONFIG: flit.config,
      PATCHWRIGHT_SANDBOX_PATHS: flit.root,
    });
    expect(report.problems).toEqual([]);
    expect(code).toBe(0);
    expect(report.setup.map((s) => [s.command, s.exitCode])).toEqual([
      ["python3 -m venv .venv && echo '*' > .venv/.gitignore", 0],
      ['python -m pip install -e .', 0],
    ]);
    expect(report.testCommand).toBe('python -m unittest discover -s tests');
    expect(report.baseline).toMatchObject({ exitCode: 0, failed: 0 });
    expect(report.baseline!.passed).toBeGreaterThan(800);
    expect(report.environment.path[0]).toMatch(/\/\.venv\/bin$/);
  }, 240_000);

  it('the mirror’s folder out of the sandbox’s sight: not ready, and the first thing to fix names the folder, the setting and what to set', () => {
    const { code, report } = doctor(realPackage('more-itertools'), { PATCHWRIGHT_PIP_CONFIG: flit.config });
    expect(code).toBe(1);
    expect(report.problems[0]).toBe(
      `pip's index-url (${flit.config}) needs ${flit.simple} and ${flit.root}/files, which the sandbox does not see: add ${flit.root} (holding them) to PATCHWRIGHT_SANDBOX_PATHS`,
    );
    expect(report.problems[1]).toMatch(/^setup step `python -m pip install -e \.` failed/);
  }, 240_000);
});

describe('patchwright run on a pytest project: one environment for setup, the tests and the model’s commands', () => {
  let model: ScriptedModel;
  let out: string[];
  beforeEach(() => {
    out = [];
    vi.spyOn(process.stdout, 'write').mockImplementation(
      (chunk: string | Uint8Array) => (out.push(String(chunk)), true),
    );
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await model?.close();
  });

  const project = {
    'pyproject.toml':
      '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "calc"\nversion = "0.1.0"\n\n[project.optional-dependencies]\ntest = ["pytest"]\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
    'src/calc/__init__.py': 'def add(a, b):\n    return a - b\n',
    'tests/test_calc.py':
      'from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\ndef test_zero():\n    assert add(0, 0) == 0\n',
  };

  it('pip installs into .venv from the mirror, the model’s python is the environment’s, the sandbox’s Python is Debian’s, and .venv is never committed', async () => {
    model = await startScriptedModel(
      [
        {
          calls: [
            {
              name: 'shell',
              arguments: {
                command: [
                  'sh',
                  '-c',
                  'python -c "import sys, os; print(sys.prefix, os.environ[\'VIRTUAL_ENV\'])"; head -1 .venv/pyvenv.cfg; test -e /root/.pyenv && echo pyenv-visible || echo no-pyenv; printf "ignore: "; cat .venv/.gitignore',
                ],
              },
            },
          ],
        },
        {
          calls: [
            {
              name: 'apply_patch',
              arguments: {
                input:
                  '*** Begin Patch\n*** Update File: src/calc/__init__.py\n-    return a - b\n+    return a + b\n*** End Patch',
              },
            },
          ],
        },
        { text: 'add now adds.' },
      ],
      { titles: () => 'Make add return the sum' },
    );
    const repo = fixtureRepo(project);
    const code = await runCommand(['--repo', repo, '--task', 'Fix add', '--json'], {
      PATH: process.env.PATH,
      HOME: tempDir('pw-home-'),
      OPENAI_BASE_URL: model.baseURL,
      OPENAI_API_KEY: 'test-key',
      PATCHWRIGHT_MODEL: 'gpt-5',
      PATCHWRIGHT_DATA_DIR: tempDir('pw-py-data-'),
      PATCHWRIGHT_SANDBOX_UID: UID,
      PATCHWRIGHT_NODE_REGISTRY: 'off',
      PATCHWRIGHT_PIP_CONFIG: hatch.config,
      PATCHWRIGHT_SANDBOX_PATHS: hatch.root,
    });
    const events = out
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as RunEvent);
    const done = events.find((e) => e.type === 'run.completed') as Extract<RunEvent, { type: 'run.completed' }>;
    expect(done.summary).not.toMatch(/externally-managed/);
    expect(done.outcome).toBe('succeeded');
    expect(code).toBe(0);
    expect(done.evidence.setupCommands).toEqual([
      "python3 -m venv .venv && echo '*' > .venv/.gitignore",
      'python -m pip install -e .[test]',
    ]);
    expect(done.evidence.baseline).toMatchObject({ passed: 1, failed: 1 });
    expect(done.evidence.final).toMatchObject({ exitCode: 0, passed: 2, failed: 0 });
    const ws = done.evidence.environment!.vars.VIRTUAL_ENV!;
    expect(done.evidence.environment).toEqual({ path: [`${ws}/bin`], vars: { VIRTUAL_ENV: ws } });
    const shell = events.find(
      (e) => e.type === 'item.completed' && e.item.kind === 'command_execution' && /pyvenv/.test(e.item.command),
    ) as Extract<RunEvent, { type: 'item.completed' }>;
    const output = (shell.item as { output: string }).output;
    expect(output).toContain(`${ws} ${ws}`);
    // The environment is made from the system's python3: /usr/bin, not this machine's pyenv (which the sandbox does not see).
    expect(output).toMatch(/^home = \/usr\/bin$/m);
    expect(output).toContain('no-pyenv');
    // Ignored by its own .gitignore (the repository's own is not touched): the commit below has nothing of it.
    expect(output).toMatch(/^ignore: \*$/m);
    const committed = execFileSync('git', ['ls-tree', '-r', '--name-only', 'agent/fix-add'], {
      cwd: repo,
      encoding: 'utf8',
    });
    expect(committed.split('\n').filter(Boolean).sort()).toEqual([
      'pyproject.toml',
      'src/calc/__init__.py',
      'tests/test_calc.py',
    ]);
    expect(fs.readFileSync(path.join(repo, 'pyproject.toml'), 'utf8')).toBe(project['pyproject.toml']);
  }, 240_000);
});
