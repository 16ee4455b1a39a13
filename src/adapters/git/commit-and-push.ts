import path from 'node:path';
import { readChange } from './read-change.ts';
import { git, safely } from './run-git.ts';
import { scanChangeForSecrets, type KnownSecret } from './secret-scan.ts';
import { commonGitDir, treeOf } from './tree-snapshot.ts';
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
export async function commitAll(
  ws: PreparedWorkspace,
  message: string,
  author: Person,
  coAuthors: Person[] = [],
): Promise<string | null> {
  await guardWorktree(ws.dir, ws.gitLink);
  const g = git(ws.dir);
  await g.raw(['add', '--all']);
  const staged = await g.raw(['diff', '--cached', '--name-only']);
  if (!staged.trim()) return null;
  await g.raw([...identity(author), 'commit', '--no-verify', '--quiet', '-m', commitMessage(message, coAuthors)]);
  return g.revparse(['HEAD']);
}

/**
 * Commits exactly `tree` (the one the harness judged) on the run's start as the bot, and moves
 * the branch and the worktree's index to it; nothing is read from the checkout again. Null when
 * the tree is the start's.
 */
export async function commitTree(
  ws: PreparedWorkspace,
  tree: string,
  message: string,
  author: Person,
  coAuthors: Person[] = [],
): Promise<string | null> {
  const g = git(ws.dir);
  const gitDir = await commonGitDir(ws.dir);
  if ((await treeOf(gitDir, ws.startSha)) === tree) return null;
  const sha = (
    await g.raw([...identity(author), 'commit-tree', tree, '-p', ws.startSha, '-m', commitMessage(message, coAuthors)])
  ).trim();
  await g.raw(['update-ref', '-m', 'patchwright: commit the judged tree', `refs/heads/${ws.branch}`, sha]);
  await g.raw(['reset', '-q', sha]);
  return sha;
}

function identity(p: Person): string[] {
  return ['-c', `user.name=${p.name}`, '-c', `user.email=${p.email}`, '-c', 'commit.gpgsign=false'];
}

function commitMessage(message: string, coAuthors: Person[]): string {
  const trailers = coAuthors.map((p) => `Co-authored-by: ${p.name} <${p.email}>`);
  return trailers.length ? `${message.trim()}\n\n${trailers.join('\n')}\n` : `${message.trim()}\n`;
}

/**
 * What a push (or `patchwright run`'s commit) must refuse: changes inside `.git`, to protected
 * paths, or content, paths or commit messages that look like credentials or hold one of the
 * deployment's secret values (reported by file, line and kind, never by value). Read from the
 * objects between `from` and `to`, so what is checked is what is committed.
 */
export async function checkTree(
  gitDir: string,
  from: string,
  to: string,
  protectedPaths: string[],
  knownSecrets: KnownSecret[] = [],
  messages: string[] = [],
): Promise<ChangeProblem[]> {
  const files = await readChange(gitDir, from, to);
  const problems: ChangeProblem[] = [];
  for (const { path: file } of files) {
    if (file.split('/').some((part) => part.toLowerCase() === '.git'))
      problems.push({ path: file, reason: 'is inside a .git directory' });
    const glob = protectedPaths.find((p) => path.matchesGlob(file, p));
    if (glob) problems.push({ path: file, reason: `is protected (${glob})` });
  }
  const texts = messages.map((text) => ({ where: 'the commit message', text }));
  for (const s of scanChangeForSecrets(files, knownSecrets, texts))
    problems.push({ path: s.path, ...(s.line ? { line: s.line } : {}), reason: `adds what looks like a ${s.kind}` });
  return problems;
}

/** checkTree for the worktree's commits since the run started. */
export async function checkChanges(
  ws: PreparedWorkspace,
  protectedPaths: string[],
  knownSecrets: KnownSecret[] = [],
): Promise<ChangeProblem[]> {
  const g = git(ws.dir);
  const head = await g.revparse(['HEAD']);
  const messages = (await g.raw(['log', '--format=%B%x00', `${ws.startSha}..${head}`]))
    .split('\0')
    .filter((m) => m.trim());
  return checkTree(await commonGitDir(ws.dir), ws.startSha, head, protectedPaths, knownSecrets, messages);
}

export function describeProblems(problems: ChangeProblem[]): string {
  return problems.map((p) => `${p.path}${p.line ? `:${p.line}` : ''} ${p.reason}`).join('\n');
}

/**
 * Pushes HEAD to the run's branch. When the branch existed, the push is leased on the commit it
 * had when the run started, so a human's later commit is never overwritten. Returns the commit pushed.
 */
export async function push(
  ws: PreparedWorkspace,
  cloneUrl: string,
  token: string | undefined,
  protectedPaths: string[],
  knownSecrets: KnownSecret[] = [],
  expected?: string,
): Promise<string> {
  // One commit is checked and pushed: HEAD read once, by id (and it must be the one the caller verified).
  const sha = await git(ws.dir).revparse(['HEAD']);
  if (expected && sha !== expected)
    throw new Error(
      `the commit to push (${sha.slice(0, 10)}) is not the one that was verified (${expected.slice(0, 10)})`,
    );
  const problems = await checkChanges(ws, protectedPaths, [...knownSecrets, ...(token ? [token] : [])]);
  if ((await git(ws.dir).revparse(['HEAD'])) !== sha)
    throw new Error('the commit to push changed while it was checked');
  if (problems.length) throw new PushRefusedError(problems);
  const lease = `--force-with-lease=refs/heads/${ws.branch}:${ws.remoteBranchSha ?? ''}`;
  await safely('pushing', token, () =>
    git(ws.dir, { cloneUrl, token }).raw(['push', '--porcelain', lease, 'origin', `${sha}:refs/heads/${ws.branch}`]),
  ).catch((error: Error) => {
    if (/stale info|\[rejected\]|non-fast-forward|fetch first/.test(error.message))
      throw new BranchMovedError(ws.branch);
    throw error;
  });
  return sha;
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
    super(
      `someone pushed to ${branch} while this run worked, so nothing was pushed and their commits are untouched. Comment \`/agent <instructions>\` to run again on top of them.`,
    );
  }
}

/** The branch moved and our commits do not replay cleanly on the new head. */
export class RebaseConflictError extends Error {
  readonly code = 'rebase_conflict';
  constructor(branch: string, files: string[]) {
    super(
      `someone pushed to ${branch} while this run worked, and this run's change conflicts with theirs${files.length ? ` in ${files.join(', ')}` : ''}; nothing was pushed and their commits are untouched. Comment \`/agent <instructions>\` to run again on top of them.`,
    );
  }
}

/**
 * After a leased push failed because someone pushed to the branch: fetches the branch's new head
 * and replays this run's commits on top of it. Returns the workspace measured from the new head
 * (so push checks see only this run's change) and the subjects of the commits it now sits on.
 */
export async function rebaseOntoRemote(
  ws: PreparedWorkspace,
  cloneUrl: string,
  token: string | undefined,
  committer: Person,
): Promise<{ ws: PreparedWorkspace; theirs: string[] }> {
  const remoteRef = `refs/remotes/origin/${ws.branch}`;
  await safely('fetching the moved branch', token, () =>
    git(ws.dir, { cloneUrl, token }).raw(['fetch', '--no-tags', 'origin', `+refs/heads/${ws.branch}:${remoteRef}`]),
  );
  const g = git(ws.dir);
  const newHead = await g.revparse([remoteRef]);
  const from = ws.remoteBranchSha ?? ws.startSha;
  const theirs = (await g.raw(['log', '--format=%s', `${from}..${newHead}`])).split('\n').filter(Boolean);
  const who = [
    '-c',
    `user.name=${committer.name}`,
    '-c',
    `user.email=${committer.email}`,
    '-c',
    'commit.gpgsign=false',
  ];
  try {
    await g.raw([...who, 'rebase', '--quiet', '--onto', newHead, from]);
  } catch {
    const conflicted = (await g.raw(['diff', '--name-only', '--diff-filter=U']).catch(() => ''))
      .split('\n')
      .filter(Boolean);
    await g.raw(['rebase', '--abort']).catch(() => {});
    throw new RebaseConflictError(ws.branch, conflicted);
  }
  return { ws: { ...ws, startSha: newHead, remoteBranchSha: newHead }, theirs };
}
