import type { ProjectEnvironment, PythonManager } from '../protocol/toolchain.ts';
import { pythonManager } from './detect-python.ts';
import type { RepoFiles } from './repo-files.ts';

/** Programs that run Python code or install it: a command starting one of these needs the project's environment. */
const PYTHON_TOOL =
  /(^|[\s;&|(])(python[\d.]*|pip[\d.]*|pytest|py\.test|tox|nox|uvx?|poetry|hatch|pdm|coverage|django-admin|pre-commit|(\.\/)?manage\.py|(\S+\/)?run_?tests?\.py)(\s|$)/;
/** Another ecosystem's runner: a Rust project with thousands of Python test fixtures (ruff) is tested through cargo. */
const OTHER_RUNNER =
  /^(cd \S+ && )?(cargo|go|npm|npx|pnpm|yarn|bun|node|\.\/mvnw|mvn|\.\/gradlew|gradle|bundle|rake|rspec|ctest|cmake|meson|ninja|dotnet|swift|zig)\b/;
const MANAGERS: PythonManager[] = ['uv', 'poetry', 'pdm', 'hatch'];

/**
 * The environment a repository's commands run in. A Python project (a setup or test command
 * runs Python's tools, or most files are Python and no other ecosystem's runner tests it) gets a
 * virtual environment in `.venv`, made by the harness before setup: system Pythons are
 * externally managed (PEP 668). Its manager is the tool the commands call (`uv sync`,
 * `poetry run pytest`), else pip.
 */
export function projectEnvironment(
  repo: RepoFiles,
  topLanguage: string | undefined,
  setup: string[],
  test: string | null,
): ProjectEnvironment {
  const commands = [...setup, ...(test ? [test] : [])];
  // Mostly Python files, tested through make or not at all yet: the model's own commands will be Python's too.
  if (!commands.some((c) => PYTHON_TOOL.test(c)) && !(topLanguage === 'python' && !OTHER_RUNNER.test(test ?? '')))
    return {};
  const named = pythonManager(repo);
  const called = MANAGERS.find((m) => commands.some((c) => new RegExp(`(^|[\\s;&|(])${m}\\s`).test(c)));
  const manager = called ?? 'pip';
  return {
    python: {
      venv: '.venv',
      manager,
      file:
        called === named.manager
          ? named.file
          : manager === 'pip'
            ? named.file
            : `${manager} in the setup or test command`,
    },
  };
}
