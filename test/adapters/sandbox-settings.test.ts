import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../src/adapters/env/read-settings.ts';
import { BwrapSandbox } from '../../src/adapters/sandbox/bwrap-sandbox.ts';
import { tempDir } from '../support/app-harness.ts';

describe('the containment settings', () => {
  it('reads the tmpfs size, the inode floor, hidden folders and the cgroup', () => {
    const s = readSettings({
      PATCHWRIGHT_DATA_DIR: '/srv/pw',
      PATCHWRIGHT_SANDBOX_TMPFS_MB: '64',
      PATCHWRIGHT_MIN_FREE_INODES: '5000',
      PATCHWRIGHT_SANDBOX_HIDE: '/etc/pw, /srv/keys',
      PATCHWRIGHT_SANDBOX_CGROUP: '/sys/fs/cgroup/pw',
    });
    expect(s).toMatchObject({
      sandboxTmpfsBytes: 64 * 1024 ** 2,
      minFreeInodes: 5000,
      sandboxHide: ['/etc/pw', '/srv/keys'],
      sandboxCgroup: '/sys/fs/cgroup/pw',
    });
    expect(readSettings({}).sandboxTmpfsBytes).toBe(512 * 1024 ** 2);
    expect(readSettings({ PATCHWRIGHT_SANDBOX_CGROUP: 'off' }).sandboxCgroup).toBe('off');
  });

  it('refuses, naming the setting and the fix: relative paths, and a toolchain folder inside what sandboxes write', () => {
    expect(() => readSettings({ PATCHWRIGHT_SANDBOX_HIDE: 'keys' })).toThrow(
      /PATCHWRIGHT_SANDBOX_HIDE: keys is not an absolute path/,
    );
    expect(() => readSettings({ PATCHWRIGHT_SANDBOX_CGROUP: 'pw' })).toThrow(
      /PATCHWRIGHT_SANDBOX_CGROUP: must be an absolute path, or off/,
    );
    for (const inner of ['cache/o--r', 'worktrees', 'runs/job-1-x/tmp']) {
      expect(() =>
        readSettings({ PATCHWRIGHT_DATA_DIR: '/srv/pw', PATCHWRIGHT_SANDBOX_PATHS: `/usr/x,/srv/pw/${inner}` }),
      ).toThrow(
        /PATCHWRIGHT_SANDBOX_PATHS: \/srv\/pw\/.* is inside \/srv\/pw\/(cache|worktrees|runs), which sandboxes write/,
      );
    }
  });

  it.runIf(process.getuid?.() === 0)(
    'a sandbox refuses a writable folder that belongs to another user (checked by descriptor before each command)',
    async () => {
      const root = tempDir('pw-owner-');
      const [wt, tmp, cache] = ['wt', 'tmp', 'cache'].map((d) => path.join(root, d));
      for (const d of [wt!, tmp!, cache!]) fs.mkdirSync(d);
      const sandbox = new BwrapSandbox({
        layout: { worktree: wt!, runTmp: tmp!, cacheDir: cache!, readOnly: [] },
        hostUid: 61166,
      });
      expect(
        (await sandbox.run({ command: 'true', cwd: wt!, timeoutMs: 10_000, network: false, outputLimitBytes: 1024 }))
          .exitCode,
      ).toBe(0);
      fs.chownSync(tmp!, 12345, 12345);
      await expect(
        sandbox.run({ command: 'true', cwd: wt!, timeoutMs: 10_000, network: false, outputLimitBytes: 1024 }),
      ).rejects.toThrow(/belongs to uid 12345, not to the app or its sandbox user/);
    },
  );

  it('a sandbox refuses a read-only path inside its own worktree, temp dir or cache before running anything', async () => {
    const root = tempDir('pw-layout-');
    const [wt, tmp, cache] = ['wt', 'tmp', 'cache'].map((d) => path.join(root, d));
    for (const d of [wt!, tmp!, cache!]) fs.mkdirSync(path.join(d, 'inner'), { recursive: true });
    for (const bad of [wt!, tmp!, cache!].map((d) => path.join(d, 'inner'))) {
      const sandbox = new BwrapSandbox({
        layout: { worktree: wt!, runTmp: tmp!, cacheDir: cache!, readOnly: [bad] },
        hostUid: 61166,
      });
      await expect(
        sandbox.run({ command: 'true', cwd: wt!, timeoutMs: 10_000, network: false, outputLimitBytes: 1024 }),
      ).rejects.toThrow(/which a sandbox can write: it cannot be a mount source/);
    }
  });
});
