import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import type { Sandbox, SandboxResult, SandboxRunOptions } from '../../core/ports.ts';
import { defaultLimits, toArgv, type ResourceLimits } from './limits.ts';
import { runProcess } from './run-process.ts';
import { buildSandboxEnv, type SandboxEnvRequest } from './sandbox-env.ts';
import { prepareLayout, SANDBOX_HOME, SANDBOX_TMP, type SandboxLayout } from './sandbox-layout.ts';
import { DEFAULT_SANDBOX_HOST_UID, handOverLayout, runsAsRoot } from './sandbox-owner.ts';

export interface DockerOptions {
  layout: SandboxLayout;
  image: string;
  limits?: ResourceLimits;
  env?: SandboxEnvRequest;
  /** A Docker-compatible CLI: `docker` (default) or `podman` (PATCHWRIGHT_DOCKER_CLI). */
  cli?: string;
  /** The OCI runtime to ask for (`runc` where crun does not work), PATCHWRIGHT_DOCKER_RUNTIME. */
  runtime?: string | undefined;
  /** The host user commands run as when the app is root (see sandbox-owner.ts). */
  hostUid?: number;
}

/** Who a container's commands are: a host user (an engine that is root maps container users to host users one to one). */
export interface ContainerUser {
  uid: number;
  gid: number;
}

/**
 * An app running as root hands the worktree, temp dir and caches to an unprivileged host user
 * (`hostUid`: a job's own, so jobs do not share a process limit) and runs containers as that
 * user; an unprivileged app runs them as itself, the owner of those folders already.
 */
export function containerUser(hostUid: number | undefined): ContainerUser & { handOver: boolean } {
  if (runsAsRoot()) {
    const uid = hostUid ?? DEFAULT_SANDBOX_HOST_UID;
    return { uid, gid: uid, handOver: true };
  }
  return { uid: process.getuid!(), gid: process.getgid!(), handOver: false };
}

/**
 * A container per command, through a Docker-compatible CLI (Docker's, or Debian's podman with
 * the runc runtime: that is what the tests run here). Each container is named, so one that
 * outlives its command (a timeout, a cancel: podman's containers are not children of the CLI)
 * is removed by name.
 */
export class DockerSandbox implements Sandbox {
  readonly kind = 'docker' as const;
  readonly #opts: DockerOptions;
  readonly #user: ReturnType<typeof containerUser>;
  #handedOver = false;

  constructor(opts: DockerOptions) {
    this.#opts = opts;
    prepareLayout(opts.layout);
    this.#user = containerUser(opts.hostUid);
  }

  async run(opts: SandboxRunOptions): Promise<SandboxResult> {
    const env = buildSandboxEnv({ home: SANDBOX_HOME, tmp: SANDBOX_TMP, cache: this.#opts.layout.cacheDir, stage: opts.stage ?? 'agent', ...this.#opts.env, run: opts.environment });
    const name = `patchwright-${crypto.randomBytes(8).toString('hex')}`;
    const cli = this.#opts.cli ?? 'docker';
    if (this.#user.handOver && !this.#handedOver) {
      this.#handedOver = true;
      handOverLayout(this.#opts.layout, this.#user.uid, this.#user.gid);
    }
    // Values reach the container through the CLI's own environment (`--env NAME`), never its argv.
    const result = await runProcess({
      file: cli,
      args: dockerArgs(this.#opts, opts, env, this.#user, name),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...(process.env.HOME ? { HOME: process.env.HOME } : {}), ...(process.env.XDG_RUNTIME_DIR ? { XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR } : {}), ...env },
      cwd: this.#opts.layout.runTmp,
      timeoutMs: opts.timeoutMs,
      outputLimitBytes: opts.outputLimitBytes,
      signal: opts.signal,
    });
    if (result.timedOut || result.cancelled) await removeContainer(cli, name);
    return result;
  }
}

async function removeContainer(cli: string, name: string): Promise<void> {
  await new Promise<void>((resolve) => execFile(cli, ['rm', '--force', '--time', '0', name], { timeout: 30_000 }, () => resolve()));
}

export function dockerArgs(
  d: DockerOptions,
  opts: Pick<SandboxRunOptions, 'command' | 'cwd' | 'network' | 'stage' | 'readOnly'>,
  env: Record<string, string>,
  user: ContainerUser,
  name?: string,
): string[] {
  const l = d.limits ?? defaultLimits;
  const { worktree, runTmp, cacheDir, readOnly } = d.layout;
  const args = ['run', '--rm', '--init', '--read-only', '--user', `${user.uid}:${user.gid}`, '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges'];
  if (name) args.push('--name', name);
  if (d.runtime) args.push('--runtime', d.runtime);
  if (!opts.network) args.push('--network', 'none');
  // Every limit given explicitly: podman refuses to inherit rlimits it cannot raise.
  args.push('--pids-limit', String(l.processes), '--memory', String(l.memoryBytes), '--ulimit', `fsize=${l.fileSizeBytes}`, '--ulimit', `cpu=${l.cpuSeconds}`);
  args.push('--ulimit', 'nofile=4096:4096', '--ulimit', `nproc=${l.processes}:${l.processes}`);
  args.push('--mount', `type=bind,src=${worktree},dst=${worktree}${opts.readOnly ? ',readonly' : ''}`);
  args.push('--mount', `type=bind,src=${worktree}/.git,dst=${worktree}/.git,readonly`);
  args.push('--mount', `type=bind,src=${runTmp},dst=${SANDBOX_TMP}`);
  args.push('--mount', `type=bind,src=${cacheDir},dst=${cacheDir}${opts.stage === 'setup' ? '' : ',readonly'}`);
  for (const ro of readOnly) args.push('--mount', `type=bind,src=${ro},dst=${ro},readonly`);
  for (const k of Object.keys(env)) args.push('--env', k);
  args.push('--workdir', opts.cwd, d.image, ...toArgv(opts.command));
  return args;
}
