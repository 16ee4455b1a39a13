import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import type { Socket } from 'node:net';
import path from 'node:path';
import type { EgressAllow } from './allow-list.ts';
import type { AppListeners, Lookup } from './check-destination.ts';
import { createEgressProxy, type ProxyLimits } from './egress-proxy.ts';
import { mavenSettingsXml } from './proxy-env.ts';
import { BRIDGE_PORT } from './bridge-script.ts';

export interface EgressPolicy {
  allow: EgressAllow;
  app: AppListeners;
  limits?: ProxyLimits;
  lookup?: Lookup;
}

/** What one command asked for and was refused, with how often. */
export interface EgressRefusal {
  host: string;
  port: number;
  reason: string;
  count: number;
}

/** The proxy of one command: its socket on the host, and what it refused when closed. */
export interface EgressGate {
  /** The unix socket, in a host-only 0700 folder; bind-mount it (read-only) into the sandbox. */
  socket: string;
  /** A Maven settings file naming the bridge as proxy (read-only, host-only, the same for every command). */
  mavenSettings: string;
  close(): Promise<EgressRefusal[]>;
}

export class EgressSetupError extends Error {
  readonly code = 'egress_setup_failed';
}

/** Distinct refusals kept per command; further ones are counted into the last entry. */
const MAX_DISTINCT = 50;

/**
 * The egress firewall of one sandbox (a job's, a CLI run's): a proxy per command, opened before
 * it starts and closed when it ends, listening on a fresh unix socket in a folder only the app
 * can enter. Nothing listens between commands, and one command's refusals are its own.
 */
export class EgressFirewall {
  readonly policy: EgressPolicy;

  constructor(policy: EgressPolicy) {
    this.policy = policy;
  }

  async open(): Promise<EgressGate> {
    const dir = hostOnlyDir();
    const socket = path.join(dir, `${crypto.randomBytes(9).toString('hex')}.sock`);
    const tally = new Map<string, EgressRefusal>();
    const server = createEgressProxy({
      allow: this.policy.allow,
      app: this.policy.app,
      ...(this.policy.limits ? { limits: this.policy.limits } : {}),
      ...(this.policy.lookup ? { lookup: this.policy.lookup } : {}),
      refused: (host, port, reason) => {
        const key = tally.size >= MAX_DISTINCT && !tally.has(`${host}:${port}`) ? '(more hosts):0' : `${host}:${port}`;
        const r = tally.get(key) ?? {
          host: key === '(more hosts):0' ? '(more hosts)' : host,
          port: key === '(more hosts):0' ? 0 : port,
          reason,
          count: 0,
        };
        r.count++;
        tally.set(key, r);
      },
    });
    const sockets = new Set<Socket>();
    server.on('connection', (s: Socket) => (sockets.add(s), s.once('close', () => sockets.delete(s))));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) =>
        reject(new EgressSetupError(`the egress proxy could not listen on ${socket}: ${e.message}`)),
      );
      server.listen(socket, () => resolve());
    });
    // The sandbox user connects through the bind mount; the 0700 folder keeps everyone else out.
    fs.chmodSync(socket, 0o666);
    let closed: Promise<EgressRefusal[]> | null = null;
    return {
      socket,
      mavenSettings: mavenSettingsFile(dir),
      close: () =>
        (closed ??= (async () => {
          // Tunnels still open when the command ends (a relay the sandbox left) are cut here.
          for (const s of sockets) s.destroy();
          await new Promise<void>((resolve) => server.close(() => resolve()));
          fs.rmSync(socket, { force: true });
          return [...tally.values()];
        })()),
    };
  }
}

let baseDir: string | null = null;

/**
 * The app's folder for proxy sockets: made once per process in the host's temp dir (short
 * enough for a socket path), 0700 and the app's own, checked each time before use: nothing a
 * sandbox can write is ever on this path.
 */
export function hostOnlyDir(): string {
  if (baseDir) {
    const st = fs.lstatSync(baseDir, { throwIfNoEntry: false });
    if (st?.isDirectory() && !st.isSymbolicLink() && (st.mode & 0o777) === 0o700 && st.uid === process.geteuid!())
      return baseDir;
    baseDir = null;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-egress-'));
  fs.chmodSync(dir, 0o700);
  if (path.join(dir, 'x'.repeat(18) + '.sock').length > 100)
    throw new EgressSetupError(
      `the temp dir ${os.tmpdir()} is too deep for a unix socket path; set TMPDIR to a shorter folder`,
    );
  baseDir = dir;
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function mavenSettingsFile(dir: string): string {
  const file = path.join(dir, 'maven-settings.xml');
  const st = fs.lstatSync(file, { throwIfNoEntry: false });
  if (!st?.isFile()) {
    fs.rmSync(file, { force: true, recursive: true });
    fs.writeFileSync(file, mavenSettingsXml(BRIDGE_PORT), { mode: 0o644 });
  }
  return file;
}

/** Why `file` may not be given to a sandbox (it lies under one of the paths the sandbox writes), or null. */
export function underWritable(file: string, writable: string[]): string | null {
  const real = fs.realpathSync(path.dirname(file));
  for (const w of writable) {
    let rw: string;
    try {
      rw = fs.realpathSync(w);
    } catch {
      continue;
    }
    if (real === rw || real.startsWith(rw + path.sep)) return `${file} lies under ${w}, which the sandbox can write`;
  }
  return null;
}
