import { at, type Detected, type EcosystemFinding } from './detection.ts';
import type { PythonManager } from '../protocol/toolchain.ts';
import type { RepoFiles } from './repo-files.ts';

/** Python: pytest when configured or depended on, else unittest; uv, poetry, hatch, tox, nox. */
export function detectPython(repo: RepoFiles, files: string[]): EcosystemFinding | undefined {
  const pyproject = repo.read('pyproject.toml') ?? '';
  const markers = ['pyproject.toml', 'setup.py', 'setup.cfg', 'requirements.txt', 'tox.ini', 'noxfile.py', 'Pipfile'];
  const hasPy = files.some((f) => f.endsWith('.py'));
  if (!markers.some((m) => repo.exists(m)) && !hasPy) return undefined;

  const pm = pythonManager(repo, pyproject).manager;
  const setup = setupCommands(repo, pm, pyproject);
  const test = testCommand(repo, pm, pyproject, files);
  // pytest must be there to run: when nothing the setup installs names it, install it too.
  if (pm === 'pip' && test?.command.includes('pytest') && !installsPytest(repo, setup))
    setup.push(at('python -m pip install pytest', test.evidence.file, test.evidence.line, 'the tests run with pytest'));
  const lint =
    /\[tool\.ruff/.test(pyproject) || repo.exists('ruff.toml')
      ? at('ruff check .', repo.exists('ruff.toml') ? 'ruff.toml' : 'pyproject.toml', 1, 'ruff is configured')
      : null;
  return {
    language: 'python',
    packageManager: pm,
    setup,
    test,
    lint,
    ...(test ? {} : { testReason: 'no pytest configuration and no test files found' }),
  };
}

/** The tool that manages the project's environment, and the file that says so. */
export function pythonManager(
  repo: RepoFiles,
  pyproject = repo.read('pyproject.toml') ?? '',
): { manager: PythonManager; file: string } {
  if (repo.exists('uv.lock')) return { manager: 'uv', file: 'uv.lock' };
  if (repo.exists('poetry.lock')) return { manager: 'poetry', file: 'poetry.lock' };
  if (/\[tool\.poetry\]/.test(pyproject)) return { manager: 'poetry', file: 'pyproject.toml' };
  if (/\[tool\.hatch/.test(pyproject)) return { manager: 'hatch', file: 'pyproject.toml' };
  // pdm's own settings, not only its build backend's (`[tool.pdm.build]`).
  if (repo.exists('pdm.lock')) return { manager: 'pdm', file: 'pdm.lock' };
  if (/^\[tool\.pdm\.(dev-dependencies|scripts|resolution)\]/m.test(pyproject))
    return { manager: 'pdm', file: 'pyproject.toml' };
  return {
    manager: 'pip',
    file: repo.exists('pyproject.toml') ? 'pyproject.toml' : repo.exists('setup.py') ? 'setup.py' : 'requirements.txt',
  };
}

/** Requirement files for running the tests, most specific first; at most two are installed. */
const TEST_REQUIREMENTS = [
  'requirements-dev.txt',
  'requirements_dev.txt',
  'requirements-test.txt',
  'requirements-tests.txt',
  'test-requirements.txt',
  'requirements/tests.txt',
  'requirements/test.txt',
  'requirements/dev.txt',
  'requirements.txt',
].map((file) => ({ file, from: undefined as string | undefined, line: undefined as number | undefined }));

/** `deps = -r requirements/tests.txt` in tox.ini's `[testenv]`: what the project's own test env installs. */
function toxRequirements(repo: RepoFiles): Array<{ file: string; from?: string; line?: number }> {
  const text = repo.read('tox.ini');
  if (!text) return [];
  const section = /^\[testenv\]\s*$([\s\S]*?)(?=^\[|$(?![\s\S]))/m.exec(text)?.[1] ?? '';
  const files = [...section.matchAll(/-r\s*\{?(?:toxinidir\}\/)?([\w./-]+\.txt)/g)]
    .map((m) => m[1]!)
    .filter((f) => repo.exists(f));
  return files.map((file) => ({
    file,
    from: 'tox.ini',
    line: repo.lineOf('tox.ini', new RegExp(`-r\\s*\\{?(toxinidir\\}/)?${file.replace(/[.]/g, '\\.')}`)),
  }));
}

function setupCommands(repo: RepoFiles, pm: string, pyproject: string): Detected[] {
  if (pm === 'uv') return [at('uv sync', 'uv.lock', 1, 'uv lockfile')];
  if (pm === 'poetry')
    return [at('poetry install', repo.exists('poetry.lock') ? 'poetry.lock' : 'pyproject.toml', 1, 'poetry project')];
  if (pm === 'pdm')
    return [at('pdm install', repo.exists('pdm.lock') ? 'pdm.lock' : 'pyproject.toml', 1, 'pdm project')];
  const out: Detected[] = [];
  const tox = toxRequirements(repo);
  const reqs = tox.length ? tox : TEST_REQUIREMENTS.filter((r) => repo.exists(r.file)).slice(0, 2);
  for (const r of reqs)
    out.push(
      at(
        `python -m pip install -r ${r.file}`,
        r.from ?? r.file,
        r.line ?? 1,
        r.from ? 'tox installs it for the tests' : 'requirements file',
      ),
    );
  if (pyproject && /\[project\]|\[build-system\]/.test(pyproject)) {
    const extras = /\[project\.optional-dependencies\][\s\S]*?^(test|tests|dev)\s*=/m.exec(pyproject)?.[1];
    out.push(
      at(`python -m pip install -e .${extras ? `[${extras}]` : ''}`, 'pyproject.toml', 1, 'installable project'),
    );
  } else if (repo.exists('setup.py')) {
    out.push(at('python -m pip install -e .', 'setup.py', 1, 'setup.py'));
  }
  return out;
}

function testCommand(repo: RepoFiles, pm: string, pyproject: string, files: string[]): Detected | null {
  const prefix = pm === 'uv' ? 'uv run ' : pm === 'poetry' ? 'poetry run ' : pm === 'pdm' ? 'pdm run ' : '';
  // poe the poet: `[tool.poe.tasks] test = ...` is how the project says to run its tests.
  if (/^\[tool\.poe\.tasks\.test\]|\[tool\.poe\.tasks\][^[]*?^test\s*=/m.test(pyproject)) {
    return at(
      `${prefix}poe test`,
      'pyproject.toml',
      repo.lineOf('pyproject.toml', /^\[tool\.poe\.tasks\.test\]|^test\s*=/),
      'poe test task',
    );
  }
  // Hatch's own test command, configured through its `hatch-test` environment.
  if (/^\[tool\.hatch\.envs\.hatch-test[\].]/m.test(pyproject)) {
    return at(
      'hatch test',
      'pyproject.toml',
      repo.lineOf('pyproject.toml', /^\[tool\.hatch\.envs\.hatch-test/),
      'hatch test environment',
    );
  }
  if (pm === 'hatch' && /\[tool\.hatch\.envs\.[\w-]+\.scripts\][\s\S]*?^test\s*=/m.test(pyproject)) {
    return at('hatch run test', 'pyproject.toml', repo.lineOf('pyproject.toml', /^test\s*=/), 'hatch test script');
  }
  const pytestConfig = [
    ['pytest.ini', /./],
    ['pyproject.toml', /\[tool\.pytest/],
    ['setup.cfg', /\[tool:pytest\]/],
    ['tox.ini', /\[pytest\]/],
  ] as const;
  for (const [file, re] of pytestConfig) {
    const text = repo.read(file);
    if (text !== undefined && re.test(text))
      return at(`${prefix}python -m pytest`, file, repo.lineOf(file, re), 'pytest is configured');
  }
  const deps = [
    'requirements-dev.txt',
    'requirements-test.txt',
    'requirements.txt',
    'pyproject.toml',
    'setup.py',
    'setup.cfg',
  ].find((f) => /\bpytest\b/.test(repo.read(f) ?? ''));
  if (deps || files.some((f) => f.endsWith('conftest.py'))) {
    const file = deps ?? files.find((f) => f.endsWith('conftest.py'))!;
    return at(`${prefix}python -m pytest`, file, repo.lineOf(file, /pytest/), 'pytest is a dependency');
  }
  // A Django project without pytest: its own test runner.
  if (repo.exists('manage.py') && /django/i.test(repo.read('manage.py') ?? ''))
    return at(`${prefix}python manage.py test`, 'manage.py', repo.lineOf('manage.py', /django/i), 'Django project');
  const unittestFile = files.find(
    (f) =>
      /(^|\/)test_[^/]*\.py$|(^|\/)[^/]*_test\.py$/.test(f) && /import unittest|from unittest/.test(repo.read(f) ?? ''),
  );
  if (unittestFile) {
    const dir = unittestFile.includes('/') ? unittestFile.split('/')[0] : undefined;
    const pattern = /_test\.py$/.test(unittestFile) ? " -p '*_test.py'" : '';
    const cmd = `${prefix}python -m unittest discover${dir ? ` -s ${dir}` : ''}${pattern}`;
    return at(cmd, unittestFile, repo.lineOf(unittestFile, /unittest/), 'unittest test files');
  }
  return null;
}

function installsPytest(repo: RepoFiles, setup: Detected[]): boolean {
  return setup.some((s) => {
    const req = /-r (\S+)/.exec(s.command)?.[1];
    if (req) return /pytest|-r /.test(repo.read(req) ?? '');
    return /\[[\w,]+\]$/.test(s.command) && /pytest/.test(repo.read('pyproject.toml') ?? '');
  });
}
