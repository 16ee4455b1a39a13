import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BwrapSandbox } from '../src/adapters/sandbox/bwrap-sandbox.ts';
import { NoneSandbox } from '../src/adapters/sandbox/none-sandbox.ts';
import type { Sandbox } from '../src/core/ports.ts';
import { tempDir } from '../test/support/app-harness.ts';
import { median, type Figure } from './stats.ts';

/**
 * Added time of `true` in bubblewrap over a direct spawn through the same code path, for this
 * tree's sandbox and, side by side in the same loop, the sandbox as it is on `BENCH_BASELINE`
 * (default `main`), extracted from git into a temp dir: the overhead budget is relative to it. And
 * with network: the egress firewall's per-command proxy (a unix socket opened and closed) and the
 * bridge started inside the namespace before the command.
 */
export async function benchSandbox(): Promise<Figure[]> {
  const root = tempDir('pw-bench-sbx-');
  const worktree = path.join(root, 'wt');
  fs.mkdirSync(worktree);
  const layout = (name: string) => ({
    worktree,
    runTmp: path.join(root, `tmp-${name}`),
    cacheDir: path.join(root, 'cache'),
    readOnly: [],
  });
  const bwrap = new BwrapSandbox({ layout: layout('new'), hostDir: path.join(root, 'host') });
  const boxes: Array<[string, Sandbox]> = [
    ['direct', new NoneSandbox(layout('direct'))],
    ['bwrap', bwrap],
    ['network', { kind: 'bwrap', run: (o) => bwrap.run({ ...o, network: true, stage: 'setup' }) }],
  ];
  const old = await baseline(root);
  if (old) boxes.push(['baseline', new old({ layout: layout('old') })]);
  const opts = { command: ['true'], cwd: worktree, timeoutMs: 10_000, network: false, outputLimitBytes: 4096 };
  const times = new Map<string, number[]>(boxes.map(([n]) => [n, []]));
  for (const [, box] of boxes) for (let i = 0; i < 10; i++) await box.run(opts);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 100);
  for (let i = 0; i < rounds; i++) {
    // Every other round the other way round, so neither side always runs right after the direct spawn.
    for (const [name, box] of i % 2 ? [...boxes].reverse() : boxes) {
      const t = performance.now();
      await box.run(opts);
      times.get(name)!.push(performance.now() - t);
    }
  }
  const m = (n: string) => median(times.get(n)!);
  const figures: Figure[] = [
    { name: '`true` direct spawn (median)', value: m('direct'), unit: 'ms', target: '' },
    { name: '`true` in bwrap (median)', value: m('bwrap'), unit: 'ms', target: '' },
    {
      name: 'bwrap added time per command',
      value: m('bwrap') - m('direct'),
      unit: 'ms',
      target: old ? '' : '<= 15 ms',
    },
    {
      name: '`true` in bwrap with network: egress proxy + bridge (median)',
      value: m('network'),
      unit: 'ms',
      target: '',
    },
    {
      name: 'egress firewall added time per command (network vs none)',
      value: m('network') - m('bwrap'),
      unit: 'ms',
      target: '<= 15 ms',
    },
  ];
  if (old) {
    const ref = process.env.BENCH_BASELINE ?? 'main';
    figures.push(
      { name: `\`true\` in bwrap as on ${ref} (median, same loop)`, value: m('baseline'), unit: 'ms', target: '' },
      { name: `bwrap added time per command as on ${ref}`, value: m('baseline') - m('direct'), unit: 'ms', target: '' },
      {
        name: `bwrap added time per command, this tree minus ${ref}`,
        value: m('bwrap') - m('baseline'),
        unit: 'ms',
        target: '<= 15 ms',
      },
      // Round by round (the two ran next to each other), which a busy machine's swings affect least.
      {
        name: `this tree minus ${ref}, median of ${rounds} paired rounds`,
        value: median(times.get('bwrap')!.map((t, i) => t - times.get('baseline')![i]!)),
        unit: 'ms',
        target: '<= 15 ms',
      },
    );
  }
  return figures;
}

/** The BwrapSandbox of the baseline ref, or null when git cannot give it (no such ref, not a checkout). */
async function baseline(root: string): Promise<(new (o: { layout: unknown }) => Sandbox) | null> {
  const ref = process.env.BENCH_BASELINE ?? 'main';
  const dir = path.join(root, 'baseline');
  try {
    fs.mkdirSync(dir);
    execFileSync('sh', ['-c', `git archive ${ref} src/adapters src/core src/protocol | tar -x -C ${dir}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    fs.symlinkSync(path.resolve('node_modules'), path.join(dir, 'node_modules'));
    const mod = (await import(path.join(dir, 'src/adapters/sandbox/bwrap-sandbox.ts'))) as {
      BwrapSandbox: new (o: unknown) => Sandbox;
    };
    return mod.BwrapSandbox as never;
  } catch {
    return null;
  }
}
