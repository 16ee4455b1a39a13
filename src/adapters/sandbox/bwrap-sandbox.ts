import fs from 'node:fs';
import path from 'node:path';
import type { Sandbox, SandboxResult, SandboxRunOptions } from '../../core/ports.ts';
import { bwrapMounts, type DotGit } from './bwrap-mounts.ts';
import { DEFAULT_MIN_FREE_BYTES, DEFAULT_MIN_FREE_INODES, diskTooFull } from './disk-watch.ts';
import { maskedGitConfig } from './git-config-mask.ts';
import { memoryWrap, type MemoryLimit } from './memory-limit.ts';
import { openNoFollow, processHostDir } from './host-only.ts';
import { SANDBOX_EXTRA_BIN } from './host-view.ts';
import { DEFAULT_TMPFS_BYTES, defaultLimits, prlimitArgs, toArgv, type ResourceLimits } from './limits.ts';
import type { Mount } from './mount-table.ts';
import { renderMounts } from './render-mounts.ts';
import { runProcess } from './run-process.ts';
import { parseRusage, rusageWrapper } from './rusage-wrapper.ts';
import { sandboxEtc } from './sandbox-etc.ts';
import { buildSandboxEnv, type SandboxEnvRequest } from './sandbox-env.ts';
import {
  prepareLayout,
  runCache,
  writablePaths,
  SANDBOX_GID,
  SANDBOX_HOME,
  SANDBOX_TMP,
  SANDBOX_UID,
  type SandboxLayout,
} from './sandbox-layout.ts';
import { DEFAULT_SANDBOX_HOST_UID, handOverLayout, runsAsRoot } from './sandbox-owner.ts';
import { appSecretPaths } from './secret-paths.ts';
import { seccompBytes } from './seccomp-filter.ts';
import { defaultFirewall } from '../egress/egress-policy.ts';
import type { EgressFirewall } from '../egress/egress-firewall.ts';
import { bwrapEgress, refusalNote } from '../egress/sandbox-egress.ts';

export interface BwrapOptions {
  layout: SandboxLayout;
  limits?: ResourceLimits;
  env?: SandboxEnvRequest;
  bwrapPath?: string;
  /** The host user commands run as when the app is root (see sandbox-owner.ts). */
  hostUid?: number;
  /** A command is stopped when a disk it writes to has less free space than this. */
  minFreeBytes?: number;
  /** ... or fewer free inodes than this. */
  minFreeInodes?: number;
  /** Who commands are; by default chosen from whether the app runs as root. */
  identity?: SandboxIdentity;
  /** A host-only folder (0700, the app's) for the /etc copy: `<dataDir>/host`; by default one per process. */
  hostDir?: string;
  /** More host folders to hide than the app's own (secret-paths.ts), e.g. the data dir, `PATCHWRIGHT_SANDBOX_HIDE`. */
  hide?: string[];
  /** The size of each writable tmpfs (`/dev/shm`) and of `/run` and `/var/tmp`. */
  tmpfsBytes?: number;
  /** How a whole command is held to `limits.memoryBytes` (memory-limit.ts); by default only RLIMIT_DATA per process. */
  memory?: MemoryLimit;
  /** The only way out of a command's network namespace (see src/adapters/egress/); by default the registries' presets. */
  egress?: EgressFirewall;
}

/**
 * Who a command is: for an unprivileged app, an unprivileged user of a user namespace of its own
 * (the kernel then holds it to its process limit); for an app running as root, a dedicated
 * unprivileged host user, switched to by setpriv after bwrap built the mounts.
 */
export type SandboxIdentity = { mode: 'userns' } | { mode: 'host-user'; uid: number; gid: number };

/** What the host did for the last command: every mount (and its source), every file read back. For the invariant test. */
export interface SandboxAudit {
  mounts: Mount[];
  /** Host files this sandbox read that a command could have written (none, by design), with when. */
  reads: Array<{ path: string; when: string }>;
}

/** fd 3: the seccomp program; fd 4: the wrapper's figures; then the mount table's. */
const SECCOMP_FD = 3;
const FIGURES_FD = 4;

/**
 * bubblewrap: a user namespace where the command is an unprivileged user with no capabilities,
 * a seccomp filter, a root built from an allow-list of host paths (mount-table.ts), and private
 * PID/IPC/UTS and network namespaces (with network, the egress proxy is the only way out).
 */
export class BwrapSandbox implements Sandbox {
  readonly kind = 'bwrap' as const;
  readonly #opts: BwrapOptions;
  readonly #etcDir: string;
  readonly #gitMasks: Array<{ dest: string; data: string }>;
  readonly #identity: SandboxIdentity;
  readonly #dotGit: DotGit;
  readonly #hidden: string[];
  readonly #reads: SandboxAudit['reads'] = [];
  #last: Mount[] = [];
  #handedOver = false;
  readonly #egress: EgressFirewall;

  constructor(opts: BwrapOptions) {
    this.#opts = opts;
    rusageWrapper(FIGURES_FD);
    prepareLayout(opts.layout);
    const hostUid = opts.hostUid ?? DEFAULT_SANDBOX_HOST_UID;
    this.#identity =
      opts.identity ?? (runsAsRoot() ? { mode: 'host-user', uid: hostUid, gid: hostUid } : { mode: 'userns' });
    const id = this.#identity.mode === 'host-user' ? this.#identity : { uid: SANDBOX_UID, gid: SANDBOX_GID };
    this.#etcDir = sandboxEtc(id.uid, id.gid, opts.hostDir ?? processHostDir());
    this.#gitMasks = opts.layout.readOnly.map((dir) => maskedGitConfig(dir)).filter((m) => m !== null);
    this.#dotGit = this.#findDotGit();
    this.#hidden = appSecretPaths(process.env, opts.hide ?? []);
    this.#egress = opts.egress ?? defaultFirewall();
  }

  /** The last command's mounts and what the host read back: what the invariant test checks. */
  audit(): SandboxAudit {
    return { mounts: this.#last, reads: [...this.#reads] };
  }

  /**
   * The worktree's `.git`: the content the app wrote (layout.gitLink), or, for a checkout the app
   * did not make, the file as it is before any command of this sandbox ran, or the folder itself.
   */
  #findDotGit(): DotGit {
    if (this.#opts.layout.gitLink !== undefined) return { kind: 'file', content: this.#opts.layout.gitLink };
    const p = path.join(this.#opts.layout.worktree, '.git');
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st || st.isSymbolicLink()) return null;
    if (st.isDirectory()) return { kind: 'dir' };
    if (!st.isFile() || st.size > 4096) return null;
    const fd = openNoFollow(p, 'file');
    try {
      this.#reads.push({ path: p, when: 'once, before any command of this sandbox ran' });
      return { kind: 'file', content: fs.readFileSync(fd, 'utf8') };
    } finally {
      fs.closeSync(fd);
    }
  }

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
    const { layout } = this.#opts;
    const env = buildSandboxEnv({
      home: SANDBOX_HOME,
      tmp: SANDBOX_TMP,
      cache: runCache(layout),
      stage,
      ...this.#opts.env,
      run: opts.environment,
    });
    env.PATH = `${env.PATH}:${SANDBOX_EXTRA_BIN}`;
    this.#handOver();
    // With network, the command's own namespace leads out only through the egress proxy.
    const gate = opts.network ? await this.#egress.open() : null;
    try {
      return await this.#runIn(opts, stage, env, gate);
    } finally {
      await gate?.close();
    }
  }

  async #runIn(
    opts: SandboxRunOptions,
    stage: 'setup' | 'agent',
    env: Record<string, string>,
    gate: Awaited<ReturnType<EgressFirewall['open']>> | null,
  ): Promise<SandboxResult> {
    const { layout } = this.#opts;
    const egress = bwrapEgress(gate, env, writablePaths(layout));
    const mounts = bwrapMounts({
      layout,
      stage,
      readOnlyWorktree: opts.readOnly ?? false,
      etcDir: this.#etcDir,
      hidden: this.#hidden,
      tmpfsBytes: this.#opts.tmpfsBytes ?? DEFAULT_TMPFS_BYTES,
      dotGit: this.#dotGit,
      gitMasks: this.#gitMasks,
      egress: egress.mounts,
    });
    this.#last = mounts;
    const me = typeof process.getuid === 'function' ? process.getuid() : 0;
    const rendered = renderMounts(mounts, FIGURES_FD + 1, [
      0,
      me,
      ...(this.#identity.mode === 'host-user' ? [this.#identity.uid] : []),
    ]);
    const floor = {
      bytes: this.#opts.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES,
      inodes: this.#opts.minFreeInodes ?? DEFAULT_MIN_FREE_INODES,
    };
    const watched = [layout.worktree, layout.runTmp, ...(stage === 'setup' ? [runCache(layout)] : [])];
    const limits = this.#opts.limits ?? defaultLimits;
    const memory = memoryWrap(this.#opts.memory ?? { kind: 'none', why: 'not asked' }, limits.memoryBytes);
    const [file, ...prefix] = [...memory.prefix, this.#opts.bwrapPath ?? 'bwrap'];
    try {
      const { readBack, ...result } = await runProcess({
        file: file!,
        args: [...prefix, ...bwrapArgs(rendered.args, opts, limits, this.#identity, egress.prefix)],
        env: { ...env, ...egress.env },
        // Never a folder the sandbox writes, even as bwrap's own working directory.
        cwd: '/',
        timeoutMs: opts.timeoutMs,
        outputLimitBytes: opts.outputLimitBytes,
        signal: opts.signal,
        extra: [{ data: seccompBytes() }, { read: true }, ...rendered.fds],
        watch: () => diskTooFull(watched, floor),
      });
      const usage = parseRusage(readBack[1] ?? '');
      const refused = gate ? await gate.close() : [];
      return {
        ...result,
        stderr: result.stderr + refusalNote(refused),
        ...(usage ? { usage } : {}),
        ...(refused.length ? { egressRefused: refused } : {}),
      };
    } finally {
      for (const fd of rendered.opened) fs.closeSync(fd);
      memory.done();
    }
  }
}

/** The whole bwrap command line: who the command is, the mount table, namespaces, then the command inside its limits and wrapper. */
export function bwrapArgs(
  mountArgs: string[],
  opts: Pick<SandboxRunOptions, 'command' | 'cwd' | 'network'>,
  limits: ResourceLimits,
  identity: SandboxIdentity = { mode: 'userns' },
  /** The egress bridge, started inside the namespace before the command (sandbox-egress.ts); none without network. */
  egressPrefix: string[] = [],
): string[] {
  const args =
    identity.mode === 'userns'
      ? [
          '--unshare-user',
          '--uid',
          String(SANDBOX_UID),
          '--gid',
          String(SANDBOX_GID),
          '--disable-userns',
          '--cap-drop',
          'ALL',
        ]
      : // Only what setpriv needs to become the host user; it gives up even those on the switch.
        ['--cap-drop', 'ALL', '--cap-add', 'CAP_SETUID', '--cap-add', 'CAP_SETGID'];
  args.push('--seccomp', String(SECCOMP_FD), ...mountArgs);
  args.push('--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try');
  // Always a namespace of its own: with network, the egress bridge is its only way out.
  args.push('--unshare-net');
  // As the host user, the folder is entered after the switch (env -C): bwrap itself is root
  // without DAC capabilities, which cannot enter a 0700 checkout the host user owns.
  args.push(
    '--hostname',
    'sandbox',
    '--die-with-parent',
    '--new-session',
    '--chdir',
    identity.mode === 'host-user' ? '/' : opts.cwd,
  );
  const become =
    identity.mode === 'host-user'
      ? [
          'setpriv',
          `--reuid=${identity.uid}`,
          `--regid=${identity.gid}`,
          '--clear-groups',
          '--inh-caps=-all',
          '--',
          'env',
          '-C',
          opts.cwd,
        ]
      : [];
  args.push(
    '--',
    ...become,
    ...prlimitArgs(limits),
    ...egressPrefix,
    ...rusageWrapper(FIGURES_FD),
    ...toArgv(opts.command),
  );
  return args;
}
