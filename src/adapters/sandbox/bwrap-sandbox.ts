import fs from 'node:fs';
import path from 'node:path';
import type { Sandbox, SandboxResult, SandboxRunOptions } from '../../core/ports.ts';
import { aliasArgs, hostViewArgs, SANDBOX_EXTRA_BIN, sandboxEtc } from './host-view.ts';
import { defaultLimits, prlimitArgs, toArgv, type ResourceLimits } from './limits.ts';
import { runProcess } from './run-process.ts';
import { buildSandboxEnv, type SandboxEnvRequest } from './sandbox-env.ts';
import { prepareLayout, SANDBOX_GID, SANDBOX_HOME, SANDBOX_TMP, SANDBOX_UID, type SandboxLayout } from './sandbox-layout.ts';
import { seccompProgramFile } from './seccomp-filter.ts';
import { DEFAULT_SANDBOX_HOST_UID, handOverLayout, runsAsRoot } from './sandbox-owner.ts';
import { maskedGitConfig } from './git-config-mask.ts';
import { readRusage, rusageWrapper } from './rusage-wrapper.ts';

export interface BwrapOptions {
  layout: SandboxLayout;
  limits?: ResourceLimits;
  env?: SandboxEnvRequest;
  bwrapPath?: string;
  /** The host user commands run as when the app is root (see sandbox-owner.ts). */
  hostUid?: number;
  /** A command is stopped when the worktree's disk has less free space than this. */
  minFreeBytes?: number;
  /** Who commands are; by default chosen from whether the app runs as root. */
  identity?: SandboxIdentity;
}

/**
 * Who a command is: for an unprivileged app, an unprivileged user of a user namespace of its own
 * (the kernel then holds it to its process limit); for an app running as root, a dedicated
 * unprivileged host user, switched to by setpriv after bwrap built the mounts.
 */
export type SandboxIdentity = { mode: 'userns' } | { mode: 'host-user'; uid: number; gid: number };

/** The file descriptor the seccomp program is handed to bwrap on. */
const SECCOMP_FD = 3;

/**
 * bubblewrap: a user namespace where the command is an unprivileged user with no capabilities,
 * a seccomp filter, a root built from an allow-list of host paths, and private PID/IPC/UTS
 * (and network, unless asked) namespaces.
 */
export class BwrapSandbox implements Sandbox {
  readonly kind = 'bwrap' as const;
  readonly #opts: BwrapOptions;
  readonly #etcDir: string;
  readonly #masks: Array<{ source: string; target: string }>;
  readonly #identity: SandboxIdentity;

  constructor(opts: BwrapOptions) {
    this.#opts = opts;
    prepareLayout(opts.layout);
    const hostUid = opts.hostUid ?? DEFAULT_SANDBOX_HOST_UID;
    this.#identity = opts.identity ?? (runsAsRoot() ? { mode: 'host-user', uid: hostUid, gid: hostUid } : { mode: 'userns' });
    const own = path.join(opts.layout.runTmp, '.patchwright-etc');
    const id = this.#identity.mode === 'host-user' ? this.#identity : { uid: SANDBOX_UID, gid: SANDBOX_GID };
    this.#etcDir = sandboxEtc(id.uid, id.gid);
    this.#masks = opts.layout.readOnly.map((dir) => maskedGitConfig(dir, own)).filter((m) => m !== null);
  }

  #handedOver = false;

  /**
   * The host user must own what it writes: handed over before the first command (a walk of the
   * worktree). Files the app writes later keep the owner of the checkout (see local-files.ts).
   */
  #handOver(): void {
    if (this.#identity.mode !== 'host-user' || this.#handedOver) return;
    this.#handedOver = true;
    handOverLayout(this.#opts.layout, this.#identity.uid, this.#identity.gid);
  }

  async run(opts: SandboxRunOptions): Promise<SandboxResult> {
    const stage = opts.stage ?? 'agent';
    const env = buildSandboxEnv({ home: SANDBOX_HOME, tmp: SANDBOX_TMP, cache: this.#opts.layout.cacheDir, stage, ...this.#opts.env, run: opts.environment });
    env.PATH = `${env.PATH}:${SANDBOX_EXTRA_BIN}`;
    this.#handOver();
    const filter = fs.openSync(seccompProgramFile(), 'r');
    const measure = rusageWrapper(SANDBOX_TMP, this.#opts.layout.runTmp);
    try {
      const result = await runProcess({
        file: this.#opts.bwrapPath ?? 'bwrap',
        args: bwrapArgs(this.#opts.layout, { ...opts, stage }, this.#opts.limits ?? defaultLimits, this.#etcDir, this.#masks, this.#identity, measure?.argv),
        env,
        cwd: this.#opts.layout.runTmp,
        timeoutMs: opts.timeoutMs,
        outputLimitBytes: opts.outputLimitBytes,
        signal: opts.signal,
        extraFds: [filter],
        watch: () => diskTooFull(this.#opts.layout.worktree, this.#opts.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES),
      });
      const usage = measure ? readRusage(measure.hostFile) : null;
      return usage ? { ...result, usage } : result;
    } finally {
      fs.closeSync(filter);
    }
  }
}

export function bwrapArgs(
  layout: SandboxLayout,
  opts: Pick<SandboxRunOptions, 'command' | 'cwd' | 'network' | 'stage' | 'readOnly'>,
  limits: ResourceLimits,
  etcDir: string,
  masks: Array<{ source: string; target: string }> = [],
  identity: SandboxIdentity = { mode: 'userns' },
  /** A wrapper that measures the command (see rusage-wrapper.ts); it runs inside the limits. */
  measure: string[] = [],
): string[] {
  const args =
    identity.mode === 'userns'
      ? ['--unshare-user', '--uid', String(SANDBOX_UID), '--gid', String(SANDBOX_GID), '--disable-userns', '--cap-drop', 'ALL']
      : // Only what setpriv needs to become the host user; it gives up even those on the switch.
        ['--cap-drop', 'ALL', '--cap-add', 'CAP_SETUID', '--cap-add', 'CAP_SETGID'];
  args.push('--seccomp', String(SECCOMP_FD));
  args.push(...hostViewArgs({ etcDir }));
  args.push('--dev', '/dev', '--proc', '/proc', '--tmpfs', '/run', '--tmpfs', '/var/tmp', ...aliasArgs());
  args.push('--bind', layout.runTmp, SANDBOX_TMP);
  args.push(opts.stage === 'setup' ? '--bind' : '--ro-bind', layout.cacheDir, layout.cacheDir);
  for (const ro of layout.readOnly) args.push('--ro-bind-try', ro, ro);
  for (const m of masks) args.push('--ro-bind', m.source, m.target);
  args.push(opts.readOnly ? '--ro-bind' : '--bind', layout.worktree, layout.worktree);
  const dotGit = path.join(layout.worktree, '.git');
  if (fs.existsSync(dotGit)) args.push('--ro-bind', dotGit, dotGit);
  // The root itself is bwrap's tmpfs: read-only, so nothing outside the binds above is writable.
  args.push('--remount-ro', '/');
  args.push('--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try');
  if (!opts.network) args.push('--unshare-net');
  // As the host user, the folder is entered after the switch (env -C): bwrap itself is root
  // without DAC capabilities, which cannot enter a 0700 checkout the host user owns.
  args.push('--hostname', 'sandbox', '--die-with-parent', '--new-session', '--chdir', identity.mode === 'host-user' ? '/' : opts.cwd);
  const become = identity.mode === 'host-user' ? ['setpriv', `--reuid=${identity.uid}`, `--regid=${identity.gid}`, '--clear-groups', '--inh-caps=-all', '--', 'env', '-C', opts.cwd] : [];
  args.push('--', ...become, ...prlimitArgs(limits), ...measure, ...toArgv(opts.command));
  return withOpenParents(args);
}

export const DEFAULT_MIN_FREE_BYTES = 1024 ** 3;

/** Why a command must stop because the disk it writes to is nearly full, or null. */
export function diskTooFull(dir: string, minFree: number): string | null {
  try {
    const s = fs.statfsSync(dir);
    const free = s.bavail * s.bsize;
    return free < minFree ? `the disk has ${Math.round(free / 1024 ** 2)} MB free, below the ${Math.round(minFree / 1024 ** 2)} MB the host keeps` : null;
  } catch {
    return null;
  }
}

/** bwrap ops whose last argument is a path inside the sandbox, and how many arguments they take. */
const DEST_OPS: Record<string, number> = { '--bind': 2, '--ro-bind': 2, '--ro-bind-try': 2, '--bind-try': 2, '--symlink': 2, '--dir': 1, '--tmpfs': 1, '--proc': 1, '--dev': 1 };

/**
 * The folders bwrap makes on the way to a mount point can come out 0700 and root's (as when the
 * app runs as root), which the sandbox user could not pass through: each is made first, 0755.
 */
function withOpenParents(args: string[]): string[] {
  const out: string[] = [];
  const made = new Set<string>(['/']);
  for (let i = 0; i < args.length; i++) {
    const op = args[i]!;
    if (op === '--') {
      out.push(...args.slice(i));
      break;
    }
    const n = DEST_OPS[op];
    if (n !== undefined && args[i - 1] !== '--perms') {
      const dest = args[i + n]!;
      const parents: string[] = [];
      for (let d = path.dirname(dest); !made.has(d); d = path.dirname(d)) parents.unshift(d);
      for (const d of parents) {
        out.push('--perms', '0755', '--dir', d);
        made.add(d);
      }
      made.add(dest);
    }
    out.push(op);
  }
  return out;
}
