import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeArgv } from '../../../src/adapters/egress/bridge-script.ts';
import { tempDir } from '../../support/app-harness.ts';

/**
 * The bridge on its own, on the host (a free port, not the sandbox's 3128): it relays both ways
 * (half-closes included), leaves the command its pid, output and exit status, and does not
 * outlive it even where no namespace would end it.
 */
const dir = tempDir('pw-bridge-');
const socket = path.join(dir, 'up.sock');
let upstream: net.Server;
beforeAll(async () => {
  // An echo that answers once the client has finished sending (a half-close), then closes.
  upstream = net.createServer((s) => {
    const chunks: Buffer[] = [];
    s.on('data', (c) => chunks.push(c));
    s.on('end', () => s.end(`got ${Buffer.concat(chunks).length} bytes`));
    s.on('error', () => {});
  });
  await new Promise<void>((r) => upstream.listen(socket, r));
});
afterAll(() => upstream.close());

const freePort = async () => {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
};
const run = (port: number, command: string[]) =>
  new Promise<{ code: number | null; out: string; pid: number }>((resolve) => {
    const [file, ...args] = [...bridgeArgv(socket, port), ...command] as [string, ...string[]];
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('close', (code) => resolve({ code, out, pid: child.pid! }));
  });
const relays = (port: number) =>
  fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(`\0${socket}\0${port}\0`);
      } catch {
        return false;
      }
    });

describe('the egress bridge', () => {
  it('relays a connection both ways, through a half-close, and keeps the command its pid, output and exit status', async () => {
    const port = await freePort();
    const py = `import os, socket; s = socket.create_connection(('127.0.0.1', ${port})); s.sendall(b'x' * 200000); s.shutdown(socket.SHUT_WR); print(s.makefile().read()); print(os.getpid()); raise SystemExit(7)`;
    const r = await run(port, ['python3', '-c', py]);
    const [answer, pid] = r.out.trim().split('\n');
    expect(answer).toBe('got 200000 bytes');
    expect(Number(pid)).toBe(r.pid);
    expect(r.code).toBe(7);
  });

  it('is gone soon after the command, even with no namespace to end it', async () => {
    const port = await freePort();
    await run(port, ['sleep', '0.2']);
    const deadline = Date.now() + 10_000;
    while (relays(port).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(relays(port)).toEqual([]);
  });
});
