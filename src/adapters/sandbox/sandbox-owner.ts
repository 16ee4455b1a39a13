import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * When the app runs as root, sandboxed commands run as this unprivileged host user instead
 * (`PATCHWRIGHT_SANDBOX_UID`): root, even without capabilities, is not held to a process limit,
 * so a fork bomb would fill the host. The worktree, the run's temp dir and the caches are handed
 * to that user before commands run.
 */
export const DEFAULT_SANDBOX_HOST_UID = 61000;

export function runsAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * Hands `dir` and what is below it to `uid`. Folders the sandbox made itself (already owned) under
 * `skipOwned` names are not walked again. Only for trees no sandboxed command can change while
 * this runs (this run's own: its worktree, temp dir, private cache): the walk goes by path.
 */
export function chownTree(dir: string, uid: number, gid: number, skipOwned: Set<string> = new Set()): void {
  const stack = [dir];
  while (stack.length) {
    const current = stack.pop()!;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(current);
    } catch {
      continue;
    }
    if (st.uid !== uid || st.gid !== gid) fs.lchownSync(current, uid, gid);
    else if (current !== dir && skipOwned.has(path.basename(current))) continue;
    if (!st.isDirectory()) continue;
    for (const name of fs.readdirSync(current)) stack.push(path.join(current, name));
  }
}

/**
 * Hands a repository's shared cache to `uid`. Another job of the same repository may be running a
 * setup command in it right now, able to swap a folder for a link between a look and a change, so
 * the walk is coreutils' `chown -R -P` (each folder opened relative to its parent, links never
 * followed), and only into top-level entries not yet the user's.
 */
export function chownShared(dir: string, uid: number, gid: number): void {
  const st = fs.lstatSync(dir);
  if (!st.isDirectory() || st.isSymbolicLink()) throw new Error(`${dir} is not a folder`);
  if (st.uid !== uid || st.gid !== gid) fs.lchownSync(dir, uid, gid);
  const walk = fs.readdirSync(dir).filter((name) => {
    const s = fs.lstatSync(path.join(dir, name), { throwIfNoEntry: false });
    return s && (s.uid !== uid || s.gid !== gid);
  });
  if (walk.length)
    execFileSync('chown', ['-R', '-P', '-h', `${uid}:${gid}`, '--', ...walk.map((n) => path.join(dir, n))], {
      stdio: 'ignore',
    });
}

/**
 * Hands what a sandbox writes to the user its commands run as: the run's temp dir, the worktree
 * (big folders it filled itself are not walked again once its own), a branch run's private cache,
 * and for a base run the repository's cache (whose top-level folders, once the user's, are not
 * walked again either). A branch run never sees the repository's cache, so it is not touched.
 */
export function handOverLayout(
  layout: { runTmp: string; worktree: string; cacheDir: string; privateCache?: string | undefined },
  uid: number,
  gid: number,
): void {
  chownTree(layout.runTmp, uid, gid);
  chownTree(layout.worktree, uid, gid, SANDBOX_MADE);
  if (layout.privateCache) chownTree(layout.privateCache, uid, gid);
  else chownShared(layout.cacheDir, uid, gid);
}

/** Big folders the sandbox itself fills (dependencies, build output): once its own, not walked again. */
export const SANDBOX_MADE = new Set([
  'node_modules',
  '.venv',
  'venv',
  'target',
  '.tox',
  '.nox',
  'vendor',
  '.gradle',
  'build',
  'dist',
  '__pycache__',
  '.pytest_cache',
]);
