import path from 'node:path';
import { BRIDGE_PORT, bridgeArgv, INSIDE_SOCKET } from './bridge-script.ts';
import type { EgressGate } from './egress-firewall.ts';
import { startNetnsBridge, type NetnsBridge } from './netns-bridge.ts';
import { dropCaseVariants, INSIDE_MAVEN_SETTINGS, proxyEnv } from './proxy-env.ts';
import { assertHostOnly } from './sandbox-egress.ts';

/**
 * Where a container's bridge runs. `netns` (podman): on the host, in a namespace the container
 * joins (`--network ns:/proc/<pid>/ns/net`), so any image works. `in-container` (Docker's CLI,
 * which cannot join a namespace by path): inside the container, from the image's own Perl,
 * with the gate's socket mounted in and `--network none`.
 */
export type BridgeMode = 'netns' | 'in-container';

export function bridgeModeFor(cli: string): BridgeMode {
  return path.basename(cli).startsWith('podman') ? 'netns' : 'in-container';
}

/** What a container gets for egress: its network option, mounts, an argv prefix, variables, and what to stop afterwards. */
export interface DockerEgress {
  network: string;
  mounts: string[];
  prefix: string[];
  env: Record<string, string>;
  stop: () => void;
}

export const NO_DOCKER_EGRESS: DockerEgress = { network: 'none', mounts: [], prefix: [], env: {}, stop: () => {} };

export async function dockerEgress(
  gate: EgressGate | null,
  mode: BridgeMode,
  env: Record<string, string>,
  user: { uid: number; gid: number } | null,
  writable: string[],
): Promise<DockerEgress> {
  if (!gate) return NO_DOCKER_EGRESS;
  assertHostOnly(gate, writable);
  const settings = `type=bind,src=${gate.mavenSettings},dst=${INSIDE_MAVEN_SETTINGS},readonly`;
  const vars = proxyEnv(BRIDGE_PORT, env);
  dropCaseVariants(env, vars);
  if (mode === 'in-container') {
    return {
      network: 'none',
      mounts: ['--mount', `type=bind,src=${gate.socket},dst=${INSIDE_SOCKET},readonly`, '--mount', settings],
      prefix: bridgeArgv(),
      env: { ...vars, PERL_BADLANG: '0' },
      stop: () => {},
    };
  }
  const ns: NetnsBridge = await startNetnsBridge(gate, user);
  return { network: `ns:${ns.nsPath}`, mounts: ['--mount', settings], prefix: [], env: vars, stop: ns.stop };
}

/** A clearer word when the image has no Perl for the in-container bridge. */
export function missingPerlNote(mode: BridgeMode, exitCode: number | null, stderr: string): string {
  // Docker: `exec: "perl": executable file not found` (127); podman's catatonit: `failed to exec pid1` (1).
  if (
    mode !== 'in-container' ||
    ![1, 126, 127].includes(exitCode ?? -1) ||
    !/"perl"|perl: not found|failed to exec pid1/i.test(stderr)
  )
    return '';
  return '\n[egress firewall] this image has no perl, which the docker backend runs its egress bridge with inside the container: use an image with perl (any Debian or Ubuntu based one), or podman (PATCHWRIGHT_DOCKER_CLI=podman), which needs none.\n';
}
