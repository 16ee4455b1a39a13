import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { HARDENED_CONFIG } from './run-git.ts';

const run = promisify(execFile);

/**
 * Git on a person's own checkout, without touching it: a private index file (their staging area
 * stays as it is), the app's hardened config, no user or system config. Objects written here are
 * loose objects git collects like any other.
 */
async function gitWithIndex(dir: string, index: string, args: string[]): Promise<string> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? os.tmpdir(),
    LANG: 'C.UTF-8',
    GIT_INDEX_FILE: index,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
    GIT_NO_REPLACE_OBJECTS: '1',
  };
  const { stdout } = await run('git', [...HARDENED_CONFIG.flatMap((c) => ['-c', c]), ...args], { cwd: dir, env, maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

/** The top of the checkout `dir` is in, or null when it is in none. */
export async function checkoutTop(dir: string): Promise<string | null> {
  const index = path.join(os.tmpdir(), 'unused-index');
  return gitWithIndex(dir, index, ['rev-parse', '--show-toplevel']).then((s) => s.trim() || null, () => null);
}

/**
 * The working tree of `top` as it is now (tracked and unignored new files), as a tree object id.
 * Two snapshots diffed give exactly what changed between them, whatever was uncommitted before.
 */
export async function snapshotTree(top: string): Promise<string> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'patchwright-index-'));
  const index = path.join(tmp, 'index');
  try {
    const head = await gitWithIndex(top, index, ['rev-parse', '--verify', '--quiet', 'HEAD']).then((s) => s.trim(), () => '');
    if (head) await gitWithIndex(top, index, ['read-tree', head]);
    await gitWithIndex(top, index, ['add', '--all', '--ignore-errors', '--', '.']).catch(() => '');
    return (await gitWithIndex(top, index, ['write-tree'])).trim();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The unified diff from one snapshot to another, paths relative to the checkout's top. */
export async function diffTrees(top: string, from: string, to: string): Promise<string> {
  if (from === to) return '';
  const index = path.join(os.tmpdir(), 'unused-index');
  return gitWithIndex(top, index, ['diff', '--no-color', '--no-ext-diff', '--no-textconv', '--ignore-submodules=all', from, to]);
}
