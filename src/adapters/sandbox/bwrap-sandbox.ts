import fs from 'node:fs';
import path from 'node:path';
import type { Sandbox, SandboxResult, SandboxRunOptions } from '../../core/ports.ts';
import { aliasArgs, hostViewArgs, SANDBOX_EXTRA_BIN, writeIdentityFiles } from './host-view.ts';
import { defaultLimits, prlimitArgs, toArgv, type ResourceLimits } from './limits.ts';
import { runProcess } from './run-process.ts';
import { buildSandboxEnv, type SandboxEnvRequest } from './sandbox-env.ts';
import { prepareLayout, SANDBOX_GID, SANDBOX_HOME, SANDBOX_TMP, SANDBOX_UID, type SandboxLayout } from './sandbox-layout.ts';
import { seccompProgramFile } from './seccomp-filter.ts';
import { maskedGitConfig } from './git-config-mask.ts';

export interface BwrapOptions {
  layout: SandboxLayout;
  limits?: ResourceLimits;
  env?: SandboxEnvRequest;
  bwrapPath?: string;
}

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
  readonly #etcFiles: Record<string, string>;
  readonly #masks: Array<{ source: string; target: string }>;

  constructor(opts: BwrapOptions) {
    this.#opts = opts;
    prepareLayout(opts.layout);
    const own = path.join(opts.layout.runTmp, '.patchwright-etc');
    this.#etcFiles = writeIdentityFiles(own, SANDBOX_UID, SANDBOX_GID);
    this.#masks = opts.layout.readOnly.map((dir) => maskedGitConfig(dir, own)).filter((m) => m !== null);
  }

  async run(opts: SandboxRunOptions): Promise<SandboxResult> {
    const stage = opts.stage ?? 'agent';
    const env = buildSandboxEnv({ home: SANDBOX_HOME, tmp: SANDBOX_TMP, cache: this.#opts.layout.cacheDir, stage, ...this.#opts.env });
    env.PATH = `${env.PATH}:${SANDBOX_EXTRA_BIN}`;
    const filter = fs.openSync(seccompProgramFile(), 'r');
    try {
      return await runProcess({
        file: this.#opts.bwrapPath ?? 'bwrap',
        args: bwrapArgs(this.#opts.layout, { ...opts, stage }, this.#opts.limits ?? defaultLimits, this.#etcFiles, this.#masks),
        env,
        cwd: this.#opts.layout.runTmp,
        timeoutMs: opts.timeoutMs,
        outputLimitBytes: opts.outputLimitBytes,
        signal: opts.signal,
        extraFds: [filter],
      });
    } finally {
      fs.closeSync(filter);
    }
  }
}

export function bwrapArgs(
  layout: SandboxLayout,
  opts: Pick<SandboxRunOptions, 'command' | 'cwd' | 'network' | 'stage'>,
  limits: ResourceLimits,
  etcFiles: Record<string, string> = {},
  masks: Array<{ source: string; target: string }> = [],
): string[] {
  const args = ['--unshare-user', '--uid', String(SANDBOX_UID), '--gid', String(SANDBOX_GID), '--disable-userns', '--cap-drop', 'ALL'];
  args.push('--seccomp', String(SECCOMP_FD));
  args.push(...hostViewArgs({ etcFiles }));
  args.push('--dev', '/dev', '--proc', '/proc', '--tmpfs', '/run', '--tmpfs', '/var/tmp', ...aliasArgs());
  args.push('--bind', layout.runTmp, SANDBOX_TMP);
  args.push(opts.stage === 'setup' ? '--bind' : '--ro-bind', layout.cacheDir, layout.cacheDir);
  for (const ro of layout.readOnly) args.push('--ro-bind-try', ro, ro);
  for (const m of masks) args.push('--ro-bind', m.source, m.target);
  args.push('--bind', layout.worktree, layout.worktree);
  const dotGit = path.join(layout.worktree, '.git');
  if (fs.existsSync(dotGit)) args.push('--ro-bind', dotGit, dotGit);
  // The root itself is bwrap's tmpfs: read-only, so nothing outside the binds above is writable.
  args.push('--remount-ro', '/');
  args.push('--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try');
  if (!opts.network) args.push('--unshare-net');
  args.push('--hostname', 'sandbox', '--die-with-parent', '--new-session', '--chdir', opts.cwd);
  args.push('--', ...prlimitArgs(limits), ...toArgv(opts.command));
  return args;
}
