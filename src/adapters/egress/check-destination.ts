import dns from 'node:dns/promises';
import net from 'node:net';
import { canonicalAddress, classifyAddress } from './address-class.ts';
import { decideHost, type EgressAllow, type RequestKind } from './allow-list.ts';
import { hostAddresses, ownListeningPorts } from './host-addresses.ts';

/** Services of the app the sandbox must never reach, whatever an allow-list says. */
export interface AppListeners {
  /** Ports of the app on this host beyond the ones this process listens on (PORT, another process's app server). */
  ports: number[];
  /** Redis (PATCHWRIGHT_REDIS_URL): its host and port. */
  redis: { host: string; port: number } | null;
}

export type Destination = { ok: true; addresses: string[] } | { ok: false; reason: string; policy: boolean };

/**
 * Whether the sandbox may reach host:port, and at which addresses: the allow-list decides on the
 * name, then every address the name resolves to is checked, and only checked addresses are
 * returned. The caller connects to those addresses, never to the name again, so a second answer
 * from DNS (rebinding) cannot slip an internal address in between the check and the connect.
 */
export async function checkDestination(
  allow: EgressAllow,
  app: AppListeners,
  host: string,
  port: number,
  kind: RequestKind,
  lookup: Lookup = systemLookup,
): Promise<Destination> {
  const decision = decideHost(allow, host, port, kind);
  if (!decision.ok) return { ok: false, reason: decision.reason, policy: true };
  let resolved: string[];
  try {
    resolved = net.isIP(host) ? [host] : await lookup(host);
  } catch (e) {
    return {
      ok: false,
      reason: `the name did not resolve (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      policy: false,
    };
  }
  if (!resolved.length) return { ok: false, reason: 'the name did not resolve', policy: false };
  const local = hostAddresses();
  const redisAt = app.redis && port === app.redis.port ? await redisAddresses(app.redis.host, lookup) : null;
  let ownPorts: Set<number> | null = null;
  const addresses: string[] = [];
  let refusal = '';
  for (const raw of resolved) {
    const address = canonicalAddress(raw);
    const cls = classifyAddress(address);
    const isLocal = local.has(address) || (cls.kind === 'internal' && cls.range.startsWith('loopback'));
    if (cls.kind === 'never') {
      refusal ||= `${address} is in ${cls.range}, which is never reachable`;
      continue;
    }
    if ((cls.kind === 'internal' || isLocal) && !decision.internalOk) {
      const where = cls.kind === 'internal' ? `in ${cls.range}` : 'an address of this host';
      refusal ||= `${address} is ${where}: internal addresses are reached only through an allow-list entry with an explicit host and port`;
      continue;
    }
    if (redisAt && (redisAt.has(address) || isLocal)) {
      refusal ||= `${address}:${port} is the app's Redis (PATCHWRIGHT_REDIS_URL)`;
      continue;
    }
    if (isLocal) {
      ownPorts ??= new Set([...ownListeningPorts(), ...app.ports]);
      if (ownPorts.has(port)) {
        refusal ||= `${address}:${port} is one of the app's own listeners (webhooks, dashboard, metrics, app server)`;
        continue;
      }
    }
    addresses.push(raw);
  }
  return addresses.length ? { ok: true, addresses } : { ok: false, reason: refusal, policy: true };
}

export type Lookup = (host: string) => Promise<string[]>;

export const systemLookup: Lookup = async (host) =>
  (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);

async function redisAddresses(host: string, lookup: Lookup): Promise<Set<string>> {
  try {
    return new Set((net.isIP(host) ? [host] : await lookup(host)).map(canonicalAddress));
  } catch {
    return new Set();
  }
}
