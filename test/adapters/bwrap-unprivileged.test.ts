import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { BwrapSandbox } from '../../src/adapters/sandbox/bwrap-sandbox.ts';

/**
 * Most of the suite runs as root (the container case). A deployment that runs the app as an
 * ordinary user gets the other identity: a user namespace of its own per command. Here bwrap
 * itself is started as `nobody` (through a wrapper), as it would be by such an app.
 */
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

it.runIf(asRoot)('as an unprivileged app: a user namespace with no capabilities, seccomp on, the process limit held, files owned by the app user', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-unpriv-'));
  fs.chmodSync(root, 0o755);
  const worktree = path.join(root, 'wt');
  const runTmp = path.join(root, 'tmp');
  const cacheDir = path.join(root, 'cache');
  for (const d of [worktree, runTmp, cacheDir]) fs.mkdirSync(d);
  const wrapper = path.join(root, 'bwrap-as-nobody');
  fs.writeFileSync(wrapper, '#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups -- bwrap "$@"\n', { mode: 0o755 });
  try {
    const sandbox = new BwrapSandbox({
      layout: { worktree, runTmp, cacheDir, readOnly: [] },
      limits: { cpuSeconds: 60, processes: 64, fileSizeBytes: 16 * 1024 * 1024, memoryBytes: 1024 ** 3 },
      identity: { mode: 'userns' },
      bwrapPath: wrapper,
    });
    // The app user owns its data: hand the folders to nobody, as an ordinary user's app would have them.
    for (const d of [worktree, runTmp, cacheDir, path.join(runTmp, 'home')]) fs.chownSync(d, 65534, 65534);
    const run = (command: string) => sandbox.run({ command, cwd: worktree, timeoutMs: 20_000, network: false, outputLimitBytes: 64 * 1024 });
    const identity = await run('id -u; grep -E "^(CapEff|Seccomp):" /proc/self/status; unshare -U true 2>/dev/null && echo USERNS; echo hi > made.txt; ls /root 2>&1 | head -1');
    const bomb = await run('for i in $(seq 200); do sleep 3 & done 2>/dev/null; sleep 0.5; ls /proc | grep -c "^[0-9]"');
    expect(identity.stdout).toMatch(/^1000\n/);
    expect(identity.stdout).toMatch(/CapEff:\s+0+\n/);
    expect(identity.stdout).toMatch(/Seccomp:\s+2/);
    expect(identity.stdout).not.toMatch(/USERNS/);
    expect(identity.stdout).toMatch(/No such file or directory/);
    expect(Number(bomb.stdout.trim())).toBeLessThanOrEqual(70);
    expect(fs.readFileSync(path.join(worktree, 'made.txt'), 'utf8')).toBe('hi\n');
    expect(fs.statSync(path.join(worktree, 'made.txt')).uid).toBe(65534);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
