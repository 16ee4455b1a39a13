import { faultPoint } from '../../adapters/env/fault-point.ts';
import type { Octokit } from '@octokit/rest';
import { BranchMovedError, commitTree, push, PushRefusedError, RebaseConflictError, rebaseOntoRemote } from '../../adapters/git/commit-and-push.ts';
import type { KnownSecret } from '../../adapters/git/secret-scan.ts';
import { git } from '../../adapters/git/run-git.ts';
import type { PreparedWorkspace } from '../../adapters/git/workspaces.ts';
import type { ThreadsPort } from '../../adapters/store/ports.ts';
import type { RunCompleted } from '../../core/loop/run-agent.ts';
import type { TitleBrief } from '../../core/ports.ts';
import type { Task } from '../../protocol/task.ts';
import type { RepoConfig } from '../../protocol/repo-config.ts';
import type { Conventions } from '../../repo/conventions/detect-conventions.ts';
import type { PrTemplate } from '../../repo/conventions/pr-template.ts';
import { commitSubject } from '../../repo/conventions/title-brief.ts';
import type { ChangeKind } from '../../repo/conventions/title-style.ts';
import { reportCheckRun } from '../report/check-run.ts';
import { prBody } from './pr-body.ts';
import type { EnergyFactors } from '../../protocol/energy.ts';
import { replyToThreads, type ReviewComment } from './review-threads.ts';
import { ClosedPullRequestError, upsertPullRequest } from './upsert-pull-request.ts';
import { postable, postableTitle } from './postable.ts';

type Octo = Pick<Octokit, 'request'>;

export interface PublishInput {
  /** The stated factors of the PR's energy estimate (the deployment's settings). */
  energy?: EnergyFactors;
  task: Task;
  ws: PreparedWorkspace;
  token: string;
  target: { branch: string; base: string };
  config: RepoConfig;
  result: RunCompleted;
  voice: { conv: Conventions; template: PrTemplate | null; brief: TitleBrief; kind: ChangeKind; followUp: boolean };
  /** The issue the PR closes: the task's own number, or the one a follow-up's PR body names. */
  issueNumber: number | null;
  review: ReviewComment[];
  bot: { name: string; email: string };
  requester: { name: string; email: string };
  threads: ThreadsPort;
  /** Runs setup and the tests again on a clean checkout of `commit` (after a rebase onto someone's newer commits): green, and what they said. */
  verify: (commit: string) => Promise<{ green: boolean; text: string }>;
  /** The deployment's secret values: a change that contains one is never pushed. */
  secrets?: KnownSecret[];
}

/**
 * Commits in the team's voice, pushes with a lease, opens or updates the one PR, reports the check
 * run and answers review threads. Returns the PR's address, or a note saying in plain words why not.
 */
export async function publishRun(octokit: Octo, p: PublishInput): Promise<{ prUrl: string | null; note: string; info: string }> {
  const { task, result, voice } = p;
  const key = `${task.repo.owner}/${task.repo.name}`;
  try {
    const named = postableTitle(result.title?.text ?? voice.brief.repair(null, result.evidence.filesChanged), p.issueNumber);
    const subject = voice.followUp ? named : commitSubject(voice.conv.commitStyle, named, voice.kind, result.evidence.filesChanged);
    await faultPoint('commit');
    // Exactly the tree the harness judged: nothing is read from the checkout again.
    if (!result.tree) return { prUrl: null, note: '', info: '' };
    let sha = await commitTree(p.ws, result.tree, subject, p.bot, [p.requester]);
    if (!sha) return { prUrl: null, note: '', info: '' };
    await faultPoint('push');
    const pushed = await pushOrRebase(p);
    if ('note' in pushed) return { prUrl: null, note: pushed.note, info: '' };
    sha = pushed.sha;
    if (!task.isPullRequest) await p.threads.setBranch(key, task.number, p.target.branch);
    await faultPoint('pr');
    const pr = await upsertPullRequest(octokit, {
      owner: task.repo.owner,
      repo: task.repo.name,
      head: p.target.branch,
      base: p.target.base,
      title: voice.followUp ? undefined : named,
      body: prBody(p.issueNumber, result, p.voice.template, voice.conv.prBody.closingKeyword, p.energy),
      draft: result.outcome !== 'succeeded',
      allowAfterClosed: task.action === 'retry',
      labels: p.config.labels,
      reviewer: task.requester,
    });
    if (pr.created) await p.threads.setRequester(key, pr.number, task.requester);
    await faultPoint('check_run');
    await reportCheckRun(octokit, task.repo.owner, task.repo.name, sha, result).catch(() => {});
    if (p.review.length) {
      await replyToThreads(octokit, task.repo.owner, task.repo.name, pr.number, p.review, `Addressed in ${sha.slice(0, 10)}: ${postable(result.summary.slice(0, 1500))}`);
    }
    return { prUrl: pr.url, note: '', info: pushed.info };
  } catch (error) {
    if (error instanceof PushRefusedError) return { prUrl: null, note: `Nothing was pushed. ${error.message}`, info: '' };
    if (error instanceof BranchMovedError || error instanceof RebaseConflictError) return { prUrl: null, note: `Not pushed: ${error.message}`, info: '' };
    if (error instanceof ClosedPullRequestError) return { prUrl: null, note: `No new pull request: ${error.message}`, info: '' };
    return { prUrl: null, note: `Publishing failed: ${(error as Error).message}`, info: '' };
  }
}

/**
 * Pushes with a lease. When a follow-up's branch moved under it (someone pushed), replays this
 * run's commit on their commits, runs the tests again, and pushes only if they still pass.
 */
async function pushOrRebase(p: PublishInput): Promise<{ sha: string; info: string } | { note: string }> {
  const { task } = p;
  try {
    return { sha: await push(p.ws, task.repo.cloneUrl, p.token, p.config.protectedPaths, p.secrets), info: '' };
  } catch (error) {
    const followUp = task.isPullRequest && task.action !== 'retry' && p.ws.remoteBranchSha !== null;
    if (!(error instanceof BranchMovedError) || !followUp) throw error;
  }
  const rebased = await rebaseOntoRemote(p.ws, task.repo.cloneUrl, p.token, p.bot).catch((error: Error) => {
    // The branch is gone from the remote: deleted (a merged or abandoned PR) while the run worked.
    if (/couldn't find remote ref|no such ref|does not exist on the remote/i.test(error.message)) return null;
    throw error;
  });
  if (!rebased) {
    return { note: `Not pushed: the branch ${p.ws.branch} was deleted while this run worked, so nothing was pushed and the branch was not brought back. Comment \`/agent retry\` to start again from the default branch.` };
  }
  const { ws, theirs } = rebased;
  const head = await git(ws.dir).revparse(['HEAD']);
  const check = await p.verify(head);
  const list = theirs.slice(0, 5).map((s) => `"${s.slice(0, 80)}"`).join(', ');
  if (!check.green) {
    return { note: `Not pushed: someone pushed ${theirs.length} commit(s) to ${ws.branch} while this run worked (${list}); on top of them the tests fail (${check.text}), so nothing was pushed and their commits are untouched.` };
  }
  // The commit the tests ran on, and no other.
  const sha = await push(ws, task.repo.cloneUrl, p.token, p.config.protectedPaths, p.secrets, head);
  return { sha, info: `Someone pushed ${theirs.length} commit(s) to the branch while this run worked (${list}); this change was replayed on top of them and the tests were run again: ${check.text}.` };
}

/** A stand-in template from the headings the team's merged PRs share, when the repo has none. */
export function habitTemplate(conv: Conventions): PrTemplate | null {
  if (!conv.prBody.headings.length) return null;
  return { path: '(headings of recent merged PRs)', headings: conv.prBody.headings, text: conv.prBody.headings.join('\n\n') };
}
