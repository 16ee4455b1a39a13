import type http from 'node:http';

export function send(res: http.ServerResponse, status: number, body: string, type: string, cache = false): true {
  res
    .writeHead(status, { 'content-type': type, 'cache-control': cache ? 'public, max-age=300' : 'no-store' })
    .end(body);
  return true;
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): true {
  return send(res, status, JSON.stringify(body), 'application/json; charset=utf-8');
}

export function redirect(res: http.ServerResponse, location: string, cookies: string[] = []): true {
  res
    .writeHead(303, { location, 'cache-control': 'no-store', ...(cookies.length ? { 'set-cookie': cookies } : {}) })
    .end();
  return true;
}

/** A small urlencoded form body (a sign-in, a button): anything over 16 KiB is cut off. */
export async function readForm(req: http.IncomingMessage): Promise<Map<string, string>> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 16_384) break;
  }
  return new Map(new URLSearchParams(body));
}
