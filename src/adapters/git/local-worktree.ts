import fs from 'node:fs';
import path from 'node:path';
import { git } from './run-git.ts';
import type { PreparedWorkspace } from './workspaces.ts';

/**
 * A worktree of the user's own checkout on a new branch, for `patchwright run`: their current
 * branch and working tree are never touched.
 */
export async function localWorktree(
  repoDir: string,
  branch: string,
  into: string,
): Promise<PreparedWorkspace & { commonDir: string }> {
  const g = git(repoDir);
  const top = await g.revparse(['--show-toplevel']).catch(() => {
    throw new Error(`${repoDir} is not inside a git checkout`);
  });
  const startSha = await git(top)
    .revparse(['HEAD'])
    .catch(() => {
      throw new Error(`${top} has no commits yet`);
    });
  const exists = await git(top)
    .raw(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`])
    .then(
      (s) => !!s.trim(),
      () => false,
    );
  if (exists) throw new Error(`branch ${branch} already exists; delete it or pick another task text`);
  fs.mkdirSync(path.dirname(into), { recursive: true });
  await git(top).raw(['worktree', 'add', '-q', '-b', branch, into, startSha]);
  const commonDir = path.resolve(top, await git(top).revparse(['--git-common-dir']));
  const gitLink = fs.readFileSync(path.join(into, '.git'), 'utf8');
  return {
    dir: into,
    mirror: top,
    branch,
    baseSha: startSha,
    startSha,
    remoteBranchSha: null,
    coldMirror: false,
    notes: [],
    commonDir,
    gitLink,
  };
}

export async function removeLocalWorktree(ws: PreparedWorkspace): Promise<void> {
  await git(ws.mirror)
    .raw(['worktree', 'remove', '--force', ws.dir])
    .catch(() => fs.rmSync(ws.dir, { recursive: true, force: true }));
}
