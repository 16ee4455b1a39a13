import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadinessReport } from '../../src/core/loop/readiness.ts';
import { tempDir } from '../support/app-harness.ts';
import { repoFromFolder } from '../support/fixture-repo.ts';
import { nodeTarball, realTarballs, startStandInRegistry, type StandInRegistry } from '../support/npm-registry.ts';

/**
 * A real Node library that asks for Node 22.12 (commander.js), on this worker whose Node is 20:
 * the app fetches Node 22 from the npm registry the deployment names, as the `node` package does
 * (its per-platform tarball), and the library's setup and tests run on it. The registry is a
 * stand-in on loopback serving real tarballs npm's own client fetched once.
 */
const NODE = path.resolve('node_modules/.bin/node');
const CLI = path.resolve('bin/patchwright.js');
const SRC = path.resolve('fixtures/node-packages/commander');
/** This suite's own host user when the tests run as root (see AGENTS.md). */
const UID = '61193';

let registry: StandInRegistry;
let repo: string;
beforeAll(async () => {
  const lock = JSON.parse(fs.readFileSync(path.join(SRC, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { name?: string; version: string }>;
  };
  const specs = [
    ...new Set(
      Object.entries(lock.packages)
        .filter(([k]) => k)
        .map(([k, v]) => `${v.name ?? k.replace(/^.*node_modules\//, '')}@${v.version}`),
    ),
  ];
  registry = await startStandInRegistry([nodeTarball('22.12.0'), ...realTarballs(specs)]);
  repo = repoFromFolder(SRC);
}, 600_000);
afterAll(() => registry?.close());

describe('patchwright doctor on a Node library that asks for a newer Node than the worker’s', () => {
  it('commander.js (engines.node >=22.12.0) on a worker with Node 20: Node 22.12.0 fetched through the registry, first on PATH; npm ci and npm test run on it: ready', async () => {
    // The worker's Node is the one the sandbox finds on the system PATH.
    const worker = execFileSync('sh', ['-c', 'node --version'], {
      encoding: 'utf8',
      env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
    }).trim();
    expect(
      Number(worker.replace(/^v/, '').split('.')[0]),
      `this test needs a worker whose Node is older than 22.12 (it has ${worker})`,
    ).toBeLessThan(22);
    const data = tempDir('pw-node-data-');
    // Not execFileSync: the stand-in registry answers from this process.
    const { stdout: out } = await promisify(execFile)(NODE, [CLI, 'doctor', repo, '--json'], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        HOME: tempDir('pw-home-'),
        PATCHWRIGHT_DATA_DIR: data,
        PATCHWRIGHT_SANDBOX_UID: UID,
        PATCHWRIGHT_NODE_REGISTRY: registry.url,
        // Setup's npm reaches the library's dependencies through the same registry.
        npm_config_registry: registry.url,
        PATCHWRIGHT_SANDBOX_ENV: 'npm_config_registry',
        // Setup reaches the network only through the egress firewall: the deployment allows its mirror by host and port.
        PATCHWRIGHT_EGRESS_ALLOW: new URL(registry.url).host,
      },
      timeout: 600_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const report = JSON.parse(out) as ReadinessReport & { testCommand: string };
    expect(report.problems).toEqual([]);
    expect(report.ready).toBe(true);
    expect(report.provided).toEqual([
      `Node 22.12.0 from the npm registry (node-${process.platform}-${process.arch}@22.12.0), for the >=22.12.0 that package.json asks for`,
    ]);
    const bin = path.join(data, 'toolchains', 'node', '22.12.0', 'bin');
    expect(report.environment.path).toEqual([bin]);
    // Asked through the sandbox with it first on PATH, the worker's Node no longer differs from what the library asks for.
    expect(report.toolchain).toEqual([]);
    expect(report.setup.map((s) => [s.command, s.exitCode])).toEqual([['npm ci', 0]]);
    expect(report.testCommand).toBe('npm test');
    expect(report.baseline).toMatchObject({ exitCode: 0, failed: 0 });
    expect(report.baseline!.passed).toBeGreaterThan(1000);
    expect(registry.requests).toContain(
      `/node-${process.platform}-${process.arch}/-/node-${process.platform}-${process.arch}-22.12.0.tgz`,
    );

    // The toolchain folder is the app's: a sandboxed command reads and runs it, and cannot change it.
    const probe = execFileSync(
      NODE,
      [
        CLI,
        'sandbox',
        '--',
        'sh',
        '-c',
        `${bin}/node --version; touch ${bin}/planted 2>&1; rm -f ${bin}/node 2>&1; echo done`,
      ],
      {
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          HOME: tempDir('pw-home-'),
          PATCHWRIGHT_DATA_DIR: data,
          PATCHWRIGHT_SANDBOX_UID: UID,
        },
        cwd: repo,
      },
    );
    expect(probe).toMatch(/^v22\.12\.0\n.*Read-only file system\n.*Read-only file system\ndone\n$/s);
    expect(fs.existsSync(path.join(bin, 'planted'))).toBe(false);
    expect(fs.existsSync(path.join(bin, 'node'))).toBe(true);
  }, 900_000);
});
