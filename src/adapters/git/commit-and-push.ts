import path from 'node:path';
import { git, safely } from './run-git.ts';
import { scanDiffForSecrets } from './secret-scan.ts';
import { guardWorktree } from './worktree-guard.ts';
import type { PreparedWorkspace } from './workspaces.ts';

export interface Person {
  name: string;
  email: string;
}

export interface ChangeProblem {
  path: string;
  line?: number;
  reason: string;
}

/** Commits everything in the worktree as the bot, crediting the requester. Null when nothing changed. */
export async function commitAll(ws: PreparedWorkspace, message: string, author: Person, coAuthors: Person[] = []): Promise<string | null> {
  await guardWorktree(ws.dir, ws.gitLink);
  const g = git(ws.dir);
  await g.raw(['add', '--all']);
  const staged = await g.raw(['diff', '--cached', '--name-only']);
  if (!staged.trim()) return null;
  const trailers = coAuthors.map((p) => `Co-authored-by: ${p.name} <${p.email}>`);
  const full = trailers.length ? `${message.trim()}\n\n${trailers.join('\n')}\n` : `${message.trim()}\n`;
  const who = ['-c', `user.name=${author.name}`, '-c', `user.email=${author.email}`, '-c', 'commit.gpgsign=false'];
  await g.raw([...who, 'commit', '--no-verify', '--quiet', '-m', full]);
  return g.revparse(['HEAD']);
}

/**
 * What a push must refuse: changes inside `.git`, to protected paths, or added lines that look
 * like credentials (reported by file, line and kind, never by value).
 */
export async function checkChanges(ws: PreparedWorkspace, protectedPaths: string[], knownSecrets: string[] = []): Promise<ChangeProblem[]> {
  const g = git(ws.dir);
  const names = (await g.raw(['diff', '--name-only', '--no-renames', ws.startSha, 'HEAD'])).split('\n').filter(Boolean);
  const problems: ChangeProblem[] = [];
  for (const file of names) {
    if (file.split('/').some((part) => part.toLowerCase() === '.git')) problems.push({ path: file, reason: 'is inside a .git directory' });
    const glob = protectedPaths.find((p) => path.matchesGlob(file, p));
    if (glob) problems.push({ path: file, reason: `is protected (${glob})` });
  }
  const diff = await g.raw(['diff', '-U0', '--no-color', '--no-ext-diff', ws.startSha, 'HEAD']);
  for (const s of scanDiffForSecrets(diff, knownSecrets)) problems.push({ path: s.path, line: s.line, reason: `adds what looks like a ${s.kind}` });
  return problems;
}

export function describeProblems(problems: ChangeProblem[]): string {
  return problems.map((p) => `${p.path}${p.line ? `:${p.line}` : ''} ${p.reason}`).join('\n');
}

/**
 * Pushes HEAD to the run's branch. When the branch existed, the push is leased on the commit it
 * had when the run started, so a human's later commit is never overwritten. Returns the commit pushed.
 */
export async function push(ws: PreparedWorkspace, cloneUrl: string, token: string | undefined, protectedPaths: string[], knownSecrets: string[] = []): Promise<string> {
  const problems = await checkChanges(ws, protectedPaths, [...knownSecrets, ...(token ? [token] : [])]);
  if (problems.length) throw new PushRefusedError(problems);
  const lease = `--force-with-lease=refs/heads/${ws.branch}:${ws.remoteBranchSha ?? ''}`;
  await safely('pushing', token, () =>
    git(ws.dir, { cloneUrl, token }).raw(['push', '--porcelain', lease, 'origin', `HEAD:refs/heads/${ws.branch}`]),
  ).catch((error: Error) => {
    if (/stale info|\[rejected\]|non-fast-forward|fetch first/.test(error.message)) throw new BranchMovedError(ws.branch);
    throw error;
  });
  return git(ws.dir).revparse(['HEAD']);
}

export class PushRefusedError extends Error {
  readonly code = 'push_refused';
  readonly problems: ChangeProblem[];
  constructor(problems: ChangeProblem[]) {
    super(`Refusing to push:\n${describeProblems(problems)}`);
    this.problems = problems;
  }
}

/** The branch moved (a human pushed) since the run started: nothing is overwritten. */
export class BranchMovedError extends Error {
  readonly code = 'branch_moved';
  constructor(branch: string) {
    super(`someone pushed to ${branch} while this run worked, so nothing was pushed and their commits are untouched. Comment \`/agent <instructions>\` to run again on top of them.`);
  }
}

/** The branch moved and our commits do not replay cleanly on the new head. */
export class RebaseConflictError extends Error {
  readonly code = 'rebase_conflict';
  constructor(branch: string, files: string[]) {
    super(`someone pushed to ${branch} while this run worked, and this run's change conflicts with theirs${files.length ? ` in ${files.join(', ')}` : ''}; nothing was pushed and their commits are untouched. Comment \`/agent <instructions>\` to run again on top of them.`);
  }
}

/**
 * After a leased push failed because someone pushed to the branch: fetches the branch's new head
 * and replays this run's commits on top of it. Returns the workspace measured from the new head
 * (so push checks see only this run's change) and the subjects of the commits it now sits on.
 */
export async function rebaseOntoRemote(ws: PreparedWorkspace, cloneUrl: string, token: string | undefined, committer: Person): Promise<{ ws: PreparedWorkspace; theirs: string[] }> {
  const remoteRef = `refs/remotes/origin/${ws.branch}`;
  await safely('fetching the moved branch', token, () =>
    git(ws.dir, { cloneUrl, token }).raw(['fetch', '--no-tags', 'origin', `+refs/heads/${ws.branch}:${remoteRef}`]),
  );
  const g = git(ws.dir);
  const newHead = await g.revparse([remoteRef]);
  const from = ws.remoteBranchSha ?? ws.startSha;
  const theirs = (await g.raw(['log', '--format=%s', `${from}..${newHead}`])).split('\n').filter(Boolean);
  const who = ['-c', `user.name=${committer.name}`, '-c', `user.email=${committer.email}`, '-c', 'commit.gpgsign=false'];
  try {
    await g.raw([...who, 'rebase', '--quiet', '--onto', newHead, from]);
  } catch {
    const conflicted = (await g.raw(['diff', '--name-only', '--diff-filter=U']).catch(() => '')).split('\n').filter(Boolean);
    await g.raw(['rebase', '--abort']).catch(() => {});
    throw new RebaseConflictError(ws.branch, conflicted);
  }
  return { ws: { ...ws, startSha: newHead, remoteBranchSha: newHead }, theirs };
}
