import fs from 'node:fs';
import path from 'node:path';
import type { ChangeSnapshot, CleanCheckout, Sandbox, Verifier } from '../../core/ports.ts';
import { ensureHostOnlyDir } from '../sandbox/host-only.ts';
import { localFiles } from './local-files.ts';
import { readChange, readTreeFiles, unignoredPaths } from './read-change.ts';
import { diffTrees, hostGit, mixTrees, snapshotTree, treeOf, withScratch } from './tree-snapshot.ts';

/**
 * The engine's view of a checkout's change (AgentDeps.changes): the working tree frozen into a
 * tree object on top of `start` (with a private index), then compared with the start by objects.
 */
export function workspaceChanges(top: string, gitDir: string, start: string): () => Promise<ChangeSnapshot> {
  let startTree: Promise<string> | undefined;
  return async () => {
    startTree ??= treeOf(gitDir, start);
    const from = await startTree;
    const id = await snapshotTree(top, start);
    const [files, diff] = await Promise.all([readChange(gitDir, from, id), diffTrees(gitDir, from, id)]);
    return {
      id,
      startId: from,
      files,
      diff,
      unignored: (paths) => unignoredPaths(gitDir, from, id, paths),
      since: (base) => readChange(gitDir, base, id),
      read: (pick, limit) => readTreeFiles(gitDir, id, pick, limit),
    };
  };
}

export interface VerifierOptions {
  /** The git dir holding the run's objects (the mirror, or the person's repository). */
  gitDir: string;
  /** The commit the run started from: the parent of every clean checkout's commit (none in a repository without commits). */
  parent: string | null;
  /** A host-only folder the checkouts are made in (no sandbox binds it or a parent of it). */
  root: string;
  /** Names the folders (a run id). */
  label: string;
  /** A fresh sandbox on one clean checkout, with its own temp dir and cache folder. */
  /** The clean checkout's folders: its own /tmp, cache and host-only folder (never the repository's shared cache). */
  sandbox: (layout: {
    worktree: string;
    runTmp: string;
    cacheDir: string;
    hostDir: string;
  }) => Sandbox | Promise<Sandbox>;
}

/**
 * Clean checkouts for the verdict: each a new worktree of a commit the host makes from the tree
 * (nothing of the agent's checkout, ignored files included, is in it), with a temp dir and a
 * cache folder of its own (empty: setup there writes no shared cache), removed when disposed.
 */
export function cleanVerifier(o: VerifierOptions): Verifier {
  let n = 0;
  return {
    mix: (into, from, paths) => mixTrees(o.gitDir, into, from, paths),
    async checkout(tree): Promise<CleanCheckout> {
      const base = path.join(o.root, `${o.label}-verify-${++n}`);
      fs.rmSync(base, { recursive: true, force: true });
      fs.mkdirSync(base, { recursive: true, mode: 0o711 });
      fs.chmodSync(base, 0o711);
      const dir = path.join(base, 'checkout');
      const runTmp = path.join(base, 'tmp');
      fs.mkdirSync(runTmp, { mode: 0o700 });
      const remove = async () => {
        await withScratch((cwd) => hostGit(['worktree', 'remove', '--force', dir], { cwd, gitDir: o.gitDir })).catch(
          () => {},
        );
        fs.rmSync(base, { recursive: true, force: true });
        await withScratch((cwd) => hostGit(['worktree', 'prune'], { cwd, gitDir: o.gitDir })).catch(() => {});
      };
      try {
        await checkoutTree(o.gitDir, await treeOf(o.gitDir, tree), o.parent, dir);
        const cacheDir = path.join(base, 'cache');
        fs.mkdirSync(cacheDir, { mode: 0o700 });
        const sandbox = await o.sandbox({
          worktree: dir,
          runTmp,
          cacheDir,
          hostDir: ensureHostOnlyDir(path.join(base, 'host')),
        });
        return { root: dir, sandbox, files: localFiles(dir), dispose: remove };
      } catch (error) {
        await remove();
        throw error;
      }
    },
  };
}

/** A new worktree at `dir` of a commit of `tree` (on `parent`), made with the app's own git. */
export async function checkoutTree(gitDir: string, tree: string, parent: string | null, dir: string): Promise<string> {
  return withScratch(async (cwd) => {
    const who = {
      GIT_AUTHOR_NAME: 'Patchwright',
      GIT_AUTHOR_EMAIL: 'patchwright@localhost',
      GIT_COMMITTER_NAME: 'Patchwright',
      GIT_COMMITTER_EMAIL: 'patchwright@localhost',
    };
    const commit = (
      await hostGit(
        [
          '-c',
          `user.name=${who.GIT_AUTHOR_NAME}`,
          '-c',
          `user.email=${who.GIT_AUTHOR_EMAIL}`,
          'commit-tree',
          tree,
          ...(parent ? ['-p', parent] : []),
          '-m',
          'patchwright: clean checkout for verification',
        ],
        { cwd, gitDir },
      )
    )
      .toString('utf8')
      .trim();
    await hostGit(['worktree', 'add', '--detach', '--force', dir, commit], { cwd, gitDir });
    return commit;
  });
}
