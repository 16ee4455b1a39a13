import fs from 'node:fs';
import path from 'node:path';
import type { Sandbox, SandboxResult, SandboxRunOptions } from '../../core/ports.ts';
import { defaultLimits, prlimitArgs, toArgv, type ResourceLimits } from './limits.ts';
import { runProcess } from './run-process.ts';
import { buildSandboxEnv, type SandboxEnvRequest } from './sandbox-env.ts';
import { prepareLayout, SANDBOX_HOME, SANDBOX_TMP, type SandboxLayout } from './sandbox-layout.ts';

export interface BwrapOptions {
  layout: SandboxLayout;
  limits?: ResourceLimits;
  env?: SandboxEnvRequest;
  bwrapPath?: string;
}

/** bubblewrap: read-only root, private PID/IPC/UTS (and network, unless asked) namespaces. */
export class BwrapSandbox implements Sandbox {
  readonly kind = 'bwrap' as const;
  readonly #opts: BwrapOptions;

  constructor(opts: BwrapOptions) {
    this.#opts = opts;
    prepareLayout(opts.layout);
  }

  run(opts: SandboxRunOptions): Promise<SandboxResult> {
    const env = buildSandboxEnv({ home: SANDBOX_HOME, tmp: SANDBOX_TMP, cache: this.#opts.layout.cacheDir, ...this.#opts.env });
    return runProcess({
      file: this.#opts.bwrapPath ?? 'bwrap',
      args: bwrapArgs(this.#opts.layout, opts, this.#opts.limits ?? defaultLimits),
      env,
      cwd: this.#opts.layout.runTmp,
      timeoutMs: opts.timeoutMs,
      outputLimitBytes: opts.outputLimitBytes,
      signal: opts.signal,
    });
  }
}

export function bwrapArgs(layout: SandboxLayout, opts: Pick<SandboxRunOptions, 'command' | 'cwd' | 'network'>, limits: ResourceLimits): string[] {
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc'];
  for (const hidden of layout.hide) args.push('--tmpfs', hidden);
  args.push('--bind', layout.runTmp, SANDBOX_TMP);
  args.push('--bind', layout.cacheDir, layout.cacheDir);
  for (const ro of layout.readOnly) args.push('--ro-bind', ro, ro);
  args.push('--bind', layout.worktree, layout.worktree);
  const dotGit = path.join(layout.worktree, '.git');
  if (fs.existsSync(dotGit)) args.push('--ro-bind', dotGit, dotGit);
  args.push('--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try');
  if (!opts.network) args.push('--unshare-net');
  args.push('--hostname', 'sandbox', '--die-with-parent', '--new-session', '--chdir', opts.cwd);
  args.push('--', ...prlimitArgs(limits), ...toArgv(opts.command));
  return args;
}
