import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BwrapSandbox } from '../../src/adapters/sandbox/bwrap-sandbox.ts';
import { runAsNobody } from '../support/run-as-nobody.ts';

/**
 * Bounded resources: every tmpfs a command can write has a size (bwrap's own /dev, /run, /var/tmp
 * and root would otherwise be half the host's memory each), enumerated from the command's own
 * mount table, as root (a host user per job) and as an unprivileged app (a user namespace); the
 * run's temp dir is on the data disk and watched with the worktree, for bytes and for inodes.
 */
const root = fs.mkdtempSync('/var/tmp/pw-bounds-');
fs.chmodSync(root, 0o755);
const dirs = ['wt', 'tmp', 'cache', 'host'].map((d) => path.join(root, d));
for (const d of dirs) fs.mkdirSync(d);
const [worktree, runTmp, cacheDir] = dirs as [string, string, string];
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const TMPFS = 8 * 1024 * 1024;

/** Each tmpfs inside, its size in KB, whether its top is mounted read-only, and whether the command can write anywhere in it. */
const SURVEY = `awk '{ print $5 }' /proc/self/mountinfo > /tmp/.mounts
awk '{ for (i = 1; i <= NF; i++) if ($i == "-") s = i; if ($(s + 1) == "tmpfs") print $5, $6 }' /proc/self/mountinfo | while read at opts; do
  kb=$(df -k "$at" | awk 'NR == 2 { print $2 }')
  w=$(find "$at" -xdev -type d -writable 2>/dev/null | grep -vxF -f /tmp/.mounts; find "$at" -maxdepth 0 -writable 2>/dev/null)
  echo "$at $kb \${opts%%,*} \${w:+writable}"
done`;

function check(survey: string): void {
  const rows = survey
    .trim()
    .split('\n')
    .map((l) => l.split(' '));
  expect(rows.length).toBeGreaterThan(3);
  for (const [at, kb, mode, writable] of rows) {
    if (writable) expect(Number(kb), `${at} is writable`).toBeLessThanOrEqual(TMPFS / 1024);
    if (mode === 'rw' && !writable) expect(Number(kb), `${at} is mounted rw`).toBeLessThanOrEqual(TMPFS / 1024);
  }
  // /dev/shm is the one a command writes, and it is full at its size.
  expect(rows.find((r) => r[0] === '/dev/shm')?.[3]).toBe('writable');
}

describe('every tmpfs a command can write is sized', () => {
  it('as root: a host user of the job’s own', async () => {
    const sandbox = new BwrapSandbox({
      layout: { worktree, runTmp, cacheDir, readOnly: [] },
      hostUid: 61165,
      tmpfsBytes: TMPFS,
    });
    const res = await sandbox.run({
      command: SURVEY,
      cwd: worktree,
      timeoutMs: 30_000,
      network: false,
      outputLimitBytes: 64 * 1024,
    });
    check(res.stdout);
    const fill = await sandbox.run({
      command: 'head -c 64M /dev/zero > /dev/shm/fill; echo $?; du -k /dev/shm/fill',
      cwd: worktree,
      timeoutMs: 30_000,
      network: false,
      outputLimitBytes: 64 * 1024,
    });
    expect(fill.stdout.split('\n')[0]).not.toBe('0');
    expect(Number(fill.stdout.split('\n')[1]!.split('\t')[0])).toBeLessThanOrEqual(TMPFS / 1024);
  });

  it.runIf(process.getuid?.() === 0)('as an unprivileged app: a user namespace of its own', () => {
    for (const d of dirs) fs.chownSync(d, 65534, 65534);
    fs.chmodSync(dirs[3]!, 0o700);
    try {
      const [r] = runAsNobody({
        layout: { worktree, runTmp, cacheDir, readOnly: [] },
        hostDir: dirs[3],
        tmpfsBytes: TMPFS,
        commands: [SURVEY],
      });
      check(r!.stdout);
    } finally {
      for (const d of dirs) fs.chownSync(d, 0, 0);
    }
  });
});

describe('the run’s temp dir and worktree are watched, for inodes as for bytes', () => {
  it('a command that makes files by the thousand in /tmp is stopped before the disk’s free inodes drop below the floor', async () => {
    const free = fs.statfsSync(runTmp).ffree;
    const sandbox = new BwrapSandbox({
      layout: { worktree, runTmp, cacheDir, readOnly: [] },
      hostUid: 61165,
      minFreeInodes: free - 4000,
      minFreeBytes: 0,
    });
    const res = await sandbox.run({
      command:
        'for i in $(seq 60); do mkdir /tmp/d$i && cd /tmp/d$i && seq 1000 | xargs touch; sleep 0.2; done; echo finished',
      cwd: worktree,
      timeoutMs: 120_000,
      network: false,
      outputLimitBytes: 64 * 1024,
    });
    expect(res.stdout).not.toContain('finished');
    expect(res.stderr).toMatch(/stopped: the disk has \d+ inodes free, below the \d+ the host keeps/);
    fs.rmSync(runTmp, { recursive: true, force: true });
    fs.mkdirSync(runTmp);
  });
});
