import fs from 'node:fs';
import path from 'node:path';
import { git, safely } from './run-git.ts';

const FETCH_SPEC = '+refs/heads/*:refs/remotes/origin/*';

/** Where a repo's bare mirror lives: `<dataDir>/mirrors/<host>/<owner>/<repo>.git`. */
export function mirrorPath(dataDir: string, cloneUrl: string): string {
  const url = new URL(cloneUrl);
  const parts = url.pathname
    .replace(/^\/+/, '')
    .replace(/\.git$/, '')
    .split('/')
    .filter(Boolean);
  if (parts.length < 1 || parts.some((p) => p === '..' || p === '.'))
    throw new Error(`not a repository URL: ${url.origin}${url.pathname}`);
  const host = url.host.replace(/[^A-Za-z0-9.-]/g, '_') || 'local';
  return path.join(dataDir, 'mirrors', host, ...parts.slice(0, -1), `${parts.at(-1)}.git`);
}

/**
 * Creates the mirror on first use, fetches only what changed on later uses. Branches land in
 * `refs/remotes/origin/*`, so worktree branches in `refs/heads` are never overwritten by a fetch.
 */
export async function ensureMirror(
  dataDir: string,
  cloneUrl: string,
  token?: string,
  extraRefs: string[] = [],
): Promise<{ dir: string; cold: boolean }> {
  const dir = mirrorPath(dataDir, cloneUrl);
  const cold = !fs.existsSync(path.join(dir, 'HEAD'));
  if (cold) {
    fs.mkdirSync(dir, { recursive: true });
    await safely('creating the mirror', token, async () => {
      await git(dir).init(true);
      await git(dir).addRemote('origin', cloneUrl);
    });
  }
  await safely('fetching the repository', token, () =>
    git(dir, { cloneUrl, token }).raw([
      'fetch',
      '--prune',
      '--no-tags',
      '--verbose',
      'origin',
      FETCH_SPEC,
      ...extraRefs,
    ]),
  );
  touch(dir);
  return { dir, cold };
}

function touch(dir: string): void {
  const now = new Date();
  fs.writeFileSync(path.join(dir, 'patchwright-last-used'), now.toISOString());
}

/** Evicts least recently used mirrors until the total is under budget, sparing those in use. */
export function evictMirrors(dataDir: string, budgetBytes: number, inUse: Set<string>): string[] {
  const root = path.join(dataDir, 'mirrors');
  const mirrors = findMirrors(root).map((dir) => ({ dir, size: duBytes(dir), used: lastUsed(dir) }));
  let total = mirrors.reduce((s, m) => s + m.size, 0);
  const evicted: string[] = [];
  for (const m of mirrors.sort((a, b) => a.used - b.used)) {
    if (total <= budgetBytes) break;
    if (inUse.has(m.dir)) continue;
    fs.rmSync(m.dir, { recursive: true, force: true });
    total -= m.size;
    evicted.push(m.dir);
  }
  return evicted;
}

function findMirrors(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const full = path.join(dir, entry.name);
    if (entry.name.endsWith('.git') && fs.existsSync(path.join(full, 'HEAD'))) out.push(full);
    else out.push(...findMirrors(full));
  }
  return out;
}

function lastUsed(dir: string): number {
  try {
    return fs.statSync(path.join(dir, 'patchwright-last-used')).mtimeMs;
  } catch {
    return 0;
  }
}

function duBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}
