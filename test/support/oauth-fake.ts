import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * GitHub's OAuth web flow, locally: `/login/oauth/authorize` sends the browser back with a code
 * for whoever the test says is signing in, `/login/oauth/access_token` trades it (checking the
 * client's id and secret), and `/user` says who the token belongs to.
 */
export async function startOAuthFake(client: {
  id: string;
  secret: string;
}): Promise<{ url: string; signInAs: (login: string) => void; exchanges: number; close(): Promise<void> }> {
  let next = 'nobody';
  const codes = new Map<string, string>();
  const tokens = new Map<string, string>();
  const state = { exchanges: 0 };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/login/oauth/authorize') {
      if (url.searchParams.get('client_id') !== client.id) return void res.writeHead(400).end('unknown client');
      const code = `code-${Math.random().toString(36).slice(2)}`;
      codes.set(code, next);
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      return void res.writeHead(302, { location: back.toString() }).end();
    }
    if (url.pathname === '/login/oauth/access_token' && req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const b = JSON.parse(body) as { client_id: string; client_secret: string; code: string };
        const login = codes.get(b.code);
        codes.delete(b.code);
        if (b.client_id !== client.id || b.client_secret !== client.secret || !login)
          return void res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: 'bad_verification_code' }));
        state.exchanges++;
        const token = `gho_${Math.random().toString(36).slice(2)}`;
        tokens.set(token, login);
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ access_token: token, token_type: 'bearer' }));
      });
      return;
    }
    if (url.pathname === '/user') {
      const login = tokens.get(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
      return void (login
        ? res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ login }))
        : res.writeHead(401).end());
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    signInAs: (login) => (next = login),
    get exchanges() {
      return state.exchanges;
    },
    close: () => new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections())),
  };
}
