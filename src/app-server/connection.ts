import {
  INTERNAL_ERROR,
  INVALID_REQUEST,
  METHOD_NOT_FOUND,
  readMessage,
  RpcError,
  SERVER_OVERLOADED,
  type OutgoingMessage,
  type RequestId,
} from './jsonrpc.ts';
import type { Subscriber, ThreadHub } from './thread-hub.ts';
import { methods, type MethodContext } from './methods.ts';
import type { ServerFacts } from './session-answers.ts';

/** Requests one connection may have unanswered at once; more are refused with -32001 (retry later). */
export const MAX_IN_FLIGHT = 64;

let nextConnectionId = 0;

/**
 * One client: the handshake gate, method dispatch, and the server's own requests to it
 * (approvals), whatever carries the messages (stdio lines or WebSocket frames).
 */
export class Connection implements Subscriber {
  readonly id = ++nextConnectionId;
  readonly #send: (msg: OutgoingMessage) => void;
  readonly #hub: ThreadHub;
  readonly #facts: ServerFacts;
  #initialized = false;
  #inFlight = 0;
  #closed = false;
  #serverSeq = 0;
  readonly #pending = new Map<RequestId, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  /** Notification methods the client asked not to receive (initialize's `optOutNotificationMethods`). */
  #optOut = new Set<string>();

  constructor(send: (msg: OutgoingMessage) => void, hub: ThreadHub, facts: ServerFacts) {
    this.#send = send;
    this.#hub = hub;
    this.#facts = facts;
  }

  handle(text: string): void {
    if (this.#closed) return;
    const m = readMessage(text);
    if (m.kind === 'invalid') {
      if (m.reply) this.#out(m.reply);
      return;
    }
    if (m.kind === 'response') {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (m.error) p.reject(new Error(m.error.message));
      else p.resolve(m.result);
      return;
    }
    if (m.kind === 'notification') return; // `initialized` and the like need no answer
    const { id, method, params } = m.msg;
    if (method === 'initialize') {
      if (this.#initialized) return this.#out({ id, error: { code: INVALID_REQUEST, message: 'Already initialized' } });
      this.#initialized = true;
      const opt = (params as { capabilities?: { optOutNotificationMethods?: unknown } } | undefined)?.capabilities
        ?.optOutNotificationMethods;
      if (Array.isArray(opt)) this.#optOut = new Set(opt.filter((x): x is string => typeof x === 'string'));
    } else if (!this.#initialized) {
      return this.#out({ id, error: { code: INVALID_REQUEST, message: 'Not initialized' } });
    }
    const handler = methods[method];
    if (!handler)
      return this.#out({
        id,
        error: {
          code: METHOD_NOT_FOUND,
          message: `Method not found: ${method} is not supported by Patchwright's app server`,
        },
      });
    if (this.#inFlight >= MAX_IN_FLIGHT)
      return this.#out({
        id,
        error: {
          code: SERVER_OVERLOADED,
          message: `Server overloaded: ${MAX_IN_FLIGHT} requests are already in flight on this connection; retry later`,
        },
      });
    this.#inFlight++;
    const ctx: MethodContext = {
      hub: this.#hub,
      facts: this.#facts,
      conn: this,
      notify: (mth, p) => this.notify(mth, p),
    };
    void Promise.resolve()
      .then(() => handler(params ?? {}, ctx))
      .then(
        (result) => this.#out({ id, result }),
        (error: unknown) => {
          if (error instanceof RpcError)
            this.#out({
              id,
              error: {
                code: error.code,
                message: error.message,
                ...(error.data !== undefined ? { data: error.data } : {}),
              },
            });
          else
            this.#out({
              id,
              error: {
                code: INTERNAL_ERROR,
                message: `Internal error: ${error instanceof Error ? error.message : String(error)}`,
              },
            });
        },
      )
      .finally(() => this.#inFlight--);
  }

  notify(method: string, params: Record<string, unknown>): void {
    if (this.#optOut.has(method)) return;
    this.#out({ method, params });
  }

  request(
    method: string,
    params: Record<string, unknown>,
    signal: AbortSignal,
  ): { id: RequestId; answer: Promise<unknown> } {
    const id = `patchwright-${this.id}-${++this.#serverSeq}`;
    const answer = new Promise<unknown>((resolve, reject) => {
      if (this.#closed) return reject(new Error('the client went away'));
      const onAbort = () => {
        this.#pending.delete(id);
        reject(new Error('the turn ended'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, {
        resolve: (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
        reject: (e) => (signal.removeEventListener('abort', onAbort), reject(e)),
      });
    });
    this.#out({ id, method, params });
    return { id, answer };
  }

  /** The transport closed: nothing more is sent, open questions to the client are answered "no". */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const p of this.#pending.values()) p.reject(new Error('the client went away'));
    this.#pending.clear();
    this.#hub.drop(this);
  }

  #out(msg: OutgoingMessage): void {
    if (!this.#closed) this.#send(msg);
  }
}
