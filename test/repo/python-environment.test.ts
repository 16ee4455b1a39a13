import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectRepo } from '../../src/repo/inspect.ts';
import { tempDir } from '../support/app-harness.ts';
import { materialise } from './corpus-score.ts';
import { EXPECTED } from './real-repos.expected.ts';

function checkout(files: Record<string, string>): string {
  const dir = tempDir('pw-pyenv-');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const PROJECT =
  '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "x"\nversion = "1"\n';

describe('where a Python project’s commands run', () => {
  it.each([
    ['pip', { 'pyproject.toml': PROJECT, 'tests/test_x.py': 'import pytest\n' }, 'pyproject.toml'],
    ['uv', { 'pyproject.toml': PROJECT, 'uv.lock': 'version = 1\n', 'tests/test_x.py': '' }, 'uv.lock'],
    [
      'poetry',
      { 'pyproject.toml': '[tool.poetry]\nname = "x"\n', 'poetry.lock': '', 'tests/test_x.py': '' },
      'poetry.lock',
    ],
    [
      'pdm',
      {
        'pyproject.toml': `${PROJECT}\n[tool.pdm.dev-dependencies]\ntest = ["pytest"]\n`,
        'pdm.lock': '',
        'tests/test_x.py': '',
      },
      'pdm.lock',
    ],
    [
      'hatch',
      {
        'pyproject.toml': `${PROJECT}\n[tool.hatch.envs.hatch-test]\ndependencies = ["pytest"]\n`,
        'tests/test_x.py': '',
      },
      'pyproject.toml',
    ],
  ])(
    '%s: a virtual environment in .venv, the manager its commands call, and the file that makes it so',
    (manager, files, file) => {
      const r = inspectRepo(checkout(files));
      expect(r.environment).toEqual({ python: { venv: '.venv', manager, file } });
    },
  );

  it('the manager is the tool the commands call: a uv.lock with `setup:` through pip is a pip environment', () => {
    const r = inspectRepo(checkout({ 'pyproject.toml': PROJECT, 'uv.lock': '', 'tests/test_x.py': '' }), {
      setup: ['python -m pip install -e .'],
      test: 'python -m pytest',
    });
    expect(r.environment.python?.manager).toBe('pip');
  });

  it('none for a project whose commands never run Python, though it has a script or two in it', () => {
    const r = inspectRepo(
      checkout({
        'package.json': '{"scripts":{"test":"node --test"}}',
        'index.js': '',
        'test/index.test.js': '',
        'scripts/gen.py': 'print(1)\n',
      }),
    );
    expect(r.environment).toEqual({});
  });

  it('over the real-repository corpus: every Python repository gets one, and a repository of another language only when its test or setup runs Python', () => {
    const python: string[] = [];
    const others: string[] = [];
    for (const [name, want] of Object.entries(EXPECTED)) {
      const dir = materialise(name);
      try {
        const r = inspectRepo(dir);
        if (want.ecosystem === 'python') {
          if (!r.environment.python) python.push(name);
        } else if (
          r.environment.python &&
          !/python|pip|pytest|tox|nox|uv|poetry/.test([...r.setup, r.test ?? ''].join(' '))
        )
          others.push(`${name}: ${r.test}`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    expect(python).toEqual([]);
    expect(others).toEqual([]);
    // Thousands of small files written and read: minutes when other test runs load the machine.
  }, 300_000);
});
