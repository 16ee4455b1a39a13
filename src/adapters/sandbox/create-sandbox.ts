import { execa } from 'execa';
import type { Sandbox } from '../../core/ports.ts';
import { BwrapSandbox } from './bwrap-sandbox.ts';
import { DockerSandbox } from './docker-sandbox.ts';
import { NoneSandbox } from './none-sandbox.ts';
import type { SandboxEnvRequest } from './sandbox-env.ts';
import type { SandboxLayout } from './sandbox-layout.ts';
import type { ResourceLimits } from './limits.ts';
import type { EgressFirewall } from '../egress/egress-firewall.ts';

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
  const bwrap = await execa('bwrap', ['--ro-bind', '/', '/', '--unshare-pid', '--unshare-net', '--die-with-parent', 'true'], {
    reject: false,
    timeout: 10_000,
  });
  // `version` fails when a Docker daemon is not there; podman needs none.
  const docker = await execa(dockerCli, ['version'], { reject: false, timeout: 10_000 });
  return {
    bwrap: bwrap.exitCode === 0 ? null : firstLine(String(bwrap.stderr || bwrap.message)),
    docker: docker.exitCode === 0 ? null : firstLine(String(docker.stderr || docker.message)),
  };
}

/** Picks the backend: `auto` tries bwrap, then docker, and refuses (with reasons) if neither works. */
export async function resolveSandboxKind(kind: SandboxKind, probe: () => Promise<Probe> = probeSandboxes): Promise<'bwrap' | 'docker' | 'none'> {
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
  /** The only way out of a command's network namespace (see src/adapters/egress/). */
  egress?: EgressFirewall;
}

export function createSandbox(kind: 'bwrap' | 'docker' | 'none', opts: SandboxFactoryOptions): Sandbox {
  const extra = { ...(opts.env ? { env: opts.env } : {}), ...(opts.limits ? { limits: opts.limits } : {}), ...(opts.egress ? { egress: opts.egress } : {}) };
  if (kind === 'bwrap') {
    return new BwrapSandbox({ layout: opts.layout, ...extra, ...(opts.hostUid ? { hostUid: opts.hostUid } : {}), ...(opts.minFreeBytes !== undefined ? { minFreeBytes: opts.minFreeBytes } : {}) });
  }
  if (kind === 'docker') {
    return new DockerSandbox({ layout: opts.layout, image: opts.dockerImage ?? 'node:24-bookworm', cli: opts.dockerCli ?? 'docker', runtime: opts.dockerRuntime, ...extra, ...(opts.hostUid ? { hostUid: opts.hostUid } : {}) });
  }
  return new NoneSandbox(opts.layout, opts.env);
}

export const NONE_WARNING =
  'WARNING: PATCHWRIGHT_SANDBOX=none: commands from the repository and the model run with no isolation, as this user, with network.';

function firstLine(s: string): string {
  return (s.split('\n').find((l) => l.trim()) ?? 'failed').trim().slice(0, 200);
}
