import fs from 'node:fs';
import { BRIDGE_PORT, bridgeArgv, INSIDE_SOCKET } from './bridge-script.ts';
import { EgressSetupError, underWritable, type EgressGate, type EgressRefusal } from './egress-firewall.ts';
import { dropCaseVariants, INSIDE_MAVEN_SETTINGS, proxyEnv } from './proxy-env.ts';
import type { Mount } from '../sandbox/mount-table.ts';

/** What a backend adds to a command for egress: mounts, an argv prefix, variables. Empty without network. */
export interface EgressArgs {
  mounts: string[];
  prefix: string[];
  env: Record<string, string>;
}

export const NO_EGRESS: EgressArgs = { mounts: [], prefix: [], env: {} };

/** bwrap's share: the same, with its mounts as entries of the sandbox's checked mount table (mount-table.ts). */
export interface BwrapEgressArgs {
  mounts: Mount[];
  prefix: string[];
  env: Record<string, string>;
}

/**
 * bwrap's share of the firewall: the gate's socket and the Maven settings bind-mounted read-only
 * under the sandbox's own /run, the bridge started before the command, the proxy variables. The
 * network namespace itself is always new (`--unshare-net` in bwrapArgs), with or without a gate.
 * Other spellings of the proxy variables are removed from `env` (the command's own, built per run).
 */
export function bwrapEgress(gate: EgressGate | null, env: Record<string, string>, writable: string[]): BwrapEgressArgs {
  if (!gate) return { mounts: [], prefix: [], env: {} };
  assertHostOnly(gate, writable);
  if (!fs.existsSync('/usr/bin/perl'))
    throw new EgressSetupError(
      'the egress bridge runs with perl, and this host has no /usr/bin/perl: install perl-base (Debian: apt-get install perl-base), or give the command no network',
    );
  const vars = proxyEnv(BRIDGE_PORT, env);
  dropCaseVariants(env, vars);
  // The socket cannot be opened as a file, so both go by path; their folder is the firewall's, host-only (checked above and by the table).
  const mounts: Mount[] = [
    { op: 'ro-bind', source: gate.socket, dest: INSIDE_SOCKET, via: 'path', type: 'file' },
    { op: 'ro-bind', source: gate.mavenSettings, dest: INSIDE_MAVEN_SETTINGS, via: 'path', type: 'file' },
  ];
  return { mounts, prefix: bridgeArgv(), env: vars };
}

/** The gate's files must not lie where the sandbox writes: a swapped file there would be mounted as is. */
export function assertHostOnly(gate: EgressGate, writable: string[]): void {
  for (const file of [gate.socket, gate.mavenSettings]) {
    const why = underWritable(file, writable);
    if (why) throw new EgressSetupError(`the egress proxy's files must be host-only: ${why}`);
  }
}

/** The lines a command's output gets for what the firewall refused it (the model and the setup log see them). */
export function refusalNote(refused: EgressRefusal[]): string {
  if (!refused.length) return '';
  const lines = refused.map(
    (r) => `[egress firewall] refused ${r.host}:${r.port}${r.count > 1 ? ` (${r.count} times)` : ''}: ${r.reason}`,
  );
  return `\n${lines.join('\n')}\n[egress firewall] the deployment names what may be reached in PATCHWRIGHT_EGRESS_ALLOW\n`;
}
