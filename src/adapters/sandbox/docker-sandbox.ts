import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import type { Sandbox, SandboxResult, SandboxRunOptions } from '../../core/ports.ts';
import { dockerMounts, type DockerMount } from './docker-mounts.ts';
import { DEFAULT_TMPFS_BYTES, defaultLimits, toArgv, type ResourceLimits } from './limits.ts';
import { runProcess } from './run-process.ts';
import { buildSandboxEnv, type SandboxEnvRequest } from './sandbox-env.ts';
import {
  prepareLayout,
  runCache,
  writablePaths,
  SANDBOX_HOME,
  SANDBOX_TMP,
  type SandboxLayout,
} from './sandbox-layout.ts';
import { DEFAULT_SANDBOX_HOST_UID, handOverLayout, runsAsRoot } from './sandbox-owner.ts';
import { defaultFirewall } from '../egress/egress-policy.ts';
import type { EgressFirewall } from '../egress/egress-firewall.ts';
import {
  bridgeModeFor,
  dockerEgress,
  missingPerlNote,
  NO_DOCKER_EGRESS,
  type BridgeMode,
  type DockerEgress,
} from '../egress/docker-egress.ts';
import { refusalNote } from '../egress/sandbox-egress.ts';

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
  /** A host-only folder (0700, the app's) for the masked git configs and the `.git` file the engine mounts. */
  hostDir?: string;
  /** The size of /dev/shm, /run and /var/tmp in the container (`PATCHWRIGHT_SANDBOX_TMPFS_MB`). */
  tmpfsBytes?: number;
  /** The only way out of a container with network (see src/adapters/egress/); by default the registries' presets. */
  egress?: EgressFirewall;
  /** Where the egress bridge runs; by default `netns` under podman, `in-container` under Docker (see docker-egress.ts). */
  bridge?: BridgeMode;
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
 * Names the CLI reads for itself (its config, storage, registry credentials, temp dir): never
 * taken from the sandbox's environment into the CLI's. HOME and TMPDIR still reach the container,
 * as `--env NAME=VALUE` (their values are the sandbox's own paths).
 */
const CLI_OWN =
  /^(HOME|TMPDIR|TMP|TEMP|PATH|XDG_.*|DOCKER_.*|CONTAINERS?_.*|PODMAN_.*|BUILDAH_.*|REGISTRY_AUTH_FILE|STORAGE_.*|LD_.*)$/;
const ON_ARGV = new Set(['HOME', 'TMPDIR', 'PATH']);

/**
 * A container per command, through a Docker-compatible CLI (Docker's, or Debian's podman with
 * the runc runtime: that is what the tests run here). Each container is named, so one that
 * outlives its command (a timeout, a cancel: podman's containers are not children of the CLI)
 * is removed by name. The CLI runs with the app's real HOME and only PATH and XDG_RUNTIME_DIR of
 * the app's environment, plus the values the container is given by name.
 */
export class DockerSandbox implements Sandbox {
  readonly kind = 'docker' as const;
  readonly #opts: DockerOptions;
  readonly #user: ReturnType<typeof containerUser>;
  readonly #mounts: ReturnType<typeof dockerMounts>;
  #handedOver = false;

  constructor(opts: DockerOptions) {
    this.#opts = opts;
    prepareLayout(opts.layout);
    this.#user = containerUser(opts.hostUid);
    this.#mounts = dockerMounts(opts.layout, opts.hostDir);
    this.#egress = opts.egress ?? defaultFirewall();
  }

  readonly #egress: EgressFirewall;

  /** The sources the engine mounts for `stage`: what the invariant test checks. */
  mounts(stage: 'setup' | 'agent' = 'agent', readOnly = false): DockerMount[] {
    return this.#mounts.forCommand(stage, readOnly);
  }

  async run(opts: SandboxRunOptions): Promise<SandboxResult> {
    const stage = opts.stage ?? 'agent';
    const env = buildSandboxEnv({
      home: SANDBOX_HOME,
      tmp: SANDBOX_TMP,
      cache: runCache(this.#opts.layout),
      stage,
      ...this.#opts.env,
      run: opts.environment,
    });
    const name = `patchwright-${crypto.randomBytes(8).toString('hex')}`;
    const cli = this.#opts.cli ?? 'docker';
    if (this.#user.handOver && !this.#handedOver) {
      this.#handedOver = true;
      handOverLayout(this.#opts.layout, this.#user.uid, this.#user.gid);
    }
    const mounts = this.#mounts.forCommand(stage, opts.readOnly ?? false);
    const passed = Object.fromEntries(Object.entries(env).filter(([k]) => !CLI_OWN.test(k)));
    const mode = this.#opts.bridge ?? bridgeModeFor(cli);
    // With network, the container's own namespace leads out only through the egress proxy.
    const gate = opts.network ? await this.#egress.open() : null;
    let egress: DockerEgress = NO_DOCKER_EGRESS;
    try {
      egress = await dockerEgress(
        gate,
        mode,
        env,
        this.#user.handOver ? this.#user : null,
        writablePaths(this.#opts.layout),
      );
      const all = { ...env, ...egress.env };
      const cliEnv = { ...passed, ...Object.fromEntries(Object.entries(egress.env).filter(([k]) => !CLI_OWN.test(k))) };
      // Values reach the container through the CLI's own environment (`--env NAME`), never its argv.
      const { readBack: _, ...result } = await runProcess({
        file: cli,
        args: dockerArgs(this.#opts, opts, all, this.#user, name, mounts, egress),
        env: {
          ...cliEnv,
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: process.env.HOME ?? os.homedir(),
          ...(process.env.XDG_RUNTIME_DIR ? { XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR } : {}),
        },
        cwd: hostCwd(),
        timeoutMs: opts.timeoutMs,
        outputLimitBytes: opts.outputLimitBytes,
        signal: opts.signal,
      });
      if (result.timedOut || result.cancelled) await removeContainer(cli, name);
      const refused = gate ? await gate.close() : [];
      const note = (gate ? missingPerlNote(mode, result.exitCode, result.stderr) : '') + refusalNote(refused);
      return { ...result, stderr: result.stderr + note, ...(refused.length ? { egressRefused: refused } : {}) };
    } finally {
      egress.stop();
      await gate?.close();
    }
  }
}

/** The CLI's working directory: the app's own home, never a folder the sandbox writes. */
function hostCwd(): string {
  const home = process.env.HOME ?? os.homedir();
  return fs.existsSync(home) ? home : '/';
}

async function removeContainer(cli: string, name: string): Promise<void> {
  await new Promise<void>((resolve) =>
    execFile(cli, ['rm', '--force', '--time', '0', name], { timeout: 30_000 }, () => resolve()),
  );
}

export function dockerArgs(
  d: DockerOptions,
  opts: Pick<SandboxRunOptions, 'command' | 'cwd' | 'network' | 'stage' | 'readOnly'>,
  env: Record<string, string>,
  user: ContainerUser,
  name?: string,
  mounts: DockerMount[] = dockerMounts(d.layout, d.hostDir).forCommand(opts.stage ?? 'agent', opts.readOnly ?? false),
  /** The container's network and the egress bridge (see docker-egress.ts): `--network none` without network. */
  egress: Pick<DockerEgress, 'network' | 'mounts' | 'prefix'> = NO_DOCKER_EGRESS,
): string[] {
  const l = d.limits ?? defaultLimits;
  const tmpfs = Math.floor((d.tmpfsBytes ?? DEFAULT_TMPFS_BYTES) / 1024);
  const args = [
    'run',
    '--rm',
    '--init',
    '--read-only',
    '--user',
    `${user.uid}:${user.gid}`,
    '--cap-drop',
    'ALL',
    '--security-opt',
    'no-new-privileges',
  ];
  if (name) args.push('--name', name);
  if (d.runtime) args.push('--runtime', d.runtime);
  // Never the host's network: none, or the egress bridge's namespace.
  args.push('--network', egress.network);
  // Every limit given explicitly: podman refuses to inherit rlimits it cannot raise.
  args.push(
    '--pids-limit',
    String(l.processes),
    '--memory',
    String(l.memoryBytes),
    '--ulimit',
    `fsize=${l.fileSizeBytes}`,
    '--ulimit',
    `cpu=${l.cpuSeconds}`,
  );
  args.push('--ulimit', 'nofile=4096:4096', '--ulimit', `nproc=${l.processes}:${l.processes}`);
  // Every tmpfs sized: the engine's own for a read-only root would be half the host's memory.
  args.push(
    '--shm-size',
    `${tmpfs}k`,
    '--tmpfs',
    `/run:rw,nosuid,nodev,size=${tmpfs}k,mode=755`,
    '--tmpfs',
    `/var/tmp:rw,nosuid,nodev,size=${tmpfs}k,mode=1777`,
  );
  for (const m of mounts)
    args.push('--mount', `type=bind,src=${m.source},dst=${m.dest}${m.readOnly ? ',readonly' : ''}`);
  args.push(...egress.mounts);
  for (const [k, v] of Object.entries(env)) {
    if (ON_ARGV.has(k)) args.push('--env', `${k}=${v}`);
    else if (!CLI_OWN.test(k)) args.push('--env', k);
  }
  args.push('--workdir', opts.cwd, d.image, ...egress.prefix, ...toArgv(opts.command));
  return args;
}
