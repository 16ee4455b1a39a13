import type { ConfigProblem, ConfigResult } from '../../protocol/validate-config.ts';
import { validateConfig } from '../../protocol/validate-config.ts';
import { defaultRepoConfig } from '../../protocol/repo-config.ts';

export const CONFIG_FILE = 'agent.yml';
export const CONFIG_PATH = `.github/${CONFIG_FILE}`;

/** The slice of Probot's octokit we use: `@probot/octokit-plugin-config`'s `config.get`. */
export interface ConfigOctokit {
  config: {
    get(params: {
      owner: string;
      repo: string;
      path: string;
      defaults?: (configs: object[]) => object;
    }): Promise<{ config: unknown; files: Array<{ owner?: string; repo?: string; path?: string; config: unknown }> }>;
  };
}

/**
 * Keys only a repository's own `.github/agent.yml` may set: they run commands (`setup`, `test`,
 * `lint`) or widen who or what the app acts for (`minPermission`, `sandbox`: variables, network,
 * image; `followUp.humanPullRequests`). A shared file (the org's `.github` repository, or any
 * other repository `_extends` names) sets them for every repository that reads it, so there they
 * are refused. `protectedPaths` from a shared file is added to the defaults, never replacing them.
 */
export const REPOSITORY_ONLY = [
  'setup',
  'test',
  'lint',
  'minPermission',
  'sandbox',
  'followUp.humanPullRequests',
] as const;

/**
 * Reads `.github/agent.yml` from the default branch (no ref is ever passed, so a PR head cannot
 * change it), following the org `.github` repo and `_extends` like `context.config` does.
 */
export async function loadConfig(octokit: ConfigOctokit, owner: string, repo: string): Promise<ConfigResult> {
  let files: Array<{ owner?: string; repo?: string; path?: string; config: unknown }>;
  try {
    ({ files } = await octokit.config.get({ owner, repo, path: CONFIG_PATH, defaults: () => ({}) }));
  } catch (error) {
    return { ok: false, problems: [readProblem(error)] };
  }
  const own = (f: (typeof files)[number]) =>
    (f.owner ?? owner).toLowerCase() === owner.toLowerCase() && (f.repo ?? repo).toLowerCase() === repo.toLowerCase();
  const problems = files
    .filter((f) => !own(f) && isMapping(f.config))
    .flatMap((f) =>
      sharedProblems(
        f.config as Record<string, unknown>,
        `${f.owner ?? owner}/${f.repo ?? repo}:${f.path ?? CONFIG_PATH}`,
      ),
    );
  if (problems.length) return { ok: false, problems };
  const present = files.filter((f) => f.config !== null && f.config !== undefined);
  const odd = present.find((f) => !isMapping(f.config));
  if (odd) return validateConfig(odd.config);
  // The plugin lists the repository's file first and the files it extends after: the first wins.
  const merged = [...present]
    .reverse()
    .reduce<Record<string, unknown>>((acc, f) => merge(acc, f.config as Record<string, unknown>), {});
  const ownSetsPaths = present.some((f) => own(f) && 'protectedPaths' in (f.config as Record<string, unknown>));
  if (!ownSetsPaths && Array.isArray(merged.protectedPaths))
    merged.protectedPaths = [
      ...new Set([...defaultRepoConfig.protectedPaths, ...(merged.protectedPaths as unknown[])]),
    ];
  return validateConfig(merged);
}

function sharedProblems(config: Record<string, unknown>, where: string): ConfigProblem[] {
  return REPOSITORY_ONLY.filter((key) => {
    const [a, b] = key.split('.') as [string, string | undefined];
    return b === undefined ? a in config : isMapping(config[a]) && b in (config[a] as Record<string, unknown>);
  }).map((key) => ({
    path: key,
    message: `is set in ${where}, a file shared by other repositories; it runs commands or widens access, so only a repository's own ${CONFIG_PATH} may set it (move it there)`,
  }));
}

function readProblem(error: unknown): ConfigProblem {
  const message = error instanceof Error ? error.message : String(error);
  if (/invalid YAML|not an object|invalid JSON/.test(message)) {
    return { path: '(file)', message: 'could not be parsed as YAML mapping' };
  }
  if (/Recursion detected/.test(message)) return { path: '_extends', message: 'points back to a file already loaded' };
  const status = (error as { status?: number }).status;
  return { path: '(file)', message: status ? `could not be read (GitHub answered ${status})` : 'could not be read' };
}

/** Later files win; mappings merge key by key (as Probot's deepmerge does), lists are replaced. */
function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const prev = out[key];
    out[key] = isMapping(prev) && isMapping(value) ? merge(prev, value) : value;
  }
  return out;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
