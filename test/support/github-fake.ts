import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGithub {
  url: string;
  requests: Array<{ method: string; path: string }>;
  close(): Promise<void>;
}

/**
 * A minimal local stand-in for GitHub's REST API, answering the calls the acknowledgement path
 * makes at near-zero latency (for benchmarks; tests use nock for strictness).
 */
export async function startGithubFake(permission = 'write'): Promise<FakeGithub> {
  const requests: FakeGithub['requests'] = [];
  let nextId = 1000;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      requests.push({ method: req.method ?? 'GET', path });
      const json = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
      if (req.method === 'POST' && /\/access_tokens$/.test(path)) {
        return json(201, { token: 'ghs_fake', expires_at: new Date(Date.now() + 3600_000).toISOString() });
      }
      if (/\/contents\//.test(path)) return json(404, { message: 'Not Found' });
      if (/\/permission$/.test(path)) return json(200, { permission, role_name: permission });
      if (/\/reactions$/.test(path)) return json(201, { id: nextId++, content: 'eyes' });
      if (req.method === 'POST' && /\/comments$/.test(path)) return json(201, { id: nextId++ });
      if (req.method === 'PATCH' && /\/comments\/\d+$/.test(path)) return json(200, { id: Number(path.split('/').pop()) });
      return json(404, { message: `fake has no ${req.method} ${path}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
