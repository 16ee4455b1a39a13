import { faultPoint } from '../env/fault-point.ts';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensureMirror, evictMirrors, mirrorPath as mirrorDir } from './mirror-cache.ts';
import { git, safely } from './run-git.ts';
import { initSubmodules } from './submodules.ts';

export interface WorkspaceRequest {
  cloneUrl: string;
  token?: string | undefined;
  /** The base branch a fresh attempt starts from. */
  base: string;
  /** The branch the run commits to. */
  branch: string;
  /** `base`: a fresh attempt; `branch`: continue the existing remote branch (follow-ups). */
  startFrom: 'base' | 'branch';
  runId: string;
}

export interface PreparedWorkspace {
  dir: string;
  mirror: string;
  branch: string;
  /** The base branch's commit the run is measured against. */
  baseSha: string;
  /** Where the worktree started (base, or the PR branch's head). */
  startSha: string;
  /** The remote branch's commit when the run started, for --force-with-lease; null if new. */
  remoteBranchSha: string | null;
  coldMirror: boolean;
  notes: string[];
  /** The worktree's `.git` file as git wrote it, before any sandboxed command ran. */
  gitLink?: string;
}

/** Cached mirrors and one fresh worktree per run, under `<dataDir>`. */
export class Workspaces {
  readonly #dataDir: string;
  readonly #budgetBytes: number;
  readonly #active = new Set<string>();
  readonly #claimed = new Set<string>();
  readonly #minFreeMb: number;

  /** `minFreeMb`: below this much free space in the data dir, no clone or worktree is started. */
  constructor(dataDir: string, budgetBytes = Number.POSITIVE_INFINITY, minFreeMb = 0) {
    this.#dataDir = path.resolve(dataDir);
    this.#budgetBytes = budgetBytes;
    this.#minFreeMb = minFreeMb;
  }

  get worktreeRoot(): string {
    return path.join(this.#dataDir, 'worktrees');
  }

  /** At start-up: worktrees left by a crash are deleted and forgotten by their mirrors. */
  async cleanupLeftovers(): Promise<number> {
    const root = this.worktreeRoot;
    const left = fs.existsSync(root) ? fs.readdirSync(root) : [];
    for (const name of left) fs.rmSync(path.join(root, name), { recursive: true, force: true });
    const mirrors = path.join(this.#dataDir, 'mirrors');
    if (fs.existsSync(mirrors)) {
      for (const entry of fs.readdirSync(mirrors, { recursive: true, withFileTypes: true })) {
        // A process killed in the middle of a git command leaves its lock files; nothing else runs yet.
        if (entry.isFile() && entry.name.endsWith('.lock'))
          fs.rmSync(path.join(entry.parentPath, entry.name), { force: true });
      }
      for (const entry of fs.readdirSync(mirrors, { recursive: true, withFileTypes: true })) {
        if (entry.isDirectory() && entry.name.endsWith('.git'))
          await git(path.join(entry.parentPath, entry.name))
            .raw(['worktree', 'prune'])
            .catch(() => {});
      }
    }
    return left.length;
  }

  /**
   * A fresh worktree for one run. A mirror that git finds corrupt (a crash mid-write, a full disk,
   * someone's hands) is thrown away and fetched again, once.
   */
  async prepare(req: WorkspaceRequest): Promise<PreparedWorkspace> {
    if (!/^[A-Za-z0-9._-]+$/.test(req.runId)) throw new Error(`bad run id ${req.runId}`);
    const freeMb = freeSpaceMb(this.#dataDir);
    if (freeMb < this.#minFreeMb) {
      throw new DiskFullError(
        `the data dir ${this.#dataDir} has ${Math.round(freeMb)} MB free, below PATCHWRIGHT_MIN_FREE_DISK_MB (${this.#minFreeMb}), so no checkout was made; free some space (old mirrors can go: they are fetched again) and retry`,
      );
    }
    try {
      return await this.#prepare(req);
    } catch (error) {
      if (!CORRUPT.test((error as Error).message)) throw error;
      const mirror = mirrorDir(this.#dataDir, req.cloneUrl);
      this.#active.delete(mirror);
      fs.rmSync(mirror, { recursive: true, force: true });
      // Parked worktrees of that mirror point into it: they go too.
      for (const name of fs.existsSync(this.#idleRoot) ? fs.readdirSync(this.#idleRoot) : []) {
        if (name.startsWith(`${hash(mirror)}-`))
          fs.rmSync(path.join(this.#idleRoot, name), { recursive: true, force: true });
      }
      const ws = await this.#prepare(req);
      ws.notes.push('the cached copy of the repository was corrupt and was fetched again');
      return ws;
    }
  }

  async #prepare(req: WorkspaceRequest): Promise<PreparedWorkspace> {
    const { dir: mirror, cold } = await ensureMirror(this.#dataDir, req.cloneUrl, req.token);
    await faultPoint('clone');
    this.#active.add(mirror);
    const m = git(mirror);
    const baseSha = await safely(`finding base branch ${req.base}`, req.token, () =>
      m.revparse([`refs/remotes/origin/${req.base}^{commit}`]),
    );
    const remoteBranchSha = await m.revparse([`refs/remotes/origin/${req.branch}^{commit}`]).catch(() => null);
    if (req.startFrom === 'branch' && !remoteBranchSha)
      throw new Error(`branch ${req.branch} does not exist on the remote`);
    const startSha = req.startFrom === 'branch' && remoteBranchSha ? remoteBranchSha : baseSha;
    fs.mkdirSync(this.#idleRoot, { recursive: true });
    const idle = this.#idleFor(mirror);
    const dir = idle ?? path.join(this.#idleRoot, `${hash(mirror)}-${req.runId}`);
    if (!idle) this.#claimed.add(path.basename(dir));
    // simple-git waits 50 ms after any command that prints nothing, so the hot path avoids -q.
    if (idle) {
      // A parked, cleaned worktree of this repo, used where it stands: switching commits
      // touches only the files that differ, instead of writing the whole tree again.
      await safely('reusing a worktree', req.token, () => git(dir).raw(['checkout', '-f', '-B', req.branch, startSha]));
    } else {
      await safely('creating the worktree', req.token, () =>
        m.raw(['worktree', 'add', '--force', '-B', req.branch, dir, startSha]),
      );
    }
    // Every level's URLs are checked before git fetches it (submodules.ts).
    const notes: string[] = await initSubmodules(dir, req.cloneUrl, req.token);
    if (usesLfs(dir)) notes.push('Git LFS files are left as pointers (their contents are not downloaded)');
    const gitLink = fs.readFileSync(path.join(dir, '.git'), 'utf8');
    return { dir, mirror, branch: req.branch, baseSha, startSha, remoteBranchSha, coldMirror: cold, notes, gitLink };
  }

  /**
   * Ends a run's worktree: every change and untracked file is discarded and the clean tree stays
   * parked for the next run of the same repo (or is deleted if that fails). Then mirrors beyond
   * the disk budget are evicted.
   */
  async remove(ws: PreparedWorkspace): Promise<void> {
    const m = git(ws.mirror);
    try {
      const w = git(ws.dir);
      await w.raw(['reset', '-q', '--hard']);
      await w.raw(['clean', '-q', '-ffdx']);
      await w.raw(['checkout', '-q', '--detach']);
    } catch {
      await m
        .raw(['worktree', 'remove', '--force', ws.dir])
        .catch(() => fs.rmSync(ws.dir, { recursive: true, force: true }));
      await m.raw(['worktree', 'prune']).catch(() => {});
    }
    this.#claimed.delete(path.basename(ws.dir));
    await m.raw(['branch', '-D', ws.branch]).catch(() => {});
    this.#active.delete(ws.mirror);
    if (!Number.isFinite(this.#budgetBytes)) return;
    for (const evicted of evictMirrors(this.#dataDir, this.#budgetBytes, this.#active)) {
      for (const name of fs.existsSync(this.#idleRoot) ? fs.readdirSync(this.#idleRoot) : []) {
        if (name.startsWith(`${hash(evicted)}-`))
          fs.rmSync(path.join(this.#idleRoot, name), { recursive: true, force: true });
      }
    }
  }

  get #idleRoot(): string {
    return path.join(this.worktreeRoot, 'idle');
  }

  #idleFor(mirror: string): string | undefined {
    const dir = this.#idleRoot;
    const prefix = `${hash(mirror)}-`;
    const name = fs.existsSync(dir)
      ? fs.readdirSync(dir).find((n) => n.startsWith(prefix) && !this.#claimed.has(n))
      : undefined;
    if (!name) return undefined;
    // Claimed synchronously, so two runs of one repo never take the same parked tree.
    this.#claimed.add(name);
    return path.join(dir, name);
  }
}

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 12);
}

function usesLfs(dir: string): boolean {
  const attrs = path.join(dir, '.gitattributes');
  return fs.existsSync(attrs) && /filter=lfs/.test(fs.readFileSync(attrs, 'utf8'));
}

/** What git says about a repository it cannot trust: then the cached mirror is fetched anew. */
const CORRUPT =
  /corrupt|missing (blob|tree|commit|object)|bad object|invalid object|not a git repository|does not appear to be a git repository|unable to read|loose object|packfile|object file .* is empty|bad config|broken link|could not parse HEAD|bad (numeric|boolean) config/i;

export class DiskFullError extends Error {
  readonly code = 'disk_full';
}

function freeSpaceMb(dir: string): number {
  fs.mkdirSync(dir, { recursive: true });
  const s = fs.statfsSync(dir);
  return (s.bavail * s.bsize) / (1024 * 1024);
}
