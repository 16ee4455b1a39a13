/** A toolchain version a repository asks for, and where it says so. */
export interface ToolchainRequirement {
  tool: 'node' | 'python' | 'go' | 'rust';
  /** As written: `20`, `>=18.17`, `^20 || >=22`, `1.22`, `nightly`. */
  wants: string;
  /** `pin`: a version file a version manager installs exactly (.nvmrc); `min`: the oldest that works (engines, go.mod). */
  kind: 'pin' | 'min' | 'range';
  file: string;
  line: number;
}

/** The tool that makes and fills a Python project's environment. */
export type PythonManager = 'pip' | 'uv' | 'poetry' | 'hatch' | 'pdm';

/**
 * Where a run's commands find the project's own tools. A Python project gets a virtual
 * environment in the worktree: Debian's, Ubuntu's and Fedora's system Python is externally
 * managed (PEP 668), so `pip install` outside one fails.
 */
export interface ProjectEnvironment {
  python?: {
    /** The virtual environment's folder, relative to the worktree (`.venv`, where uv, poetry and pdm look too). */
    venv: string;
    manager: PythonManager;
    /** What makes this a project of that manager (`uv.lock`, `[tool.poetry]` in pyproject.toml). */
    file: string;
  };
}

/**
 * What every command of a run gets on top of the sandbox's own environment: folders first on
 * PATH (the virtual environment's bin, a Node fetched for the repository) and values the harness
 * sets (VIRTUAL_ENV). Paths are as the sandbox sees them.
 */
export interface RunEnvironment {
  path: string[];
  vars: Record<string, string>;
}
