import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';

/**
 * The child process behind stand-in.ts: services a sandbox reaches through the egress proxy
 * (a package registry, a pip mirror, an echo), in a process of their own as they would be in a
 * deployment: the proxy refuses the app's own listeners, and a test's listeners in its own
 * process would count as the app's.
 */
interface Config {
  host: string;
  npm: Array<{ name: string; version: string; tarball: string }>;
  pypi: Array<{ project: string; wheel: string }>;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const send = (m: unknown) => process.send?.(m);

const server = http.createServer((req, res) => {
  send({ type: 'request', method: req.method, url: req.url, headers: req.headers });
  const url = new URL(req.url ?? '/', 'http://x');
  const base = `http://${config.host}:${(server.address() as net.AddressInfo).port}`;
  const file = (p: string, type: string) => res.writeHead(200, { 'content-type': type }).end(fs.readFileSync(p));
  if (url.pathname === '/__echo')
    return void res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers }));
  for (const p of config.npm) {
    const tgz = `/${p.name}/-/${p.name.split('/').pop()}-${p.version}.tgz`;
    if (url.pathname === `/${p.name}` || url.pathname === `/${encodeURIComponent(p.name)}`) {
      const data = fs.readFileSync(p.tarball);
      const integrity = `sha512-${crypto.createHash('sha512').update(data).digest('base64')}`;
      const shasum = crypto.createHash('sha1').update(data).digest('hex');
      const version = { name: p.name, version: p.version, dist: { tarball: `${base}${tgz}`, integrity, shasum } };
      return void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ name: p.name, 'dist-tags': { latest: p.version }, versions: { [p.version]: version } }));
    }
    if (url.pathname === tgz) return file(p.tarball, 'application/octet-stream');
  }
  for (const w of config.pypi) {
    const name = w.wheel.split('/').pop()!;
    if (url.pathname === `/simple/${w.project}/`) {
      const sha = crypto.createHash('sha256').update(fs.readFileSync(w.wheel)).digest('hex');
      return void res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(`<!DOCTYPE html><html><body><a href="/files/${name}#sha256=${sha}">${name}</a></body></html>\n`);
    }
    if (url.pathname === `/files/${name}`) return file(w.wheel, 'application/octet-stream');
  }
  res.writeHead(404).end('not here\n');
});

// A plain TCP service: says hello, then echoes.
const echo = net.createServer((s) => {
  send({ type: 'echo' });
  s.on('error', () => {});
  s.write('hello from the stand-in\n');
  s.pipe(s);
});

server.listen(0, '127.0.0.1', () =>
  echo.listen(0, '127.0.0.1', () =>
    send({
      type: 'ready',
      httpPort: (server.address() as net.AddressInfo).port,
      echoPort: (echo.address() as net.AddressInfo).port,
    }),
  ),
);
process.on('disconnect', () => process.exit(0));
