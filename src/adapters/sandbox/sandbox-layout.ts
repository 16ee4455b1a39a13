import fs from 'node:fs';
import path from 'node:path';

/**
 * What a sandbox sees of the host: the worktree (writable, its `.git` read-only), a per-run
 * temp dir that is also HOME, per-repo dependency caches, and the git dirs the worktree needs
 * to read. Paths in `hide` (the app's data dir, its working dir with `.env`, the key's folder)
 * are covered by empty tmpfs mounts.
 */
export interface SandboxLayout {
  worktree: string;
  runTmp: string;
  cacheDir: string;
  readOnly: string[];
  hide: string[];
}

export const SANDBOX_TMP = '/tmp';
export const SANDBOX_HOME = '/tmp/home';

export function prepareLayout(layout: SandboxLayout): void {
  fs.mkdirSync(path.join(layout.runTmp, 'home'), { recursive: true });
  fs.mkdirSync(layout.cacheDir, { recursive: true });
}

/** Directories the app itself keeps secrets in, from its environment. */
export function defaultHiddenPaths(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string[] {
  const hide = [cwd];
  if (env.PRIVATE_KEY_PATH) hide.push(path.dirname(path.resolve(env.PRIVATE_KEY_PATH)));
  if (env.PATCHWRIGHT_DATA_DIR) hide.push(path.resolve(env.PATCHWRIGHT_DATA_DIR));
  return hide;
}
