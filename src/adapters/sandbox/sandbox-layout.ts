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
  cacheDir: string;
  readOnly: string[];
}

export const SANDBOX_TMP = '/tmp';
export const SANDBOX_HOME = '/tmp/home';
/** Inside the sandbox, commands run as this unprivileged user of a user namespace of their own. */
export const SANDBOX_UID = 1000;
export const SANDBOX_GID = 1000;

export function prepareLayout(layout: SandboxLayout): void {
  fs.mkdirSync(path.join(layout.runTmp, 'home'), { recursive: true });
  // It becomes the sandbox's /tmp, on the way to the worktree: bwrap, with its capabilities
  // dropped, must be able to pass through it (mkdtemp makes it 0700).
  fs.chmodSync(layout.runTmp, 0o711);
  fs.mkdirSync(layout.cacheDir, { recursive: true });
}
