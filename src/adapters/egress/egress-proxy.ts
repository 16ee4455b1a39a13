import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { normalHost, type EgressAllow, type RequestKind } from './allow-list.ts';
import { checkDestination, systemLookup, type AppListeners, type Lookup } from './check-destination.ts';

export interface ProxyLimits {
  /** Connections from the sandbox open at once; more are dropped as they come. */
  maxConnections: number;
  /** Bytes of request line and headers; more get 431. */
  maxHeaderBytes: number;
  /** A tunnel or a forwarded request with no byte either way for this long is closed. */
  idleMs: number;
  /** How long a connection to the destination may take to open. */
  connectTimeoutMs: number;
}

export const DEFAULT_PROXY_LIMITS: ProxyLimits = {
  maxConnections: 64,
  maxHeaderBytes: 16 * 1024,
  idleMs: 120_000,
  connectTimeoutMs: 30_000,
};

export interface ProxyOptions {
  allow: EgressAllow;
  app: AppListeners;
  /** Called once per refused request with what it asked for (never its path, query or credentials). */
  refused: (host: string, port: number, reason: string) => void;
  limits?: ProxyLimits;
  lookup?: Lookup;
}

/** Headers that belong to one hop; never passed on (Proxy-Authorization among them: it is for us, not the destination). */
const HOP = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * The egress proxy of one sandboxed command: CONNECT by host name and plain HTTP in absolute
 * form, each destination checked (checkDestination) and connected to at the checked address.
 * Nothing is logged: refusals go to `refused`, which is given the host and port only.
 */
export function createEgressProxy(o: ProxyOptions): http.Server {
  const limits = o.limits ?? DEFAULT_PROXY_LIMITS;
  const lookup = o.lookup ?? systemLookup;
  const server = http.createServer({
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: 30_000,
    requestTimeout: 0,
    keepAliveTimeout: 5_000,
  });
  server.maxConnections = limits.maxConnections;
  // Applied by node to every connection (and again after each keep-alive request): idle ones are destroyed.
  server.timeout = limits.idleMs;

  type Checked =
    | { ok: true; host: string; addresses: string[] }
    | { ok: false; host: string; reason: string; status: number };
  const check = async (rawHost: string, port: number, kind: RequestKind): Promise<Checked> => {
    const host = normalHost(rawHost);
    if (!host || !(port >= 1 && port <= 65535))
      return { ok: false, host: '(not a host name)', reason: 'not a host name and port', status: 400 };
    const d = await checkDestination(o.allow, o.app, host, port, kind, lookup);
    if (d.ok) return { ok: true, host, addresses: d.addresses };
    if (d.policy) o.refused(host, port, d.reason);
    return { ok: false, host, reason: d.reason, status: d.policy ? 403 : 502 };
  };

  server.on('connect', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    client.on('error', () => client.destroy());
    const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(req.url ?? '');
    void (async () => {
      const c: Checked = m
        ? await check(m[1]!, Number(m[2]), 'connect')
        : { ok: false, host: '(malformed)', reason: 'CONNECT takes host:port', status: 400 };
      if (!c.ok) return refuseRaw(client, c.status, `${c.host}:${m?.[2] ?? '?'}`, c.reason);
      const upstream = await connectFirst(c.addresses, Number(m![2]), limits.connectTimeoutMs);
      if (!upstream) return refuseRaw(client, 502, `${c.host}:${m![2]}`, 'the destination did not accept a connection');
      if (client.destroyed) return void upstream.destroy();
      const close = () => (client.destroy(), upstream.destroy());
      upstream.setTimeout(limits.idleMs, close);
      (client as net.Socket).setTimeout?.(limits.idleMs, close);
      upstream.on('error', close).on('close', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      client.pipe(upstream).pipe(client);
    })().catch(() => client.destroy());
  });

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    void forward(req, res).catch(() => res.destroy());
  });

  // WebSocket and other upgrades through plain HTTP are not passed on.
  server.on('upgrade', (_req: http.IncomingMessage, socket: Duplex) =>
    refuseRaw(socket, 501, 'upgrade', 'protocol upgrades are not passed through the egress proxy; use CONNECT'),
  );

  async function forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      return void send(
        res,
        400,
        'Patchwright egress proxy: only absolute-form requests (GET http://host/path) and CONNECT host:port are accepted.\n',
      );
    }
    if (url.protocol !== 'http:')
      return void send(
        res,
        400,
        `Patchwright egress proxy: ${url.protocol} URLs go through CONNECT, not as plain requests.\n`,
      );
    const port = url.port ? Number(url.port) : 80;
    const c = await check(url.hostname, port, 'http');
    if (!c.ok) return void send(res, c.status, refusalText(`${c.host}:${port}`, c.reason));
    const headers: http.OutgoingHttpHeaders = {};
    const dropped = connectionListed(req.headers.connection);
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined && !HOP.has(k) && !dropped.has(k)) headers[k] = v;
    headers.host = url.host;
    const [address] = c.addresses;
    const up = http.request({
      host: address,
      port,
      method: req.method,
      path: `${url.pathname}${url.search}`,
      headers,
      setHost: false,
      agent: false,
      timeout: limits.idleMs,
    });
    up.on('timeout', () => up.destroy(new Error('idle')));
    up.on('error', () =>
      res.headersSent
        ? res.destroy()
        : send(res, 502, refusalText(`${c.host}:${port}`, 'the destination did not answer')),
    );
    up.on('response', (answer) => {
      const drop = connectionListed(answer.headers.connection);
      const out: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(answer.headers))
        if (v !== undefined && !HOP.has(k) && !drop.has(k)) out[k] = v;
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, out);
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    });
    res.on('close', () => up.destroy());
    req.pipe(up);
  }

  return server;
}

function connectionListed(value: string | undefined): Set<string> {
  return new Set(
    (value ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
}

export function refusalText(target: string, reason: string): string {
  return `Patchwright's egress firewall refused ${target}: ${reason}. The deployment names what sandboxed commands may reach in PATCHWRIGHT_EGRESS_ALLOW.\n`;
}

function send(res: http.ServerResponse, status: number, text: string): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-patchwright-egress': status === 403 ? 'refused' : 'error',
  });
  res.end(text);
}

function refuseRaw(socket: Duplex, status: number, target: string, reason: string): void {
  const text = refusalText(target, reason);
  const word =
    status === 403 ? 'Forbidden' : status === 502 ? 'Bad Gateway' : status === 501 ? 'Not Implemented' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${status} ${word}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nX-Patchwright-Egress: ${status === 403 ? 'refused' : 'error'}\r\nConnection: close\r\n\r\n${text}`,
  );
}

/** A connection to the first of the checked addresses that takes one, or null. */
async function connectFirst(addresses: string[], port: number, timeoutMs: number): Promise<net.Socket | null> {
  for (const host of addresses.slice(0, 4)) {
    const s = await new Promise<net.Socket | null>((resolve) => {
      const sock = net.connect({ host, port });
      const t = setTimeout(() => (sock.destroy(), resolve(null)), timeoutMs);
      sock.once('connect', () => (clearTimeout(t), resolve(sock)));
      sock.once('error', () => (clearTimeout(t), resolve(null)));
    });
    if (s) return s;
  }
  return null;
}
