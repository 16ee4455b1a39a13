import type { ConfigProblem, ConfigResult } from './validate-config.ts';
import { validateConfig } from './validate-config.ts';

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
    }): Promise<{ config: unknown; files: Array<{ config: unknown }> }>;
  };
}

/**
 * Reads `.github/agent.yml` from the default branch (no ref is ever passed, so a PR head cannot
 * change it), following the org `.github` repo and `_extends` like `context.config` does.
 */
export async function loadConfig(octokit: ConfigOctokit, owner: string, repo: string): Promise<ConfigResult> {
  let raw: unknown;
  try {
    const { config, files } = await octokit.config.get({ owner, repo, path: CONFIG_PATH, defaults: mergeAll });
    raw = files.some((f) => f.config !== null) ? config : {};
  } catch (error) {
    return { ok: false, problems: [readProblem(error)] };
  }
  return validateConfig(raw);
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
function mergeAll(configs: object[]): object {
  return configs.reduce<Record<string, unknown>>((acc, next) => merge(acc, next as Record<string, unknown>), {});
}

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
