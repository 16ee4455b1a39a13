import fs from 'node:fs';
import path from 'node:path';
import { aliasMounts, SYSTEM_DIRS, systemView } from './host-view.ts';
import { checkMounts, inside, withParents, withShields, type Mount } from './mount-table.ts';
import type { SandboxStage } from './sandbox-env.ts';
import { realOrResolved, SANDBOX_TMP, writablePaths, type SandboxLayout } from './sandbox-layout.ts';

/** How the sandbox is given the worktree's `.git`: its content (a linked worktree's file), or the folder by descriptor. */
export type DotGit = { kind: 'file'; content: string } | { kind: 'dir' } | null;

export interface BwrapMountInput {
  layout: SandboxLayout;
  stage: SandboxStage;
  readOnlyWorktree: boolean;
  /** The host-only /etc copy (sandbox-etc.ts). */
  etcDir: string;
  /** Host folders that hold the app's secrets (secret-paths.ts): hidden wherever a visible folder holds them. */
  hidden: string[];
  /** The size of each tmpfs the sandbox can write (`PATCHWRIGHT_SANDBOX_TMPFS_MB`). */
  tmpfsBytes: number;
  dotGit: DotGit;
  /** Masked git configs (git-config-mask.ts), mounted as content at the config's place. */
  gitMasks: Array<{ dest: string; data: string }>;
  /** The egress bridge's socket and files (sandbox-egress.ts), under the sandbox's own /run; none without network. */
  egress?: Mount[];
  root?: string;
}

/** A mask over a secret folder: it only ever holds mount points, and is read-only after them. */
const MASK_BYTES = 1024 * 1024;

/**
 * The whole mount table of a bwrap command, in order; `checkMounts` has passed on it. Host paths
 * keep their paths inside (the worktree is where the app says it is); sources outside the system
 * folders are mounted by descriptor.
 */
export function bwrapMounts(i: BwrapMountInput): Mount[] {
  const { layout } = i;
  const worktree = path.resolve(layout.worktree);
  const dotGitPath = path.join(worktree, '.git');
  const bind = (op: 'bind' | 'ro-bind', p: string, optional = false): Mount => ({
    op,
    source: realOrResolved(p),
    dest: path.resolve(p),
    via: 'fd',
    type: 'dir',
    ...(optional ? { optional } : {}),
  });
  const system = systemView(i.root);
  const readOnly = [...new Set(layout.readOnly.map((p) => path.resolve(p)))]
    .filter((p) => p !== dotGitPath)
    .map((p) => roEntry(p));
  const visible = [...system, ...readOnly].flatMap((m) => (m.op === 'ro-bind' ? [m.dest] : []));
  // A secret folder inside a visible one is covered by an empty tmpfs; one that holds a system folder is not visible anyway.
  const masks = [...new Set(i.hidden)]
    .filter((h) => visible.some((v) => h === v || inside(h, v)) && !SYSTEM_DIRS.some((s) => s === h || inside(s, h)))
    .map((h): Mount => ({ op: 'tmpfs', dest: h, bytes: MASK_BYTES, perms: '0755' }));
  const table: Mount[] = [
    ...system,
    { op: 'ro-bind', source: i.etcDir, dest: '/etc', via: 'fd', type: 'dir' },
    { op: 'dev', dest: '/dev' },
    { op: 'tmpfs', dest: '/dev/shm', bytes: i.tmpfsBytes, perms: '1777' },
    { op: 'proc', dest: '/proc' },
    // Read-only once made (below), and sized all the same.
    { op: 'tmpfs', dest: '/run', bytes: i.tmpfsBytes, perms: '0755' },
    { op: 'tmpfs', dest: '/var/tmp', bytes: i.tmpfsBytes, perms: '0755' },
    ...aliasMounts(i.root),
    ...(i.egress ?? []),
    { ...bind('bind', layout.runTmp), dest: SANDBOX_TMP },
    // Deepest last, so a mask hides what a shallower folder shows, and a folder named inside a mask shows again.
    ...[...readOnly, ...masks]
      .map((m, n) => ({ m, n }))
      .sort((a, b) => depth(a.m.dest) - depth(b.m.dest) || a.n - b.n)
      .map((x) => x.m),
    ...(layout.privateCache
      ? [bind(i.stage === 'setup' ? 'bind' : 'ro-bind', layout.privateCache)]
      : [bind(i.stage === 'setup' ? 'bind' : 'ro-bind', layout.cacheDir)]),
    bind(i.readOnlyWorktree ? 'ro-bind' : 'bind', worktree),
    ...(i.dotGit?.kind === 'file'
      ? [{ op: 'data', dest: dotGitPath, data: i.dotGit.content } as Mount]
      : i.dotGit?.kind === 'dir'
        ? [bind('ro-bind', dotGitPath)]
        : []),
    // Last: a git dir can be the worktree's own `.git` (a person's checkout), which would cover a mask made before it.
    ...i.gitMasks.map((g): Mount => ({ op: 'data', dest: g.dest, data: g.data })),
  ];
  // Every tmpfs but /dev/shm ends read-only: /dev (bwrap's, which has no size; its devices and
  // /dev/pts are mounts of their own and stay usable), /run, /var/tmp, the masks, the root.
  const readOnlyAfter = ['/dev', '/run', '/var/tmp', ...masks.map((m) => m.dest), '/'];
  const out = [...withParents(withShields(table)), ...readOnlyAfter.map((dest): Mount => ({ op: 'remount-ro', dest }))];
  checkMounts(out, writablePaths(layout), [realOrResolved(dotGitPath), dotGitPath]);
  return out;
}

/** A read-only path the deployment or the layout names: a folder or a file, skipped if it is not there. */
function roEntry(p: string): Mount {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  return {
    op: 'ro-bind',
    source: realOrResolved(p),
    dest: p,
    via: 'fd',
    type: st && !st.isDirectory() ? 'file' : 'dir',
    optional: true,
  };
}

const depth = (p: string) => p.split('/').filter(Boolean).length;
