import fs from 'node:fs';
import path from 'node:path';
import { git } from './run-git.ts';

/**
 * Before the app's own git reads a worktree that sandboxed commands have written: a `.git` in
 * any subfolder (a repository the model made, or a file pointing git elsewhere) is removed, so
 * no git config but the mirror's is ever read, and the root's `.git` link must still point where
 * it did when the worktree was made. Returns what was removed, in words, for the PR and the log.
 */
export async function guardWorktree(dir: string, expectedLink?: string): Promise<string[]> {
  const root = path.resolve(dir);
  checkRootLink(root, expectedLink);
  const notes: string[] = [];
  for (const rel of await nestedGitEntries(root)) {
    fs.rmSync(path.join(root, rel), { recursive: true, force: true });
    notes.push(
      `removed ${rel}: a git repository nested in the checkout (its config could make git run commands, here or on a reviewer's machine)`,
    );
  }
  return notes;
}

/**
 * What the run may not change, undone in the worktree before anything is diffed or committed:
 * protected paths (changed through the shell, where apply_patch's check does not reach) are
 * restored, and links that point out of the checkout are removed.
 */
export async function undoForbiddenChanges(dir: string, startSha: string, protectedPaths: string[]): Promise<string[]> {
  const root = path.resolve(dir);
  const g = git(root);
  // Changed, deleted and new (unignored) paths against the index, which still holds startSha's tree.
  const changed = new Set(
    (await g.raw(['ls-files', '-z', '--modified', '--deleted', '--others', '--exclude-standard']))
      .split('\0')
      .filter(Boolean),
  );
  const staged = (await g.raw(['diff', '--name-only', '-z', '--no-renames', '--ignore-submodules=all', startSha]))
    .split('\0')
    .filter(Boolean);
  for (const p of staged) changed.add(p);
  const notes: string[] = [];
  for (const rel of changed) {
    const glob = protectedPaths.find((p) => path.matchesGlob(rel, p));
    if (glob) {
      const tracked = await g.raw(['cat-file', '-e', `${startSha}:${rel}`]).then(
        () => true,
        () => false,
      );
      if (tracked) await g.raw(['checkout', startSha, '--', rel]);
      else if (throughFolders(root, path.posix.dirname(rel))) fs.rmSync(path.join(root, rel), { force: true });
      notes.push(`undid the change to ${rel}: it is protected (${glob})`);
      continue;
    }
    const full = path.join(root, rel);
    if (!throughFolders(root, path.posix.dirname(rel))) continue;
    const st = fs.lstatSync(full, { throwIfNoEntry: false });
    if (st?.isSymbolicLink() && !linkStaysInside(root, full)) {
      const target = fs.readlinkSync(full);
      fs.rmSync(full, { force: true });
      notes.push(`removed ${rel}: a link to ${target}, outside the repository`);
    }
  }
  return notes;
}

/** Whether every folder from the root down to `rel` is a real folder, not a link (so a path built on it stays inside). */
function throughFolders(root: string, rel: string): boolean {
  let at = root;
  for (const part of rel.split('/').filter((p) => p && p !== '.')) {
    at = path.join(at, part);
    const st = fs.lstatSync(at, { throwIfNoEntry: false });
    if (!st || !st.isDirectory()) return false;
  }
  return true;
}

function linkStaysInside(root: string, link: string): boolean {
  const target = fs.readlinkSync(link);
  const resolved = path.resolve(path.dirname(link), target);
  return !path.isAbsolute(target) && (resolved === root || resolved.startsWith(root + path.sep));
}

export class WorktreeTamperedError extends Error {
  readonly code = 'worktree_tampered';
}

/** The worktree's `.git` must be the same regular file it was; anything else stops the run. */
function checkRootLink(root: string, expected: string | undefined): void {
  const link = path.join(root, '.git');
  const st = fs.lstatSync(link, { throwIfNoEntry: false });
  if (!st || (!st.isFile() && !st.isDirectory()))
    throw new WorktreeTamperedError(`${link} is no longer a regular file or folder`);
  if (expected !== undefined && (!st.isFile() || fs.readFileSync(link, 'utf8') !== expected)) {
    throw new WorktreeTamperedError(`${link} was changed during the run`);
  }
}

/** `.git` entries below the root: in untracked folders (as git lists them) and in tracked ones. */
export async function nestedGitEntries(root: string): Promise<string[]> {
  const g = git(root);
  // Untracked, unignored paths; a nested repository shows up as its folder ("x/").
  const others = (await g.raw(['ls-files', '-z', '--others', '--exclude-standard'])).split('\0').filter(Boolean);
  const tracked = (await g.raw(['ls-files', '-z', '--cached'])).split('\0').filter(Boolean);
  const dirs = new Set<string>();
  for (const p of [...others, ...tracked]) {
    // A tracked gitlink or an untracked nested repository is a folder itself.
    let d =
      p.endsWith('/') || fs.lstatSync(path.join(root, p), { throwIfNoEntry: false })?.isDirectory()
        ? p.replace(/\/$/, '')
        : path.posix.dirname(p);
    while (d && d !== '.' && !dirs.has(d)) {
      dirs.add(d);
      d = path.posix.dirname(d);
    }
  }
  const trackedDirs = new Set(tracked.map((p) => path.posix.dirname(p)));
  const found: string[] = [];
  // `.GIT`, `.git.`, `GIT~1` anywhere (the root included): git refuses to add them, and to a
  // reviewer's git on Windows or macOS they are a repository.
  for (const p of others) {
    const parts = p.replace(/\/$/, '').split('/');
    const i = parts.findIndex(isGitAlias);
    if (i >= 0) found.push(parts.slice(0, i + 1).join('/'));
  }
  for (const d of dirs) {
    // A folder the model swapped for a link leads out of the checkout: nothing is looked at there.
    if (!throughFolders(root, d)) continue;
    // Only one this run made: a repository may track a bare repository as a test fixture.
    if (!trackedDirs.has(d) && isBareRepository(path.join(root, d))) {
      found.push(d);
      continue;
    }
    for (const name of ['.git', ...caseVariants(root, d)]) {
      const rel = `${d}/${name}`;
      if (fs.lstatSync(path.join(root, rel), { throwIfNoEntry: false }) && !isSubmoduleLink(root, rel)) found.push(rel);
    }
  }
  return [...new Set(found)];
}

/**
 * A folder that is a bare repository (HEAD, config, objects, refs): git finds it when someone
 * runs git inside it, and its config runs programs on their machine.
 */
function isBareRepository(dir: string): boolean {
  const is = (name: string, kind: 'file' | 'dir') => {
    const st = fs.lstatSync(path.join(dir, name), { throwIfNoEntry: false });
    return !!st && (kind === 'file' ? st.isFile() : st.isDirectory());
  };
  return is('HEAD', 'file') && is('config', 'file') && is('objects', 'dir') && is('refs', 'dir');
}

/** `.GIT`, `.Git`...: harmless to git on Linux, a repository to a reviewer's git on macOS or Windows. */
function caseVariants(root: string, dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(path.join(root, dir));
  } catch {
    return [];
  }
  return names.filter(isGitAlias);
}

/** A name that means `.git` to some file system: other case, trailing dots or spaces, an 8.3 short name, an NTFS stream, HFS-ignored characters. */
export function isGitAlias(name: string): boolean {
  const plain = name.toLowerCase().replace(/[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g, '');
  if (name === '.git') return false;
  return /^\.git[ .]*$/.test(plain) || /^git~\d+$/.test(plain) || /^\.git:/.test(plain);
}

/** A submodule's `.git` is a file pointing into the superproject's own git dir (which the sandbox cannot write). */
function isSubmoduleLink(root: string, rel: string): boolean {
  const full = path.join(root, rel);
  const st = fs.lstatSync(full);
  if (!st.isFile()) return false;
  const m = /^gitdir: (.+)\s*$/.exec(fs.readFileSync(full, 'utf8'));
  if (!m) return false;
  const target = path.resolve(path.dirname(full), m[1]!.trim());
  const rootLink = fs.statSync(path.join(root, '.git')).isFile()
    ? fs.readFileSync(path.join(root, '.git'), 'utf8')
    : '';
  const rootGitDir = /^gitdir: (.+)\s*$/.exec(rootLink)?.[1]?.trim();
  const own = rootGitDir ? path.resolve(root, rootGitDir) : path.join(root, '.git');
  return target.startsWith(path.join(own, 'modules') + path.sep);
}

/** The engine's `guard` for one worktree: nested repositories, then protected paths and links out. */
export function worktreeGuard(
  ws: { dir: string; startSha: string; gitLink?: string | undefined },
  protectedPaths: string[],
): () => Promise<string[]> {
  return async () => [
    ...(await guardWorktree(ws.dir, ws.gitLink)),
    ...(await undoForbiddenChanges(ws.dir, ws.startSha, protectedPaths)),
  ];
}

/**
 * The guard for a person's own checkout (an app-server thread works in place): only what appeared
 * since `since` was taken is removed; repositories they keep inside their checkout stay.
 */
export async function newNestedRepositories(dir: string): Promise<() => Promise<string[]>> {
  const root = path.resolve(dir);
  const before = new Set(await nestedGitEntries(root));
  return async () => {
    const notes: string[] = [];
    for (const rel of await nestedGitEntries(root)) {
      if (before.has(rel)) continue;
      fs.rmSync(path.join(root, rel), { recursive: true, force: true });
      notes.push(
        `removed ${rel}: a git repository made in the checkout during the turn (its config could make git run commands)`,
      );
    }
    return notes;
  };
}
