import { sameToken } from '../adapters/env/same-token.ts';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import readline from 'node:readline';
import { WebSocketServer } from 'ws';
import { Connection } from './connection.ts';
import type { OutgoingMessage } from './jsonrpc.ts';
import type { ThreadHub } from './thread-hub.ts';
import type { ServerFacts } from './session-answers.ts';

/** JSONL on a pair of streams (the default transport): one message per line each way. */
export function serveStdio(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  hub: ThreadHub,
  facts: ServerFacts,
): Promise<void> {
  const conn = new Connection((msg) => output.write(`${JSON.stringify(msg)}\n`), hub, facts);
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (line.trim()) conn.handle(line);
  });
  return new Promise((resolve) => lines.once('close', () => (conn.close(), resolve())));
}

export interface WsOptions {
  host: string;
  port: number;
  /** The bearer token clients must send; required for a listener that is not on loopback. */
  token?: string;
}

export interface WsListener {
  url: string;
  connections(): number;
  close(): Promise<void>;
}

export class ListenError extends Error {
  readonly code = 'listen_refused';
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

/** Parses `ws://HOST:PORT`; anything else is refused with the form it must have. */
export function parseListenUrl(url: string): { host: string; port: number } {
  const m = /^ws:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(url);
  if (!m)
    throw new ListenError(`--listen takes ws://HOST:PORT (for example ws://127.0.0.1:4500), or stdio://; got ${url}`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

/**
 * One message per WebSocket text frame, plus `GET /healthz` and `/readyz`. A request with an
 * `Origin` header (a web page) is refused: a page the person visits must not drive their agent.
 */
export async function serveWebSocket(o: WsOptions, hub: ThreadHub, facts: ServerFacts): Promise<WsListener> {
  if (!isLoopback(o.host) && !o.token) {
    throw new ListenError(
      `refusing to listen on ${o.host} without a token: anyone who reaches it could run commands in your checkouts. Pass --ws-token-file FILE (or listen on 127.0.0.1)`,
    );
  }
  const allowed = (req: http.IncomingMessage): number => {
    if (req.headers.origin !== undefined) return 403;
    if (!o.token) return 0;
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer (.+)$/.exec(auth);
    return m && sameToken(m[1]!, o.token) ? 0 : 401;
  };
  const server = http.createServer((req, res) => {
    const refused = allowed(req);
    if (refused === 403) return void res.writeHead(403).end();
    if (req.method === 'GET' && (req.url === '/healthz' || req.url === '/readyz'))
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const refused = allowed(req);
    if (refused) {
      socket.end(
        `HTTP/1.1 ${refused} ${refused === 401 ? 'Unauthorized' : 'Forbidden'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new Connection(
        (msg: OutgoingMessage) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(msg)),
        hub,
        facts,
      );
      ws.on('message', (data, isBinary) => {
        if (!isBinary) conn.handle(data.toString());
      });
      ws.on('close', () => conn.close());
      ws.on('error', () => conn.close());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shown = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `ws://${shown}:${port}`,
    connections: () => wss.clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
