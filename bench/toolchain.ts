import path from 'node:path';
import { NpmNodeToolchains } from '../src/adapters/toolchain/npm-node.ts';
import { BwrapSandbox } from '../src/adapters/sandbox/bwrap-sandbox.ts';
import { prepareEnvironment } from '../src/core/loop/prepare-environment.ts';
import { chooseVersion } from '../src/core/loop/toolchain-check.ts';
import type { ToolchainRequirement } from '../src/protocol/toolchain.ts';
import { tempDir } from '../test/support/app-harness.ts';
import { fixtureRepo } from '../test/support/fixture-repo.ts';
import { median, type Figure } from './stats.ts';

/**
 * What the environment a repository asks for costs a run, side by side in one run: a Node version
 * fetched from the real npm registry (the only place the real registry is used) against the same
 * version from the toolchain cache, and a Python project's virtual environment against the
 * probe alone (what a project with nothing to make pays).
 */
export async function benchToolchain(): Promise<Figure[]> {
  const want: ToolchainRequirement = { tool: 'node', wants: '>=22.12.0', kind: 'range', file: 'package.json', line: 1 };
  const request = { want, choose: (v: string[]) => chooseVersion(v, want) };
  const registry = process.env.npm_config_registry || 'https://registry.npmjs.org/';
  const cold: number[] = [];
  const warm: number[] = [];
  for (let round = 0; round < 2; round++) {
    const source = new NpmNodeToolchains({
      dir: tempDir('pw-bench-tc-'),
      registry: registry.endsWith('/') ? registry : `${registry}/`,
    });
    let t = performance.now();
    const got = await source.provide(request, new AbortController().signal);
    if ('unavailable' in got) throw new Error(got.unavailable);
    cold.push(performance.now() - t);
    t = performance.now();
    await source.provide(request, new AbortController().signal);
    warm.push(performance.now() - t);
  }
  const venv: number[] = [];
  const probeOnly: number[] = [];
  for (let round = 0; round < 3; round++) {
    for (const python of [true, false]) {
      const repo = fixtureRepo({ 'calc.py': 'x = 1\n' });
      const runTmp = tempDir('pw-bench-tmp-');
      const sandbox = new BwrapSandbox({
        layout: { worktree: repo, runTmp, cacheDir: path.join(tempDir('pw-bench-cache-'), 'c'), readOnly: [] },
      });
      const t = performance.now();
      await prepareEnvironment(
        {
          toolchain: [],
          environment: python ? { python: { venv: '.venv', manager: 'pip', file: 'calc.py' } } : {},
          root: repo,
          setupTimeoutMs: 120_000,
          ...(python ? {} : { needs: [{ path: '/usr', why: 'x' }] }),
        },
        { sandbox },
        new AbortController().signal,
      );
      (python ? venv : probeOnly).push(performance.now() - t);
    }
  }
  return [
    {
      name: `Node ${want.wants} from ${registry} (cold: packument, 50 MB tarball, integrity, unpack)`,
      value: median(cold),
      unit: 'ms',
      target: 'once per version per worker',
    },
    { name: 'the same from the toolchain cache (warm)', value: median(warm), unit: 'ms', target: '< 50 ms' },
    {
      name: 'Python project: probe and python3 -m venv .venv in the sandbox',
      value: median(venv),
      unit: 'ms',
      target: 'once per run, before setup',
    },
    {
      name: 'probe alone (the worker’s versions, no environment to make)',
      value: median(probeOnly),
      unit: 'ms',
      target: '≈ one sandboxed command',
    },
  ];
}
