import type { Octokit } from '@octokit/rest';
import type { JobResult } from '../../adapters/queue/worker-pool.ts';
import type { Job } from '../../adapters/store/job-store.ts';
import type { ThreadsPort } from '../../adapters/store/ports.ts';
import type { RepoConfig } from '../../protocol/repo-config.ts';
import { lookupPermission, meetsMinimum } from '../authorize.ts';
import { ciFailureInstructions } from '../publish/ci-failures.ts';
import {
  reviewComments,
  reviewInstructions,
  withThreadHistory,
  type ReviewComment,
} from '../publish/review-threads.ts';
import { block, login, md, name, type Posted } from '../publish/posted.ts';
import { issueTextAllowed, WITHHELD } from './issue-text.ts';

type Octo = Pick<Octokit, 'request'>;

export interface AssembledTask {
  task: Job['task'];
  review: ReviewComment[];
  mode: 'work' | 'plan';
}

/**
 * What one job asks of the agent, with everything it needs to know: an answered question, an
 * approved plan, the review (thread history only from trusted people), the issue behind a PR,
 * the failing CI output. Returns a result instead when there is nothing to do.
 */
export async function assembleTask(
  octokit: Octo,
  job: Job,
  deps: {
    threads: ThreadsPort;
    config: RepoConfig;
    appLogin: string;
    say: (text: Posted) => Promise<void>;
    /** The issue the job's PR closes, from the thread store (pull-state.ts): its text is what a follow-up is fed. */
    closes: number | null;
  },
): Promise<AssembledTask | { done: JobResult }> {
  const { config, threads } = deps;
  let task = await withAnswer(job, threads);
  const { owner, name: repo } = task.repo;
  if (task.action === 'approve') {
    const plan = await threads.takeQuestion(`${owner}/${repo}`, task.number);
    if (!plan) {
      await deps.say(md`**Patchwright** · nothing is waiting for approval here (job ${job.id}).`);
      return { done: { state: 'done', reason: 'nothing to approve' } };
    }
    task = { ...task, instructions: `The requester approved this plan; carry it out:\n${plan}` };
  }
  // `issueAuthors: permitted`: the issue's (or a human PR's) own text only when its author may start runs here.
  const own = await issueTextAllowed(octokit, task, task.number, config, deps.appLogin);
  if (!own.allowed) {
    if (!task.instructions.trim() && task.action === 'start') {
      await deps.say(
        md`**Patchwright** · ⚠️ #${task.number} was written by ${own.author ? login(own.author) : 'someone GitHub no longer shows'}, who does not have the permission this repository requires, and ${name('issueAuthors: permitted')} keeps such text from the model, so nothing was started. Comment ${name(`/${config.command} <what to do>`)} to describe the work yourself (job ${job.id}).`,
      );
      return { done: { state: 'done', reason: 'issue text withheld and no instructions' } };
    }
    task = { ...task, title: `${task.isPullRequest ? 'Pull request' : 'Issue'} #${task.number}`, body: WITHHELD };
  }
  if (task.action === 'retry' && task.isPullRequest) await announceRetry(octokit, task);
  const mode = config.approval === 'plan' && task.action === 'start' && !task.isPullRequest ? 'plan' : 'work';
  const reviewIds =
    task.trigger.kind === 'review' ? [task.trigger.reviewId, ...(task.trigger.moreReviewIds ?? [])] : [];
  const review = await withThreadHistory(
    octokit,
    owner,
    repo,
    task.number,
    (await Promise.all(reviewIds.map((id) => reviewComments(octokit, owner, repo, task.number, id)))).flat(),
    async (login) =>
      login === deps.appLogin ||
      meetsMinimum(await lookupPermission(octokit, owner, repo, login), config.minPermission),
  );
  if (task.trigger.kind === 'review') task = { ...task, instructions: reviewInstructions(task.instructions, review) };
  if (task.isPullRequest && deps.closes !== null) {
    const allowed = (await issueTextAllowed(octokit, task, deps.closes, config, deps.appLogin)).allowed;
    task = { ...task, body: await withOriginalIssue(octokit, task, deps.closes, allowed) };
  }
  if (task.trigger.kind === 'ci')
    task = { ...task, instructions: await ciFailureInstructions(octokit, owner, repo, task.trigger.checkSuiteId) };
  return { task, review, mode };
}

/** The PR body is about to be rewritten: keep what the previous attempt said in the thread. */
async function announceRetry(octokit: Octo, task: Job['task']): Promise<void> {
  // The previous body is the PR's (the model's summary, a template): quoted, and sanitized again like any text.
  const previous = task.body.split('\n## ')[0]!.trim().slice(0, 1500);
  const quoted = previous
    ? block(
        previous
          .split('\n')
          .map((l) => `> ${l}`)
          .join('\n'),
      )
    : md`> (nothing)`;
  await octokit
    .request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: task.repo.owner,
      repo: task.repo.name,
      issue_number: task.number,
      body: md`🔁 Starting over from the base branch at ${login(task.requester)}'s request${task.instructions ? ' (with new instructions)' : ''}. The previous attempt said:\n\n${quoted}` as unknown as string,
    })
    .catch(() => {});
}

/**
 * A follow-up's task text: the PR's body, then the issue it closes (the number the thread store
 * holds: a "Fixes #12" the model wrote in the body changes nothing), so the run knows the goal.
 */
async function withOriginalIssue(octokit: Octo, task: Job['task'], closes: number, allowed: boolean): Promise<string> {
  if (!allowed) return `${task.body}\n\nThe original issue #${closes}: ${WITHHELD}`;
  const issue = await octokit
    .request('GET /repos/{owner}/{repo}/issues/{issue_number}', {
      owner: task.repo.owner,
      repo: task.repo.name,
      issue_number: closes,
    })
    .then(
      (r) => r.data,
      () => null,
    );
  if (!issue) return task.body;
  return `${task.body}\n\nThe original issue #${closes}: ${issue.title}\n${issue.body ?? ''}`;
}

/** A `/agent <answer>` after a question: the next run gets the question and the answer. */
async function withAnswer(job: Job, threads: ThreadsPort): Promise<Job['task']> {
  const { task } = job;
  if (task.trigger.kind !== 'command' || task.action === 'approve') return task;
  const question = await threads.takeQuestion(`${task.repo.owner}/${task.repo.name}`, task.number);
  if (!question) return task;
  return {
    ...task,
    instructions: `Earlier you asked the requester: ${question}\nTheir answer: ${task.instructions || '(no text)'}`,
  };
}
