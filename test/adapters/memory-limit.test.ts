import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BwrapSandbox } from '../../src/adapters/sandbox/bwrap-sandbox.ts';
import { CgroupError, describeMemoryLimit, detectMemoryLimit } from '../../src/adapters/sandbox/memory-limit.ts';
import { tempDir } from '../support/app-harness.ts';

/**
 * Where a cgroup can hold a whole command to its memory, the sandbox puts each command in one.
 * This machine has neither a delegated cgroup v2 folder with the memory controller nor a systemd
 * session (cgroup v1 is the session machinery's own): so the detection and the words are tested
 * for real here, the cgroup plumbing only against a folder shaped like a delegated cgroup.
 */
function fakeCgroup(subtree: string): string {
  const dir = tempDir('pw-cgroup-');
  for (const [f, text] of [
    ['cgroup.procs', ''],
    ['cgroup.controllers', 'cpu memory pids\n'],
    ['cgroup.subtree_control', subtree],
  ] as const)
    fs.writeFileSync(path.join(dir, f), text);
  return dir;
}

describe('a memory limit for a whole command', () => {
  it('says plainly when there is no cgroup, and what holds instead', () => {
    const found = detectMemoryLimit();
    if (found.kind === 'none') {
      expect(found.why).toMatch(/systemd-run/);
      expect(describeMemoryLimit(found, 512 * 1024 ** 2)).toMatch(
        /no cgroup limit .*RLIMIT_DATA.*PATCHWRIGHT_SANDBOX_CGROUP/,
      );
    } else expect(describeMemoryLimit(found, 512 * 1024 ** 2)).toMatch(/held to 512 MB/);
    expect(detectMemoryLimit('off')).toEqual({ kind: 'none', why: 'turned off (PATCHWRIGHT_SANDBOX_CGROUP=off)' });
  });

  it('refuses a folder that is no cgroup, or that does not hand down the memory controller, and says the fix', () => {
    expect(() => detectMemoryLimit(tempDir('pw-not-cgroup-'))).toThrow(CgroupError);
    expect(() => detectMemoryLimit(fakeCgroup('cpu\n'))).toThrow(/echo \+memory > .*cgroup\.subtree_control/);
    expect(detectMemoryLimit(fakeCgroup('cpu memory\n'))).toMatchObject({ kind: 'cgroup', version: 2 });
  });

  it('puts each command in a child of the delegated folder, with memory.max set, before bwrap starts', async () => {
    const dir = fakeCgroup('memory\n');
    const root = tempDir('pw-cg-run-');
    for (const d of ['wt', 'tmp', 'cache']) fs.mkdirSync(path.join(root, d));
    const sandbox = new BwrapSandbox({
      layout: {
        worktree: path.join(root, 'wt'),
        runTmp: path.join(root, 'tmp'),
        cacheDir: path.join(root, 'cache'),
        readOnly: [],
      },
      hostUid: 61166,
      limits: { cpuSeconds: 60, processes: 64, fileSizeBytes: 1024 ** 2, memoryBytes: 300 * 1024 ** 2 },
      memory: { kind: 'cgroup', dir, version: 2 },
    });
    const res = await sandbox.run({
      command: 'echo inside',
      cwd: path.join(root, 'wt'),
      timeoutMs: 20_000,
      network: false,
      outputLimitBytes: 4096,
    });
    expect(res.stdout).toBe('inside\n');
    // A real cgroup folder goes with its last process; this one is a plain folder, so it stays to be looked at.
    const [child] = fs.readdirSync(dir).filter((n) => n.startsWith('patchwright-'));
    expect(fs.readFileSync(path.join(dir, child!, 'memory.max'), 'utf8')).toBe(String(300 * 1024 ** 2));
    expect(fs.readFileSync(path.join(dir, child!, 'cgroup.procs'), 'utf8')).toMatch(/^\d+\n$/);
  });
});
