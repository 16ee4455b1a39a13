import fs from 'node:fs';
import os from 'node:os';
import { canonicalAddress } from './address-class.ts';

/**
 * The addresses that are this host: every interface's (its public address too: a service bound
 * to 0.0.0.0 answers there as on loopback). Read at each check, as interfaces come and go.
 */
export function hostAddresses(): Set<string> {
  const out = new Set<string>(['127.0.0.1', canonicalAddress('::1')]);
  for (const list of Object.values(os.networkInterfaces()))
    for (const a of list ?? []) out.add(canonicalAddress(a.address));
  return out;
}

/**
 * The TCP ports this process listens on (the webhook, dashboard and metrics server, the app
 * server's WebSocket, anything added later): the kernel's socket table (/proc/net/tcp, tcp6)
 * matched against this process's open descriptors. Empty where /proc does not say.
 */
export function ownListeningPorts(): Set<number> {
  const inodes = new Set<string>();
  let fds: string[] = [];
  try {
    fds = fs.readdirSync('/proc/self/fd');
  } catch {
    return new Set();
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/self/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  const ports = new Set<number>();
  for (const table of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex, st 0A is LISTEN, the inode is the tenth field.
      if (f.length < 10 || f[3] !== '0A' || !inodes.has(f[9]!)) continue;
      ports.add(parseInt(f[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}
