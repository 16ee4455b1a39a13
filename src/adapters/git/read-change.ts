import fs from 'node:fs';
import path from 'node:path';
import type { ChangedFile, FileVersion } from '../../core/ports.ts';
import { hostGit, withScratch } from './tree-snapshot.ts';

/** A blob larger than this is not read: the scan refuses it (a checkout's file-size limit keeps real ones smaller). */
export const MAX_BLOB_BYTES = 64 * 1024 * 1024;

/**
 * Every path that differs between two trees (or commits), with the whole old and new contents
 * read from the objects: git's plumbing (`diff-tree --raw`, `cat-file --batch`) never consults
 * attributes, textconv or external diffs, so `-diff`, `binary` and filters hide nothing, and a
 * line of a file cannot pass for a line of the diff. Renames are a delete and an add.
 */
export async function readChange(gitDir: string, from: string, to: string): Promise<ChangedFile[]> {
  if (from === to) return [];
  return withScratch(async (cwd) => {
    const raw = (
      await hostGit(
        ['diff-tree', '-r', '-z', '--raw', '--no-renames', '--no-abbrev', '--ignore-submodules=none', from, to],
        { cwd, gitDir },
      )
    ).toString('utf8');
    const parts = raw.split('\0');
    const entries: Array<{
      path: string;
      before: { mode: string; oid: string } | null;
      after: { mode: string; oid: string } | null;
    }> = [];
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const m = /^:(\d{6}) (\d{6}) ([0-9a-f]+) ([0-9a-f]+) [A-Z]\d*$/.exec(parts[i]!);
      if (!m) continue;
      const side = (mode: string, oid: string) => (/^0+$/.test(mode) ? null : { mode, oid });
      entries.push({ path: parts[i + 1]!, before: side(m[1]!, m[3]!), after: side(m[2]!, m[4]!) });
    }
    const wanted = entries
      .flatMap((e) => [e.before, e.after])
      .filter((s): s is { mode: string; oid: string } => !!s && s.mode !== '160000')
      .map((s) => s.oid);
    const blobs = await readBlobs(gitDir, cwd, [...new Set(wanted)]);
    const version = (s: { mode: string; oid: string } | null): FileVersion | null => {
      if (!s) return null;
      if (s.mode === '160000') return { mode: s.mode, bytes: Buffer.from(s.oid) };
      const b = blobs.get(s.oid);
      return b === undefined ? { mode: s.mode, bytes: Buffer.alloc(0), truncated: true } : { mode: s.mode, bytes: b };
    };
    return entries.map((e) => ({ path: e.path, before: version(e.before), after: version(e.after) }));
  });
}

/** Blob contents by id; ids over MAX_BLOB_BYTES are left out (the caller marks them truncated). */
async function readBlobs(gitDir: string, cwd: string, ids: string[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  if (!ids.length) return out;
  const sizes = (
    await hostGit(['cat-file', '--batch-check=%(objectname) %(objectsize)'], {
      cwd,
      gitDir,
      input: `${ids.join('\n')}\n`,
    })
  ).toString('utf8');
  const small = sizes
    .split('\n')
    .map((l) => l.split(' '))
    .filter(([id, size]) => id && size && /^\d+$/.test(size) && Number(size) <= MAX_BLOB_BYTES)
    .map(([id]) => id!);
  if (!small.length) return out;
  const data = await hostGit(['cat-file', '--batch'], { cwd, gitDir, input: `${small.join('\n')}\n` });
  let at = 0;
  while (at < data.length) {
    const nl = data.indexOf(0x0a, at);
    if (nl < 0) break;
    const [id, , size] = data.subarray(at, nl).toString('utf8').split(' ');
    if (!size || !/^\d+$/.test(size)) {
      at = nl + 1;
      continue;
    }
    const start = nl + 1;
    out.set(id!, Buffer.from(data.subarray(start, start + Number(size))));
    at = start + Number(size) + 1;
  }
  return out;
}

/**
 * Of `paths`, those the `.gitignore` files of tree `start` ignore and those of tree `to` do not:
 * what a change let into the tree (or would) by editing ignore rules. Each tree's rules are
 * written to a private folder and asked with `check-ignore --no-index`.
 */
export async function unignoredPaths(gitDir: string, start: string, to: string, paths: string[]): Promise<string[]> {
  if (!paths.length || start === to) return [];
  const [before, after] = await Promise.all([ignoredBy(gitDir, start, paths), ignoredBy(gitDir, to, paths)]);
  return paths.filter((p) => before.has(p) && !after.has(p));
}

async function ignoredBy(gitDir: string, tree: string, paths: string[]): Promise<Set<string>> {
  return withScratch(async (scratch) => {
    const listed = (await hostGit(['ls-tree', '-r', '-z', tree], { cwd: scratch, gitDir }))
      .toString('utf8')
      .split('\0')
      .filter(Boolean);
    const rules = listed
      .map((e) => ({ meta: e.slice(0, e.indexOf('\t')).split(' '), path: e.slice(e.indexOf('\t') + 1) }))
      .filter((e) => path.posix.basename(e.path) === '.gitignore' && /^1006[0-7]{2}$/.test(e.meta[0]!));
    const repo = path.join(scratch, 'rules');
    fs.mkdirSync(repo);
    await hostGit(['init', '-q', repo], { cwd: scratch });
    const blobs = await readBlobs(
      gitDir,
      scratch,
      rules.map((r) => r.meta[2]!),
    );
    for (const r of rules) {
      const target = path.resolve(repo, r.path);
      if (!target.startsWith(repo + path.sep) || r.path.split('/').includes('.git')) continue;
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, blobs.get(r.meta[2]!) ?? '');
    }
    const hit = await hostGit(['check-ignore', '--no-index', '-z', '--stdin'], {
      cwd: repo,
      input: `${paths.join('\0')}\0`,
      okCodes: [1],
    });
    return new Set(hit.toString('utf8').split('\0').filter(Boolean));
  });
}

/** Files of `tree` whose paths `pick` accepts (at most `limit`, blobs only), as text. */
export async function readTreeFiles(
  gitDir: string,
  tree: string,
  pick: (path: string) => boolean,
  limit: number,
): Promise<Array<{ path: string; text: string }>> {
  return withScratch(async (cwd) => {
    const listed = (await hostGit(['ls-tree', '-r', '-z', tree], { cwd, gitDir }))
      .toString('utf8')
      .split('\0')
      .filter(Boolean);
    const picked = listed
      .map((e) => ({ meta: e.slice(0, e.indexOf('\t')).split(' '), path: e.slice(e.indexOf('\t') + 1) }))
      .filter((e) => e.meta[1] === 'blob' && pick(e.path))
      .slice(0, limit);
    const blobs = await readBlobs(
      gitDir,
      cwd,
      picked.map((e) => e.meta[2]!),
    );
    return picked.map((e) => ({ path: e.path, text: (blobs.get(e.meta[2]!) ?? Buffer.alloc(0)).toString('utf8') }));
  });
}
