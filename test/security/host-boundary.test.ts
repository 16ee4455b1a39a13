import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BwrapSandbox } from '../../src/adapters/sandbox/bwrap-sandbox.ts';
import type { SandboxRunOptions } from '../../src/core/ports.ts';
import { boundaryFixture, redirectMountPoints, swapEverySource } from '../support/boundary-fixture.ts';
import { bwrapOps, bwrapRecorder, violations } from '../support/bwrap-recorder.ts';
import { fixtureRepo, nodeBuggy } from '../support/fixture-repo.ts';

/**
 * The invariant: the host never reads, follows or mounts a path a sandbox can write. What bwrap
 * is given is written down by a stand-in for the bwrap program (bwrap-recorder.ts), so every bind
 * source and every mount point the host asked for is enumerated from the real command line, not
 * from the app's own account of it; then a command tries the swap on every kind of source.
 * Uses only the sandbox's long-standing surface, so it runs against older code as well.
 */
const UID = 61160;
const fx = boundaryFixture('pw-boundary-');
const recorder = bwrapRecorder(path.join(fx.root, 'host'));
const layout = (branch: boolean) => ({
  worktree: fx.worktree,
  runTmp: fx.runTmp,
  cacheDir: fx.cacheDir,
  readOnly: [fx.mirror, fx.toolchain],
  gitLink: fx.gitLink,
  ...(branch ? { privateCache: fx.privateCache } : {}),
});
const box = (branch: boolean) => new BwrapSandbox({ layout: layout(branch), bwrapPath: recorder.path, hostUid: UID });
const run = (sandbox: BwrapSandbox, command: string, extra: Partial<SandboxRunOptions> = {}) =>
  sandbox.run({ command, cwd: fx.worktree, timeoutMs: 30_000, network: false, outputLimitBytes: 256 * 1024, ...extra });

afterAll(() => fs.rmSync(fx.root, { recursive: true, force: true }));

describe('the host never mounts or follows what a sandbox can write (bwrap)', () => {
  const cases = (['base', 'branch'] as const).flatMap((from) =>
    [
      { stage: 'setup' as const, network: true },
      { stage: 'agent' as const, network: false },
      { stage: 'agent' as const, network: true },
      { stage: 'agent' as const, network: false, readOnly: true },
    ].map((c) => ({ from, ...c })),
  );

  it.each(cases)(
    '$from run, $stage stage, network $network, read-only $readOnly: every bind source and mount point bwrap was given',
    async (c) => {
      const sandbox = box(c.from === 'branch');
      const before = recorder.calls().length;
      const res = await run(sandbox, 'cat .git >/dev/null && ls /tmp >/dev/null && echo ran', {
        stage: c.stage,
        network: c.network,
        ...(c.readOnly ? { readOnly: true } : {}),
      });
      expect(res.stdout).toBe('ran\n');
      const calls = recorder.calls().slice(before);
      expect(calls).toHaveLength(1);
      const ops = bwrapOps(calls[0]!);
      // Not vacuous: the worktree and the mirror were among what was checked.
      expect(ops.map((o) => o.source)).toEqual(expect.arrayContaining([fx.worktree, fx.mirror]));
      expect(violations(ops, fx.writable(), [path.join(fx.worktree, '.git')])).toEqual([]);
    },
  );

  it('the git config a command sees is the masked one in every layout: a job’s mirror, a checkout’s own .git (the app server)', async () => {
    const checkout = fixtureRepo(nodeBuggy);
    execFileSync('git', ['config', 'remote.origin.url', `https://x:${fx.canary}@github.com/o/r.git`], {
      cwd: checkout,
    });
    const runs = fs.mkdtempSync(path.join(fx.root, 'turn-'));
    for (const d of ['tmp', 'cache']) fs.mkdirSync(path.join(runs, d));
    const inPlace = new BwrapSandbox({
      layout: {
        worktree: checkout,
        runTmp: path.join(runs, 'tmp'),
        cacheDir: fx.cacheDir,
        privateCache: path.join(runs, 'cache'),
        readOnly: [path.join(checkout, '.git')],
      },
      hostUid: UID,
    } as never);
    const own = await run(inPlace, 'cat .git/config; echo written > w.txt && echo wrote', { cwd: checkout });
    expect(own.stdout).toMatch(/\[core\]/);
    expect(own.stdout).not.toContain(fx.canary);
    expect(own.stdout).toContain('wrote');
    const mirror = await run(box(false), `cat ${fx.mirror}/config`);
    expect(mirror.stdout).toMatch(/\[core\]/);
    expect(mirror.stdout).not.toContain(fx.canary);
  });

  it('reads back no file a command could have written (the figures come through a pipe)', async () => {
    const sandbox = box(false);
    const res = await run(sandbox, 'true');
    expect(res.usage).toBeDefined();
    expect((sandbox as unknown as { audit?: () => { reads: unknown[] } }).audit?.().reads).toEqual([]);
  });

  it('a command that swaps every mount source it can reach for a link to a host file never gets that file mounted', async () => {
    for (const branch of [false, true]) {
      const sandbox = box(branch);
      for (const stage of ['setup', 'agent'] as const)
        await run(sandbox, swapEverySource(fx.canaryFile), { stage, network: stage === 'setup' });
      const look = await run(sandbox, `cat "${fx.mirror}/config" .git 2>&1; cat /proc/self/mountinfo; true`);
      expect(look.stdout).not.toContain(fx.canary);
      expect(look.stdout).not.toContain(fx.canaryFile);
    }
    expect(fs.readFileSync(fx.canaryFile, 'utf8')).toBe(`PRIVATE_KEY=${fx.canary}\n`);
  });

  it('a command that links the way to every mount point to a host folder never gets the host to make anything there', async () => {
    for (const branch of [false, true]) {
      const sandbox = box(branch);
      for (const stage of ['setup', 'agent'] as const)
        await run(sandbox, redirectMountPoints(fx.watch), { stage, network: stage === 'setup' });
      await run(sandbox, 'true');
      expect(fs.readdirSync(fx.watch)).toEqual([]);
    }
  });
});
