import net from 'node:net';
import { canonicalAddress } from './address-class.ts';
import { EGRESS_PRESETS, isPreset, PRESET_NAMES } from './presets.ts';

/**
 * One allow-list entry: a host (`registry.npmjs.org`), every name under a suffix
 * (`*.example.com`, not `example.com` itself), or an IP address; with a port, or without one
 * (then CONNECT to 443 and plain HTTP to 80). `explicit` is an exact host with a port: only such
 * an entry, written by the deployment, may reach an internal address (a mirror on loopback).
 */
export interface AllowEntry {
  host: string;
  wildcard: boolean;
  port: number | null;
  explicit: boolean;
  /** How it was written (a preset's name for its hosts), for messages. */
  from: string;
}

export class AllowListError extends Error {
  readonly code = 'invalid_egress_allow';
}

const LABEL = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?';
const HOSTNAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`);

/** A host name or IP address as a request may name it (lower case, no trailing dot, no brackets), or null. */
export function normalHost(raw: string): string | null {
  const h = raw
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  if (net.isIP(h)) return canonicalAddress(h);
  return HOSTNAME.test(h) ? h : null;
}

function parsePort(raw: string, entry: string): number {
  const n = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= 65535)) throw new AllowListError(`egress entry ${entry}: ${raw} is not a port (1-65535)`);
  return n;
}

/** Parses one written entry into the entries it stands for (a preset: its hosts). */
export function parseEntry(written: string): AllowEntry[] {
  const entry = written.trim();
  // Credentials someone pasted in with a URL are not repeated in the message (it is logged).
  if (/[/@]/.test(entry))
    throw new AllowListError(
      `egress entry ${entry.replace(/^(.*\/\/)?[^@]*@/, '$1***@')}: not a host name; write the host alone (registry.example.com or registry.example.com:8443), without a scheme, credentials or path`,
    );
  if (isPreset(entry))
    return EGRESS_PRESETS[entry].map((host) => ({ host, wildcard: false, port: null, explicit: false, from: entry }));
  // [v6]:port, host:port, v4:port, or a bare host / address.
  const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(entry);
  let hostPart = entry;
  let portPart: string | undefined;
  if (bracket) [hostPart, portPart] = [bracket[1]!, bracket[2]];
  else if (!net.isIPv6(entry) && entry.includes(':'))
    [hostPart, portPart] = [entry.slice(0, entry.lastIndexOf(':')), entry.slice(entry.lastIndexOf(':') + 1)];
  const wildcard = hostPart.startsWith('*.');
  const host = normalHost(wildcard ? hostPart.slice(2) : hostPart);
  if (!host || (wildcard && net.isIP(host))) {
    throw new AllowListError(
      `egress entry ${entry}: not a host name, *.suffix, IP address or preset (presets: ${PRESET_NAMES.join(', ')})`,
    );
  }
  if (!wildcard && !host.includes('.') && !net.isIP(host) && portPart === undefined) {
    throw new AllowListError(
      `egress entry ${entry}: neither a preset (${PRESET_NAMES.join(', ')}) nor a dotted host name; a local name such as localhost needs a port (localhost:4873)`,
    );
  }
  const port = portPart === undefined ? null : parsePort(portPart, entry);
  return [{ host, wildcard, port, explicit: !wildcard && port !== null, from: entry }];
}

/** A comma- or space-separated list; `none` is the empty list. */
export function parseAllowList(raw: string): AllowEntry[] {
  const items = raw.split(/[\s,]+/).filter(Boolean);
  if (items.length === 1 && items[0] === 'none') return [];
  return items.flatMap(parseEntry);
}

/** The port an entry without one stands for: 443 for tunnels (HTTPS), 80 for plain HTTP. */
export type RequestKind = 'connect' | 'http';

export function entryMatches(e: AllowEntry, host: string, port: number, kind: RequestKind): boolean {
  const nameOk = e.wildcard ? host.endsWith(`.${e.host}`) : host === e.host;
  return nameOk && port === (e.port ?? (kind === 'connect' ? 443 : 80));
}

/**
 * The deployment's list, narrowed by the repository's (when it names one): a request passes only
 * when both allow it, so a repository can take hosts away and never add one.
 */
export interface EgressAllow {
  deployment: AllowEntry[];
  repository: AllowEntry[] | null;
}

export type AllowDecision = { ok: true; internalOk: boolean } | { ok: false; reason: string };

export function decideHost(allow: EgressAllow, host: string, port: number, kind: RequestKind): AllowDecision {
  const granted = allow.deployment.filter((e) => entryMatches(e, host, port, kind));
  if (!granted.length) return { ok: false, reason: 'not on the allow-list' };
  if (allow.repository && !allow.repository.some((e) => entryMatches(e, host, port, kind))) {
    return { ok: false, reason: "not on the repository's allow-list (.github/agent.yml sandbox.egress)" };
  }
  return { ok: true, internalOk: granted.some((e) => e.explicit) };
}
