import { execa } from 'execa';
import type { Sandbox } from '../../core/ports.ts';
import { BwrapSandbox } from './bwrap-sandbox.ts';
import { DockerSandbox } from './docker-sandbox.ts';
import { NoneSandbox } from './none-sandbox.ts';
import type { SandboxEnvRequest } from './sandbox-env.ts';
import type { SandboxLayout } from './sandbox-layout.ts';
import type { ResourceLimits } from './limits.ts';
import type { EgressFirewall } from '../egress/egress-firewall.ts';
import type { Settings } from '../env/read-settings.ts';
import { hostRoot } from './run-dirs.ts';
import { describeMemoryLimit, detectMemoryLimit, type MemoryLimit } from './memory-limit.ts';

export type SandboxKind = 'auto' | 'bwrap' | 'docker' | 'none';

export class SandboxUnavailableError extends Error {
  readonly code = 'sandbox_unavailable';
}

export interface Probe {
  bwrap: string | null;
  docker: string | null;
}

/** Why each backend can or cannot run here; null means it works. */
export async function probeSandboxes(dockerCli = 'docker'): Promise<Probe> {
  const bwrap = await execa(
    'bwrap',
    ['--ro-bind', '/', '/', '--unshare-pid', '--unshare-net', '--die-with-parent', 'true'],
    {
      reject: false,
      timeout: 10_000,
    },
  );
  // `version` fails when a Docker daemon is not there; podman needs none.
  const docker = await execa(dockerCli, ['version'], { reject: false, timeout: 10_000 });
  return {
    bwrap: bwrap.exitCode === 0 ? null : firstLine(String(bwrap.stderr || bwrap.message)),
    docker: docker.exitCode === 0 ? null : firstLine(String(docker.stderr || docker.message)),
  };
}

/** Picks the backend: `auto` tries bwrap, then docker, and refuses (with reasons) if neither works. */
export async function resolveSandboxKind(
  kind: SandboxKind,
  probe: () => Promise<Probe> = probeSandboxes,
): Promise<'bwrap' | 'docker' | 'none'> {
  if (kind === 'none') return 'none';
  const p = await probe();
  if (kind === 'bwrap' || kind === 'docker') {
    const why = p[kind];
    if (why) throw new SandboxUnavailableError(`PATCHWRIGHT_SANDBOX=${kind} but ${kind} does not work here: ${why}`);
    return kind;
  }
  if (!p.bwrap) return 'bwrap';
  if (!p.docker) return 'docker';
  throw new SandboxUnavailableError(
    `No sandbox works here, so no job will run. bubblewrap: ${p.bwrap} (Debian: apt-get install bubblewrap). ` +
      `docker: ${p.docker}. Set PATCHWRIGHT_SANDBOX=none only if you accept running untrusted code unisolated.`,
  );
}

export interface SandboxFactoryOptions {
  layout: SandboxLayout;
  env?: SandboxEnvRequest;
  dockerImage?: string;
  dockerCli?: string;
  dockerRuntime?: string | undefined;
  limits?: ResourceLimits;
  /** See sandbox-owner.ts: the host user for commands when the app runs as root. */
  hostUid?: number;
  minFreeBytes?: number;
  minFreeInodes?: number;
  /** The process's host-only folder (`<dataDir>/host`): the sandbox's /etc copy. */
  hostRoot?: string;
  /** This run's host-only folder (run-dirs.ts): the docker backend's masked git configs and `.git` file. */
  hostDir?: string;
  /** Host folders to hide besides the app's own (secret-paths.ts): the data dir, `PATCHWRIGHT_SANDBOX_HIDE`. */
  hide?: string[];
  tmpfsBytes?: number;
  /** How a whole command is held to its memory limit (memory-limit.ts). */
  memory?: MemoryLimit;
  /** The only way out of a command's network namespace (see src/adapters/egress/). */
  egress?: EgressFirewall;
}

export function createSandbox(kind: 'bwrap' | 'docker' | 'none', opts: SandboxFactoryOptions): Sandbox {
  const defined = <T extends object>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
      [K in keyof T]: Exclude<T[K], undefined>;
    };
  const extra = defined({
    env: opts.env,
    limits: opts.limits,
    hostUid: opts.hostUid || undefined,
    tmpfsBytes: opts.tmpfsBytes,
    egress: opts.egress,
  });
  if (kind === 'bwrap') {
    return new BwrapSandbox({
      layout: opts.layout,
      ...extra,
      ...defined({
        minFreeBytes: opts.minFreeBytes,
        minFreeInodes: opts.minFreeInodes,
        hostDir: opts.hostRoot,
        hide: opts.hide,
        memory: opts.memory,
      }),
    });
  }
  if (kind === 'docker') {
    return new DockerSandbox({
      layout: opts.layout,
      image: opts.dockerImage ?? 'node:24-bookworm',
      cli: opts.dockerCli ?? 'docker',
      runtime: opts.dockerRuntime,
      ...extra,
      ...defined({ hostDir: opts.hostDir }),
    });
  }
  return new NoneSandbox(opts.layout, opts.env);
}

/** What every sandbox of this deployment shares: its limits, floors, hidden folders and host-only root. */
export function deploymentSandboxOptions(
  settings: Settings,
): Pick<
  SandboxFactoryOptions,
  'limits' | 'minFreeBytes' | 'minFreeInodes' | 'hostRoot' | 'hide' | 'tmpfsBytes' | 'memory'
> {
  return {
    memory: detectMemoryLimit(settings.sandboxCgroup),
    limits: settings.sandboxLimits,
    minFreeBytes: settings.minFreeDiskBytes,
    minFreeInodes: settings.minFreeInodes,
    hostRoot: hostRoot(settings.dataDir),
    hide: [settings.dataDir, ...settings.sandboxHide],
    tmpfsBytes: settings.sandboxTmpfsBytes,
  };
}

/** How a command's memory is bounded with this backend, in words (doctor, `patchwright sandbox`). */
export function memoryNote(kind: 'bwrap' | 'docker' | 'none', settings: Settings): string {
  const mb = Math.round(settings.sandboxLimits.memoryBytes / 1024 ** 2);
  if (kind === 'docker')
    return `memory: each command's container is held to ${mb} MB by the engine's cgroup (--memory)`;
  if (kind === 'none') return 'memory: no limit at all (PATCHWRIGHT_SANDBOX=none)';
  return describeMemoryLimit(detectMemoryLimit(settings.sandboxCgroup), settings.sandboxLimits.memoryBytes);
}

export const NONE_WARNING =
  'WARNING: PATCHWRIGHT_SANDBOX=none: commands from the repository and the model run with no isolation, as this user, with network.';

function firstLine(s: string): string {
  return (s.split('\n').find((l) => l.trim()) ?? 'failed').trim().slice(0, 200);
}
