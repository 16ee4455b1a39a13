import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import path from 'node:path';
import { WebSocket } from 'ws';

export type Msg = Record<string, unknown> & {
  id?: string | number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
};

/**
 * A Codex-style client for tests: sends requests, keeps every message the server sent (with the
 * method of the request each response answers), and answers the server's approval requests.
 */
export class RpcClient {
  readonly received: Array<{ msg: Msg; method?: string }> = [];
  readonly #send: (text: string) => void;
  readonly #methods = new Map<string | number, string>();
  readonly #waiters: Array<{ test: (m: Msg) => boolean; resolve: (m: Msg) => void }> = [];
  #seq = 0;
  /** How the client answers a server request; by default it declines. */
  onServerRequest: (m: Msg) => unknown = () => ({ decision: 'decline' });

  constructor(send: (text: string) => void) {
    this.#send = send;
  }

  /** Feeds one message from the server. */
  receive(text: string): void {
    const msg = JSON.parse(text) as Msg;
    const method = msg.id !== undefined && !msg.method ? this.#methods.get(msg.id) : undefined;
    this.received.push({ msg, ...(method ? { method } : {}) });
    if (msg.method && msg.id !== undefined) {
      void Promise.resolve(this.onServerRequest(msg)).then((result) =>
        this.#send(JSON.stringify({ id: msg.id, result })),
      );
    }
    for (const w of [...this.#waiters]) {
      if (w.test(msg)) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve(msg);
      }
    }
  }

  raw(text: string): void {
    this.#send(text);
  }

  notify(method: string, params?: unknown): void {
    this.#send(JSON.stringify({ method, ...(params !== undefined ? { params } : {}) }));
  }

  async request(method: string, params?: unknown): Promise<Msg> {
    const id = ++this.#seq;
    this.#methods.set(id, method);
    const answer = this.waitFor((m) => m.id === id && !m.method);
    this.#send(JSON.stringify({ id, method, ...(params !== undefined ? { params } : {}) }));
    return answer;
  }

  /** Resolves with the first message (already received or to come) that passes `test`. */
  waitFor(test: (m: Msg) => boolean, timeoutMs = 60_000): Promise<Msg> {
    const seen = this.received.find((r) => test(r.msg));
    if (seen) return Promise.resolve(seen.msg);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no matching message within ${timeoutMs} ms; last: ${JSON.stringify(this.received.slice(-3).map((r) => r.msg)).slice(0, 1500)}`,
            ),
          ),
        timeoutMs,
      );
      this.#waiters.push({ test, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }

  notifications(method: string): Msg[] {
    return this.received.filter((r) => r.msg.method === method && r.msg.id === undefined).map((r) => r.msg);
  }
}

const BIN = path.resolve(import.meta.dirname, '../../bin/patchwright.js');
const NODE = path.resolve(import.meta.dirname, '../../node_modules/.bin/node');

/** The real `patchwright app-server` process on stdio. */
export function stdioAppServer(
  env: NodeJS.ProcessEnv,
  cwd: string,
): { client: RpcClient; child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(NODE, [BIN, 'app-server'], { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  const client = new RpcClient((text) => child.stdin!.write(`${text}\n`));
  readline.createInterface({ input: child.stdout! }).on('line', (l) => l.trim() && client.receive(l));
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { client, child, stderr: () => err, exited };
}

/** A WebSocket client of a listening app server. */
export async function wsClient(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ client: RpcClient; ws: WebSocket }> {
  const ws = new WebSocket(url, { headers });
  const client = new RpcClient((text) => ws.send(text));
  ws.on('message', (d) => client.receive(d.toString()));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  return { client, ws };
}
