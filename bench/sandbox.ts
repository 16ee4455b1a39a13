import fs from 'node:fs';
import path from 'node:path';
import { BwrapSandbox } from '../src/adapters/sandbox/bwrap-sandbox.ts';
import { NoneSandbox } from '../src/adapters/sandbox/none-sandbox.ts';
import { tempDir } from '../test/support/app-harness.ts';
import { median, type Figure } from './stats.ts';

/**
 * Added time of `true` in bubblewrap over a direct spawn through the same code path, and, side by
 * side in the same loop, with network: the egress firewall's per-command proxy (a unix socket
 * opened and closed) and the bridge started inside the namespace before the command.
 */
export async function benchSandbox(): Promise<Figure[]> {
  const root = tempDir('pw-bench-sbx-');
  const worktree = path.join(root, 'wt');
  fs.mkdirSync(worktree);
  const layout = { worktree, runTmp: path.join(root, 'tmp'), cacheDir: path.join(root, 'cache'), readOnly: [] };
  const bwrap = new BwrapSandbox({ layout });
  const direct = new NoneSandbox(layout);
  const opts = { command: ['true'], cwd: worktree, timeoutMs: 10_000, network: false, outputLimitBytes: 4096 };
  const b: number[] = [];
  const d: number[] = [];
  const f: number[] = [];
  const net = { ...opts, network: true, stage: 'setup' as const };
  for (let i = 0; i < 10; i++) await bwrap.run(opts), await bwrap.run(net);
  for (let i = 0; i < 100; i++) {
    let t = performance.now();
    await direct.run(opts);
    d.push(performance.now() - t);
    t = performance.now();
    await bwrap.run(opts);
    b.push(performance.now() - t);
    t = performance.now();
    await bwrap.run(net);
    f.push(performance.now() - t);
  }
  return [
    { name: '`true` direct spawn (median)', value: median(d), unit: 'ms', target: '' },
    { name: '`true` in bwrap (median)', value: median(b), unit: 'ms', target: '' },
    { name: 'bwrap added time per command', value: median(b) - median(d), unit: 'ms', target: '<= 15 ms' },
    { name: '`true` in bwrap with network: egress proxy + bridge (median)', value: median(f), unit: 'ms', target: '' },
    { name: 'egress firewall added time per command (network vs none)', value: median(f) - median(b), unit: 'ms', target: '<= 15 ms' },
  ];
}
