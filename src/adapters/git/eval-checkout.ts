import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { git, gitText } from './run-git.ts';

export class CheckoutError extends Error {
  readonly code: 'patch_failed' | 'checkout_failed';
  constructor(code: 'patch_failed' | 'checkout_failed', message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * A bare repository holding `source`'s history up to `sha` and nothing after it: a task's
 * checkout is made from it, so nothing a sandboxed command can read (the git dir included)
 * holds the fix or any later commit. Made once per commit, then reused.
 */
export async function historyUpTo(source: string, sha: string, into: string): Promise<string> {
  const ref = 'refs/heads/eval-base';
  if (fs.existsSync(path.join(into, 'HEAD'))) {
    const has = await git(into)
      .raw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])
      .then(
        (s) => s.trim(),
        () => '',
      );
    if (has === sha) return into;
    fs.rmSync(into, { recursive: true, force: true });
  }
  const part = `${into}.part-${process.pid}`;
  fs.rmSync(part, { recursive: true, force: true });
  fs.mkdirSync(part, { recursive: true });
  try {
    await git(part).raw(['init', '-q', '--bare']);
    // Only what `sha` reaches travels: the source's later commits, branches, tags and reflog stay behind.
    await git(part).raw(['fetch', '-q', '--no-tags', '--no-write-fetch-head', path.resolve(source), `${sha}:${ref}`]);
    await git(part).raw(['symbolic-ref', 'HEAD', ref]);
  } catch (error) {
    fs.rmSync(part, { recursive: true, force: true });
    throw new CheckoutError(
      'checkout_failed',
      `could not copy the history up to ${sha.slice(0, 12)}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  fs.rmSync(into, { recursive: true, force: true });
  fs.renameSync(part, into);
  return into;
}

export interface TaskCheckout {
  dir: string;
  /** The bare repository of the history up to `startSha` (the sandbox may read it). */
  commonDir: string;
  startSha: string;
  gitLink: string;
}

/** A fresh worktree at `sha` of a history made by `historyUpTo`. */
export async function checkoutAt(history: string, sha: string, dir: string): Promise<TaskCheckout> {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  await git(history)
    .raw(['worktree', 'add', '-q', '--detach', dir, sha])
    .catch((error: unknown) => {
      throw new CheckoutError(
        'checkout_failed',
        `could not check out ${sha.slice(0, 12)}: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  return { dir, commonDir: history, startSha: sha, gitLink: fs.readFileSync(path.join(dir, '.git'), 'utf8') };
}

export async function removeCheckout(history: string, dir: string): Promise<void> {
  await git(history)
    .raw(['worktree', 'remove', '--force', dir])
    .catch(() => fs.rmSync(dir, { recursive: true, force: true }));
  await git(history)
    .raw(['worktree', 'prune'])
    .catch(() => {});
}

/**
 * Applies a patch to a checkout no sandboxed command has written yet (the harness's own, fresh
 * one): from a host-only file, with git's own refusal to write through links.
 */
export async function applyPatch(dir: string, patch: string, what: string): Promise<void> {
  if (!patch.trim()) return;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'patchwright-patch-'));
  try {
    const file = path.join(tmp, 'change.patch');
    fs.writeFileSync(file, patch, { mode: 0o600 });
    await git(dir).raw(['apply', '--binary', '--whitespace=nowarn', file]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CheckoutError(
      'patch_failed',
      `${what} does not apply: ${message.split('\n').filter(Boolean).slice(0, 6).join('; ')}`,
    );
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Folders setup fills with dependencies and caches: new files there are never part of a change, ignored or not. */
const INSTALLED =
  /(^|\/)(node_modules|\.venv|venv|__pycache__|\.tox|\.nox|\.pytest_cache|\.mypy_cache|\.ruff_cache|\.gradle)\//;

/**
 * Everything a run changed in its checkout, as a binary patch against where it started: edits
 * to tracked files, and new files that are neither ignored nor inside a dependency folder setup
 * made (a virtual environment not in .gitignore would otherwise be half the patch).
 */
export async function changeOf(dir: string, startSha: string): Promise<string> {
  const g = git(dir);
  const fresh = (await g.raw(['ls-files', '-z', '--others', '--exclude-standard']))
    .split('\0')
    .filter((p) => p && !INSTALLED.test(p));
  if (fresh.length) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'patchwright-paths-'));
    try {
      const list = path.join(tmp, 'paths');
      fs.writeFileSync(list, fresh.join('\0'));
      await g.raw(['add', '--intent-to-add', '--pathspec-from-file', list, '--pathspec-file-nul']);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  return gitText(dir, [
    'diff',
    '--binary',
    '--full-index',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    '--no-renames',
    '--ignore-submodules=all',
    startSha,
  ]);
}
