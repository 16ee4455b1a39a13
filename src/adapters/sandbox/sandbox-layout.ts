import fs from 'node:fs';
import path from 'node:path';

/**
 * What a sandbox sees of the host besides the system (see host-view.ts): the worktree (writable,
 * its `.git` read-only), a per-run temp dir that is also HOME, per-repo dependency caches
 * (writable during setup, read-only to the agent), and read-only paths such as the git dirs
 * the worktree needs. Nothing else of the host is mounted: the app's directory, its data dir,
 * home directories and sockets are simply absent.
 */
export interface SandboxLayout {
  worktree: string;
  runTmp: string;
  /** The repository's shared caches: written by base runs' setup only. */
  cacheDir: string;
  readOnly: string[];
  /**
   * Set for a branch run (a follow-up on a branch a model wrote, any turn in a checkout a model
   * may have changed): its setup writes this cache of its own instead, thrown away with the run,
   * and does not see `cacheDir` at all. So nothing a branch run wrote is ever run by a later base
   * run's setup, which holds the setup secrets.
   */
  privateCache?: string;
  /** The worktree's `.git` file as the app wrote it: the sandbox is given this content, never the file. */
  gitLink?: string;
}

export const SANDBOX_TMP = '/tmp';
export const SANDBOX_HOME = '/tmp/home';
/** Inside the sandbox, commands run as this unprivileged user of a user namespace of their own. */
export const SANDBOX_UID = 1000;
export const SANDBOX_GID = 1000;

/** The cache a run's commands use: its own for a branch run, the repository's for a base run. */
export const runCache = (layout: SandboxLayout): string => layout.privateCache ?? layout.cacheDir;

/** Every host folder a sandbox of this layout can write, in any stage (real paths). */
export function writablePaths(layout: SandboxLayout): string[] {
  return [layout.worktree, layout.runTmp, layout.cacheDir, ...(layout.privateCache ? [layout.privateCache] : [])].map(
    realOrResolved,
  );
}

export function realOrResolved(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

export function prepareLayout(layout: SandboxLayout): void {
  fs.mkdirSync(path.join(layout.runTmp, 'home'), { recursive: true });
  // It becomes the sandbox's /tmp: bwrap, with its capabilities dropped, must be able to pass
  // through it (mkdtemp makes it 0700).
  fs.chmodSync(layout.runTmp, 0o711);
  fs.mkdirSync(layout.cacheDir, { recursive: true });
  if (layout.privateCache) fs.mkdirSync(layout.privateCache, { recursive: true });
}
