import { faultPoint } from '../../adapters/env/fault-point.ts';
import type { Octokit } from '@octokit/rest';
import {
  BranchMovedError,
  commitTree,
  push,
  PushRefusedError,
  RebaseConflictError,
  rebaseOntoRemote,
} from '../../adapters/git/commit-and-push.ts';
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
import { block, joined, md, prose, title, type Posted } from './posted.ts';
import { pushRefusal, type BranchPlan } from '../job/choose-branch.ts';

type Octo = Pick<Octokit, 'request'>;

export interface PublishInput {
  /** The stated factors of the PR's energy estimate (the deployment's settings). */
  energy?: EnergyFactors;
  task: Task;
  ws: PreparedWorkspace;
  token: string;
  /** The branch the job may push to (choose-branch.ts), the issue it closes, the PR it is for. */
  target: BranchPlan;
  config: RepoConfig;
  result: RunCompleted;
  voice: { conv: Conventions; template: PrTemplate | null; brief: TitleBrief; kind: ChangeKind; followUp: boolean };
  review: ReviewComment[];
  bot: { name: string; email: string };
  requester: { name: string; email: string };
  threads: ThreadsPort;
  /** Runs setup and the tests again on a clean checkout of `commit` (after a rebase onto someone's newer commits): green, and what they said. */
  verify: (commit: string) => Promise<{ green: boolean; text: Posted }>;
  /** The deployment's secret values: a change that contains one is never pushed. */
  secrets?: KnownSecret[];
}

/**
 * Commits in the team's voice, pushes with a lease, opens or updates the one PR, reports the check
 * run and answers review threads. Returns the PR's address, or a note saying in plain words why not.
 */
export async function publishRun(
  octokit: Octo,
  p: PublishInput,
): Promise<{ prUrl: string | null; note: Posted | null; info: Posted | null }> {
  const { task, result, voice, target } = p;
  const key = `${task.repo.owner}/${task.repo.name}`;
  try {
    // The model's title names whatever it likes: only the job's own issue keeps its `#`.
    const named = title(result.title?.text ?? voice.brief.repair(null, result.evidence.filesChanged), target.closes);
    const subject = voice.followUp
      ? named.text
      : title(
          commitSubject(voice.conv.commitStyle, named.text, voice.kind, result.evidence.filesChanged),
          target.closes,
        ).text;
    await faultPoint('commit');
    // Exactly the tree the harness judged: nothing is read from the checkout again.
    if (!result.tree) return { prUrl: null, note: null, info: null };
    let sha = await commitTree(p.ws, result.tree, subject, p.bot, [p.requester]);
    if (!sha) return { prUrl: null, note: null, info: null };
    await faultPoint('push');
    const pushed = await pushOrRebase(p);
    if ('note' in pushed) return { prUrl: null, note: pushed.note, info: null };
    sha = pushed.sha;
    // Only now is the branch the app's: its own push made it (a lease on its absence) or moved it.
    if (target.thread !== null) await p.threads.setBranch(key, target.thread, target.branch);
    await faultPoint('pr');
    const pr = await upsertPullRequest(octokit, {
      owner: task.repo.owner,
      repo: task.repo.name,
      head: target.branch,
      base: target.base,
      title: named,
      keepTitle: voice.followUp,
      body: prBody(target.closes, result, p.voice.template, voice.conv.prBody.closingKeyword, p.energy, target.forPull),
      draft: result.outcome !== 'succeeded',
      allowAfterClosed: task.action === 'retry',
      labels: p.config.labels,
      reviewer: task.requester,
    });
    await p.threads.setPullRequest(key, pr.number, {
      branch: target.branch,
      closes: target.closes,
      forPull: target.forPull,
    });
    if (pr.created) await p.threads.setRequester(key, pr.number, task.requester);
    await faultPoint('check_run');
    await reportCheckRun(octokit, task.repo.owner, task.repo.name, sha, result, target.closes).catch(() => {});
    if (p.review.length) {
      await replyToThreads(
        octokit,
        task.repo.owner,
        task.repo.name,
        pr.number,
        p.review,
        md`Addressed in ${sha.slice(0, 10)}: ${prose(result.summary.slice(0, 1500))}`,
      );
    }
    return { prUrl: pr.url, note: null, info: pushed.info };
  } catch (error) {
    const text = (error as Error).message.slice(0, 2000);
    if (error instanceof PushRefusedError)
      return { prUrl: null, note: md`Nothing was pushed. ${block(text)}`, info: null };
    if (error instanceof BranchMovedError || error instanceof RebaseConflictError)
      return { prUrl: null, note: md`Not pushed: ${text}`, info: null };
    if (error instanceof ClosedPullRequestError)
      return {
        prUrl: null,
        note: md`No new pull request: #${error.number} for this branch was closed without merging; comment \`/agent retry\` on it to open a new one.`,
        info: null,
      };
    return { prUrl: null, note: md`Publishing failed: ${text}`, info: null };
  }
}

/**
 * Pushes with a lease. When a follow-up's branch moved under it (someone pushed), replays this
 * run's commit on their commits, runs the tests again, and pushes only if they still pass.
 */
async function pushOrRebase(p: PublishInput): Promise<{ sha: string; info: Posted | null } | { note: Posted }> {
  const { task } = p;
  const refused = await pushRefusal(p.target, p.ws, task, p.threads);
  if (refused) return { note: md`Nothing was pushed: ${refused}.` };
  try {
    return { sha: await push(p.ws, task.repo.cloneUrl, p.token, p.config.protectedPaths, p.secrets), info: null };
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
    return {
      note: md`Not pushed: the branch ${p.ws.branch} was deleted while this run worked, so nothing was pushed and the branch was not brought back. Comment \`/agent retry\` to start again from the default branch.`,
    };
  }
  const { ws, theirs } = rebased;
  const head = await git(ws.dir).revparse(['HEAD']);
  const check = await p.verify(head);
  // Their commit subjects are other people's words: each passes the sanitizer, on one line.
  const list = quoted(theirs.slice(0, 5).map((s) => s.slice(0, 80)));
  if (!check.green) {
    return {
      note: md`Not pushed: someone pushed ${theirs.length} commit(s) to ${ws.branch} while this run worked (${list}); on top of them the tests fail (${check.text}), so nothing was pushed and their commits are untouched.`,
    };
  }
  const again = await pushRefusal(p.target, ws, task, p.threads);
  if (again) return { note: md`Nothing was pushed: ${again}.` };
  // The commit the tests ran on, and no other.
  const sha = await push(ws, task.repo.cloneUrl, p.token, p.config.protectedPaths, p.secrets, head);
  return {
    sha,
    info: md`Someone pushed ${theirs.length} commit(s) to the branch while this run worked (${list}); this change was replayed on top of them and the tests were run again: ${check.text}.`,
  };
}

function quoted(xs: string[]): Posted {
  return xs.length
    ? joined(
        xs.map((x) => md`"${x}"`),
        ', ',
      )
    : md`none`;
}

/** A stand-in template from the headings the team's merged PRs share, when the repo has none. */
export function habitTemplate(conv: Conventions): PrTemplate | null {
  if (!conv.prBody.headings.length) return null;
  return {
    path: '(headings of recent merged PRs)',
    headings: conv.prBody.headings,
    text: conv.prBody.headings.join('\n\n'),
  };
}
