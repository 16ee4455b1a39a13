import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gitEnv } from './git-http-server.ts';
import { fixtureRepo, nodeBuggy } from './fixture-repo.ts';

/**
 * A deployment's folders as a job sees them, built the way the app builds them: a bare mirror
 * whose config holds a credential, a linked worktree of it under the data dir, the repository's
 * cache, a run's temp dir and private cache, a toolchain folder the deployment names, and host
 * files a sandbox must never reach (a canary `.env`, a folder nobody may create things in). Under
 * the host's /tmp on purpose: every mount destination then lies inside the sandbox's own /tmp.
 */
export interface BoundaryFixture {
  root: string;
  dataDir: string;
  mirror: string;
  worktree: string;
  gitLink: string;
  cacheDir: string;
  runTmp: string;
  privateCache: string;
  toolchain: string;
  /** A host file with a canary in it, readable by anyone (a careless deployment's .env). */
  canaryFile: string;
  canary: string;
  /** An empty host folder: anything that appears in it was made by the host for a sandbox. */
  watch: string;
  /** Every folder any sandbox of this deployment can write, in any stage. */
  writable: () => string[];
}

export function boundaryFixture(prefix: string): BoundaryFixture {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(root, 0o755);
  const dataDir = path.join(root, 'data');
  const canary = `CANARY-boundary-${crypto.randomBytes(8).toString('hex')}`;
  const canaryFile = path.join(root, 'app', '.env');
  fs.mkdirSync(path.dirname(canaryFile), { recursive: true });
  fs.writeFileSync(canaryFile, `PRIVATE_KEY=${canary}\n`, { mode: 0o644 });
  const watch = path.join(root, 'host', 'watch');
  fs.mkdirSync(watch, { recursive: true });
  const mirror = path.join(dataDir, 'mirrors', 'o', 'r.git');
  const src = fixtureRepo(nodeBuggy);
  execFileSync('git', ['clone', '-q', '--bare', src, mirror], { env: gitEnv() });
  execFileSync('git', ['config', 'remote.origin.url', `https://x-access-token:${canary}@github.com/o/r.git`], {
    cwd: mirror,
  });
  const worktree = path.join(dataDir, 'worktrees', 'idle', 'h-job-1');
  execFileSync('git', ['worktree', 'add', '-q', '--force', '-B', 'agent/1', worktree, 'HEAD'], {
    cwd: mirror,
    env: gitEnv(),
  });
  const gitLink = fs.readFileSync(path.join(worktree, '.git'), 'utf8');
  const cacheDir = path.join(dataDir, 'cache', 'o--r');
  fs.mkdirSync(path.join(dataDir, 'runs'), { recursive: true });
  const runDir = fs.mkdtempSync(path.join(dataDir, 'runs', 'job-1-'));
  const runTmp = path.join(runDir, 'tmp');
  const privateCache = path.join(runDir, 'cache');
  const toolchain = path.join(root, 'toolchain');
  for (const d of [cacheDir, runTmp, privateCache, path.join(toolchain, 'bin')]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(toolchain, 'bin', 'tool'), '#!/bin/sh\necho tool\n', { mode: 0o755 });
  const list = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).map((n) => path.join(dir, n)) : []);
  return {
    root,
    dataDir,
    mirror,
    worktree,
    gitLink,
    cacheDir,
    runTmp,
    privateCache,
    toolchain,
    canaryFile,
    canary,
    watch,
    writable: () => [
      ...list(path.join(dataDir, 'worktrees', 'idle')),
      ...list(path.join(dataDir, 'runs')).flatMap((r) => [path.join(r, 'tmp'), path.join(r, 'cache')]),
      ...list(path.join(dataDir, 'cache')),
    ],
  };
}

const MOUNTINFO = `
awk '{ for (i = 1; i <= NF; i++) if ($i == "-") s = i; print $3, $4, $5, $6, $(s + 1) }' /proc/self/mountinfo > /tmp/.pw-mi
: > /tmp/.pw-w
while read dev root at opts fs; do
  case "$opts" in rw*) ;; *) continue ;; esac
  case "$fs" in tmpfs|proc|devpts|devtmpfs|mqueue|sysfs|cgroup*|overlay) continue ;; esac
  echo "$dev $root $at" >> /tmp/.pw-w
done < /tmp/.pw-mi
`;

/**
 * The swap attack, on every kind of source at once, as a command inside the sandbox: it reads its
 * own mount table, and every mount whose host source it can reach through a writable mount of its
 * own (the same file system, a path below that mount's root) it replaces with a link to `target`.
 * It prints what it managed. POSIX sh and awk: it runs in any image.
 */
export function swapEverySource(target: string): string {
  return `${MOUNTINFO}
while read dev root at opts fs; do
  while read wdev wroot wat; do
    [ "$dev" = "$wdev" ] || continue
    case "$root" in "$wroot"/*) ;; *) continue ;; esac
    p="$wat\${root#$wroot}"
    mv "$p" "$p.pw-moved" 2>/dev/null && ln -s "${target}" "$p" && echo "SWAPPED $p (the source of $at)"
  done < /tmp/.pw-w
done < /tmp/.pw-mi
true
`;
}

/**
 * The mount-point attack: every mount point bwrap made deeper than one level inside a writable
 * mount, the command sends through a link to `/oldroot<redirect>` (where bwrap keeps the host's
 * root while it builds the next sandbox), so that bwrap's `mkdir -p` would make folders there.
 */
export function redirectMountPoints(redirect: string): string {
  return `${MOUNTINFO}
while read dev root at opts fs; do
  while read wdev wroot wat; do
    case "$at" in "$wat"/*) ;; *) continue ;; esac
    rest="\${at#$wat/}"; first="$wat/\${rest%%/*}"
    [ "$first" = "$at" ] && continue
    [ -L "$first" ] && continue
    mv "$first" "$first.pw-moved" 2>/dev/null && ln -s "/oldroot${redirect}" "$first" && echo "REDIRECTED $first (on the way to $at)"
  done < /tmp/.pw-w
done < /tmp/.pw-mi
true
`;
}
