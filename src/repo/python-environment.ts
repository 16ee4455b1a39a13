import type { ProjectEnvironment, PythonManager } from '../protocol/toolchain.ts';
import { pythonManager } from './detect-python.ts';
import type { RepoFiles } from './repo-files.ts';

/** Programs that run Python code or install it: a command starting one of these needs the project's environment. */
const PYTHON_TOOL = /(^|[\s;&|(])(python[\d.]*|pip[\d.]*|pytest|py\.test|tox|nox|uvx?|poetry|hatch|pdm|coverage|django-admin|pre-commit|(\.\/)?manage\.py|(\S+\/)?run_?tests?\.py)(\s|$)/;
const MANAGERS: PythonManager[] = ['uv', 'poetry', 'pdm', 'hatch'];

/**
 * The environment a repository's commands run in. A Python project (Python is its language, or
 * a setup or test command runs Python's tools) gets a virtual environment in `.venv`, made by the
 * harness before setup: system Pythons are externally managed (PEP 668). Its manager is the tool
 * the commands call (`uv sync`, `poetry run pytest`), else pip.
 */
export function projectEnvironment(repo: RepoFiles, languages: string[], setup: string[], test: string | null): ProjectEnvironment {
  const commands = [...setup, ...(test ? [test] : [])];
  const python = languages.includes('python') && (languages[0] === 'python' || commands.some((c) => PYTHON_TOOL.test(c)));
  if (!python && !commands.some((c) => PYTHON_TOOL.test(c))) return {};
  const named = pythonManager(repo);
  const called = MANAGERS.find((m) => commands.some((c) => new RegExp(`(^|[\\s;&|(])${m}\\s`).test(c)));
  const manager = called ?? 'pip';
  return { python: { venv: '.venv', manager, file: called === named.manager ? named.file : manager === 'pip' ? named.file : `${manager} in the setup or test command` } };
}
