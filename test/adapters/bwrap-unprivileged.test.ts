import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { runAsNobody } from '../support/run-as-nobody.ts';

/**
 * Most of the suite runs as root (the container case). A deployment that runs the app as an
 * ordinary user gets the other identity: a user namespace of its own per command. Here the app
 * itself (a Node process building the sandbox) runs as `nobody`, with its data owned by nobody.
 */
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
it.runIf(asRoot)(
  'as an unprivileged app: a user namespace with no capabilities, seccomp on, the process limit held, files owned by the app user',
  () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-unpriv-'));
    fs.chmodSync(root, 0o755);
    const worktree = path.join(root, 'wt');
    const runTmp = path.join(root, 'tmp');
    const cacheDir = path.join(root, 'cache');
    const hostDir = path.join(root, 'host');
    for (const d of [worktree, runTmp, cacheDir, hostDir]) {
      fs.mkdirSync(d);
      // The app user owns its data: as an ordinary user's app would have it.
      fs.chownSync(d, 65534, 65534);
    }
    fs.chmodSync(hostDir, 0o700);
    try {
      const [identity, bomb, tmpfs] = runAsNobody({
        layout: { worktree, runTmp, cacheDir, readOnly: [] },
        hostDir,
        commands: [
          'id -u; grep -E "^(CapEff|Seccomp):" /proc/self/status; unshare -U true 2>/dev/null && echo USERNS; echo hi > made.txt; ls /root 2>&1 | head -1; sleep 2 & ls /proc/$!/fd | sort -n | tr "\\n" " "; echo',
          'for i in $(seq 200); do sleep 3 & done 2>/dev/null; sleep 0.5; ls /proc | grep -c "^[0-9]"',
          'for d in /run /var/tmp /dev; do touch $d/x 2>/dev/null && echo "$d writable"; done; df -k /dev/shm | tail -1',
        ],
      });
      expect(identity!.stdout).toMatch(/^1000\n/);
      expect(identity!.stdout).toMatch(/CapEff:\s+0+\n/);
      expect(identity!.stdout).toMatch(/Seccomp:\s+2/);
      expect(identity!.stdout).not.toMatch(/USERNS/);
      expect(identity!.stdout).toMatch(/No such file or directory/);
      expect(identity!.stdout).toMatch(/\n0 1 2 \n/);
      expect(identity!.usage).toBeDefined();
      expect(identity!.audit?.reads).toEqual([]);
      expect(Number(bomb!.stdout.trim())).toBeLessThanOrEqual(70);
      expect(fs.readFileSync(path.join(worktree, 'made.txt'), 'utf8')).toBe('hi\n');
      expect(fs.statSync(path.join(worktree, 'made.txt')).uid).toBe(65534);
      // Only /dev/shm is writable, and it is sized.
      expect(tmpfs!.stdout).not.toMatch(/writable/);
      expect(Number(tmpfs!.stdout.trim().split(/\s+/)[1])).toBeLessThanOrEqual(512 * 1024);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  },
);
