/**
 * JSON-RPC 2.0 as the Codex app server speaks it: one JSON object per line (stdio) or per
 * WebSocket text frame, without the `"jsonrpc": "2.0"` field.
 */
export type RequestId = string | number;

export interface RpcRequest {
  id: RequestId;
  method: string;
  params?: unknown;
}
export interface RpcNotification {
  method: string;
  params?: unknown;
}
export interface RpcResponse {
  id: RequestId;
  result: unknown;
}
export interface RpcErrorResponse {
  /** null only when the message it answers could not be read at all. */
  id: RequestId | null;
  error: { code: number; message: string; data?: unknown };
}
export type OutgoingMessage = RpcRequest | RpcNotification | RpcResponse | RpcErrorResponse;

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;
/** Too many requests in flight on one connection: retry later (Codex's code for an overloaded server). */
export const SERVER_OVERLOADED = -32001;

/** An error a method handler throws to answer its request with this code and message. */
export class RpcError extends Error {
  readonly code: number;
  readonly data: unknown;
  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

export type Incoming =
  | { kind: 'request'; msg: RpcRequest }
  | { kind: 'notification'; msg: RpcNotification }
  | { kind: 'response'; id: RequestId; result?: unknown; error?: { code: number; message: string } }
  | { kind: 'invalid'; reply: RpcErrorResponse | null };

const isId = (v: unknown): v is RequestId => typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));

/** Reads one message; what cannot be a message gets the error reply JSON-RPC prescribes. */
export function readMessage(text: string): Incoming {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return {
      kind: 'invalid',
      reply: {
        id: null,
        error: { code: PARSE_ERROR, message: `Parse error: ${e instanceof Error ? e.message : String(e)}` },
      },
    };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return {
      kind: 'invalid',
      reply: {
        id: null,
        error: {
          code: INVALID_REQUEST,
          message: 'Invalid request: a message is one JSON object (batches are not supported)',
        },
      },
    };
  }
  const m = value as Record<string, unknown>;
  const id = m.id;
  if (typeof m.method === 'string') {
    if (id === undefined) return { kind: 'notification', msg: { method: m.method, params: m.params } };
    if (!isId(id))
      return {
        kind: 'invalid',
        reply: {
          id: null,
          error: { code: INVALID_REQUEST, message: 'Invalid request: id must be a string or an integer' },
        },
      };
    return { kind: 'request', msg: { id, method: m.method, params: m.params } };
  }
  if (isId(id) && ('result' in m || 'error' in m)) {
    const error = m.error as { code: number; message: string } | undefined;
    return { kind: 'response', id, ...(error ? { error } : { result: m.result }) };
  }
  return {
    kind: 'invalid',
    reply: { id: isId(id) ? id : null, error: { code: INVALID_REQUEST, message: 'Invalid request: no method' } },
  };
}
