import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { HARDENED_CONFIG } from './run-git.ts';

const run = promisify(execFile);

export interface HostGitOptions {
  /** Where git runs (a checkout, or an empty private folder for object-only commands). */
  cwd: string;
  /** Object-only commands: this git dir, taken as bare, so no checkout's `.gitattributes` is read. */
  gitDir?: string;
  /** A private index file: a person's staging area (or the worktree's) is never touched. */
  index?: string;
  input?: string | Buffer;
  /** Exit codes that are answers, not failures (check-ignore says 1 for "none ignored"). */
  okCodes?: number[];
}

/**
 * The app's own git for reading and freezing a checkout: the hardened config, no user or system
 * config, no replace refs, optionally a private index or a bare view of a git dir.
 */
export async function hostGit(args: string[], o: HostGitOptions): Promise<Buffer> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? os.tmpdir(),
    LANG: 'C.UTF-8',
    GIT_INDEX_FILE: o.index ?? path.join(os.tmpdir(), 'patchwright-unused-index'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ATTR_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
    GIT_NO_REPLACE_OBJECTS: '1',
    ...(o.gitDir ? { GIT_DIR: o.gitDir } : {}),
  };
  const config = [
    ...HARDENED_CONFIG,
    'core.quotePath=false',
    'core.attributesFile=/dev/null',
    ...(o.gitDir ? ['core.bare=true'] : []),
  ];
  const argv = [...config.flatMap((c) => ['-c', c]), ...args];
  if (o.input === undefined && !o.okCodes)
    return (await run('git', argv, { cwd: o.cwd, env, maxBuffer: 1024 * 1024 * 1024, encoding: 'buffer' })).stdout;
  return new Promise((resolve, reject) => {
    const child = spawn('git', argv, { cwd: o.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 || (code !== null && o.okCodes?.includes(code))) resolve(Buffer.concat(out));
      else reject(new Error(`git ${args[0]} failed (exit ${code}): ${Buffer.concat(err).toString().slice(0, 500)}`));
    });
    child.stdin.on('error', () => {});
    child.stdin.end(o.input ?? '');
  });
}

const text = async (args: string[], o: HostGitOptions) => (await hostGit(args, o)).toString('utf8');

/** An empty private folder for object-only git commands (their cwd must hold no checkout). */
export function withScratch<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchwright-git-'));
  return fn(dir).finally(() => fs.rmSync(dir, { recursive: true, force: true }));
}

/** The top of the checkout `dir` is in, or null when it is in none. */
export async function checkoutTop(dir: string): Promise<string | null> {
  return text(['rev-parse', '--show-toplevel'], { cwd: dir }).then(
    (s) => s.trim() || null,
    () => null,
  );
}

/** The git dir whose objects a checkout's commits and snapshots are written to. */
export async function commonGitDir(top: string): Promise<string> {
  return path.resolve(top, (await text(['rev-parse', '--git-common-dir'], { cwd: top })).trim());
}

/**
 * The working tree of `top` as it is now (tracked and unignored new files), as a tree object id,
 * built on `base` (default HEAD), with a private index. Two snapshots diffed give exactly what
 * changed between them. The checkout's own index, where there is one, seeds the private one so
 * unchanged files are not hashed again (sizes and times only: a chown by the sandbox's hand-over
 * changes every ctime).
 */
export async function snapshotTree(top: string, base?: string): Promise<string> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'patchwright-index-'));
  const o = { cwd: top, index: path.join(tmp, 'index') };
  const quick = ['-c', 'core.trustctime=false', '-c', 'core.checkStat=minimal'];
  try {
    const head =
      base ??
      (await text(['rev-parse', '--verify', '--quiet', 'HEAD'], o).then(
        (s) => s.trim(),
        () => '',
      ));
    const own = (await text(['rev-parse', '--git-path', 'index'], o).catch(() => '')).trim();
    const ownIndex = own ? path.resolve(top, own) : '';
    if (ownIndex && fs.lstatSync(ownIndex, { throwIfNoEntry: false })?.isFile()) fs.copyFileSync(ownIndex, o.index);
    // A one-tree merge keeps the stat data of entries that match `head`, and drops the rest.
    if (head)
      await hostGit([...quick, 'read-tree', ...(fs.existsSync(o.index) ? ['-m'] : []), head], o).catch(() =>
        hostGit(['read-tree', head], o),
      );
    await hostGit([...quick, 'add', '--all', '--ignore-errors', '--', '.'], o).catch(() => Buffer.alloc(0));
    return (await text(['write-tree'], o)).trim();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The tree of a commit (or a tree's own id). */
export async function treeOf(gitDir: string, rev: string): Promise<string> {
  return withScratch(async (cwd) => (await text(['rev-parse', '--verify', `${rev}^{tree}`], { cwd, gitDir })).trim());
}

/**
 * The unified diff from one tree to another, for people and the model: as text whatever the
 * bytes or attributes say (`-diff`, `binary`), no textconv or external diff, no renames, read
 * from the bare git dir so no checkout's `.gitattributes` is consulted.
 */
export async function diffTrees(gitDir: string, from: string, to: string): Promise<string> {
  if (from === to) return '';
  return withScratch(async (cwd) =>
    text(
      [
        'diff',
        '--text',
        '--no-textconv',
        '--no-ext-diff',
        '--no-renames',
        '--no-color',
        '--src-prefix=a/',
        '--dst-prefix=b/',
        '--ignore-submodules=all',
        from,
        to,
      ],
      { cwd, gitDir },
    ),
  );
}

/** A tree like `into` in which each of `paths` is as in `from` (removed where `from` has none). */
export async function mixTrees(gitDir: string, into: string, from: string, paths: string[]): Promise<string> {
  return withScratch(async (cwd) => {
    const o = { cwd, gitDir, index: path.join(cwd, 'index') };
    await hostGit(['read-tree', into], o);
    const entries = new Map<string, string>();
    const listed = (await hostGit(['ls-tree', '-r', '-z', from, '--', ...paths], o))
      .toString('utf8')
      .split('\0')
      .filter(Boolean);
    for (const e of listed) {
      const tab = e.indexOf('\t');
      const [mode, , oid] = e.slice(0, tab).split(' ');
      entries.set(e.slice(tab + 1), `${mode} ${oid}`);
    }
    const zero = '0'.repeat(/^[0-9a-f]{64}$/.test(into) ? 64 : 40);
    const info = paths.map((p) => `${entries.get(p) ?? `0 ${zero}`}\t${p}`).join('\0');
    await hostGit(['update-index', '-z', '--index-info'], { ...o, input: `${info}\0` });
    return (await text(['write-tree'], o)).trim();
  });
}
