import type { Sandbox, SandboxResult, SandboxRunOptions } from '../../core/ports.ts';
import { defaultLimits, toArgv, type ResourceLimits } from './limits.ts';
import { runProcess } from './run-process.ts';
import { buildSandboxEnv, type SandboxEnvRequest } from './sandbox-env.ts';
import { prepareLayout, SANDBOX_HOME, SANDBOX_TMP, type SandboxLayout } from './sandbox-layout.ts';

export interface DockerOptions {
  layout: SandboxLayout;
  image: string;
  limits?: ResourceLimits;
  env?: SandboxEnvRequest;
}

/**
 * Docker, for hosts with an engine. NOT RUN on the machine this was built on (it has no Docker
 * daemon): only the command it builds is tested.
 */
export class DockerSandbox implements Sandbox {
  readonly kind = 'docker' as const;
  readonly #opts: DockerOptions;

  constructor(opts: DockerOptions) {
    this.#opts = opts;
    prepareLayout(opts.layout);
  }

  run(opts: SandboxRunOptions): Promise<SandboxResult> {
    const env = buildSandboxEnv({ home: SANDBOX_HOME, tmp: SANDBOX_TMP, cache: this.#opts.layout.cacheDir, stage: opts.stage ?? 'agent', ...this.#opts.env });
    return runProcess({
      file: 'docker',
      args: dockerArgs(this.#opts, opts, env),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      cwd: this.#opts.layout.runTmp,
      timeoutMs: opts.timeoutMs,
      outputLimitBytes: opts.outputLimitBytes,
      signal: opts.signal,
    });
  }
}

export function dockerArgs(d: DockerOptions, opts: Pick<SandboxRunOptions, 'command' | 'cwd' | 'network' | 'stage' | 'readOnly'>, env: Record<string, string>): string[] {
  const l = d.limits ?? defaultLimits;
  const { worktree, runTmp, cacheDir, readOnly } = d.layout;
  const args = ['run', '--rm', '--init', '--read-only', '--user', '1000:1000', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges'];
  if (!opts.network) args.push('--network', 'none');
  args.push('--pids-limit', String(l.processes), '--memory', String(l.memoryBytes), '--ulimit', `fsize=${l.fileSizeBytes}`, '--ulimit', `cpu=${l.cpuSeconds}`);
  args.push('--mount', `type=bind,src=${worktree},dst=${worktree}${opts.readOnly ? ',readonly' : ''}`);
  args.push('--mount', `type=bind,src=${worktree}/.git,dst=${worktree}/.git,readonly`);
  args.push('--mount', `type=bind,src=${runTmp},dst=${SANDBOX_TMP}`);
  args.push('--mount', `type=bind,src=${cacheDir},dst=${cacheDir}${opts.stage === 'setup' ? '' : ',readonly'}`);
  for (const ro of readOnly) args.push('--mount', `type=bind,src=${ro},dst=${ro},readonly`);
  for (const [k, v] of Object.entries(env)) args.push('--env', `${k}=${v}`);
  args.push('--workdir', opts.cwd, d.image, ...toArgv(opts.command));
  return args;
}
