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

/** Hands `dir` and what is below it to `uid`. Folders the sandbox made itself (already owned) under `skipOwned` names are not walked again. */
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
 * Hands what a sandbox writes to the user its commands run as: the run's temp dir, the worktree
 * (big folders it filled itself are not walked again once its own) and the repository's caches
 * (whose top-level folders, once the user's, are not walked again either).
 */
export function handOverLayout(layout: { runTmp: string; worktree: string; cacheDir: string }, uid: number, gid: number): void {
  chownTree(layout.runTmp, uid, gid);
  chownTree(layout.worktree, uid, gid, SANDBOX_MADE);
  chownTree(layout.cacheDir, uid, gid, new Set(fs.readdirSync(layout.cacheDir)));
}

/** Big folders the sandbox itself fills (dependencies, build output): once its own, not walked again. */
export const SANDBOX_MADE = new Set(['node_modules', '.venv', 'venv', 'target', '.tox', '.nox', 'vendor', '.gradle', 'build', 'dist', '__pycache__', '.pytest_cache']);
