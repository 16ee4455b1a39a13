import fs from 'node:fs';
import path from 'node:path';
import { ensureHostOnlyDir } from './host-only.ts';

/**
 * The folders of one run, on the data disk (never the host's /tmp, which may be a small tmpfs
 * shared with everything else): `tmp` (the sandbox's /tmp and HOME), `cache` (a branch run's own
 * cache, see sandbox-layout.ts) and `host` (host-only: what the app hands the sandbox, never
 * mounted). The run's folder itself is the app's and 0700.
 */
export interface RunDirs {
  root: string;
  runTmp: string;
  privateCache: string | undefined;
  hostDir: string;
  remove(): void;
}

export function makeRunDirs(dataDir: string, name: string, opts: { branch: boolean }): RunDirs {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`bad run name ${name}`);
  const runs = path.join(path.resolve(dataDir), 'runs');
  fs.mkdirSync(runs, { recursive: true, mode: 0o700 });
  const root = fs.mkdtempSync(path.join(runs, `${name}-`));
  const runTmp = path.join(root, 'tmp');
  fs.mkdirSync(runTmp);
  const privateCache = opts.branch ? path.join(root, 'cache') : undefined;
  if (privateCache) fs.mkdirSync(privateCache);
  const hostDir = ensureHostOnlyDir(path.join(root, 'host'));
  return { root, runTmp, privateCache, hostDir, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** The process-wide host-only folder (the sandbox's /etc copy): `<dataDir>/host`. */
export function hostRoot(dataDir: string): string {
  return ensureHostOnlyDir(path.join(path.resolve(dataDir), 'host'));
}

/** At start-up: what runs of a process that died left behind (a new one has nothing running yet). */
export function removeLeftoverRuns(dataDir: string): number {
  const runs = path.join(path.resolve(dataDir), 'runs');
  const left = fs.existsSync(runs) ? fs.readdirSync(runs) : [];
  for (const name of left) fs.rmSync(path.join(runs, name), { recursive: true, force: true });
  return left.length;
}

/**
 * The folders of the verdict's clean checkout (clean-checkout.ts makes and removes them): a branch
 * run's, since it sets up model-written code, with its own cache and host-only folder.
 */
export function cleanRunDirs(l: { worktree: string; runTmp: string; cacheDir: string; hostDir: string }): RunDirs {
  return {
    root: path.dirname(l.worktree),
    runTmp: l.runTmp,
    privateCache: l.cacheDir,
    hostDir: l.hostDir,
    remove: () => {},
  };
}
