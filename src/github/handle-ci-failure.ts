import type { Task } from '../protocol/task.ts';
import { loadConfig } from './config/load-config.ts';
import {
  unlessStarted,
  type Delivery,
  type TriggerDeps,
  type TriggerOctokit,
  type TriggerResult,
} from './handle-trigger.ts';
import { upsertTrackingComment } from './report/tracking-comment.ts';
import { classifyCi } from './triggers/classify-ci.ts';
import { md } from './publish/posted.ts';

/**
 * A failed check suite on the head of a Patchwright PR starts a fix run, at most
 * `fixCI.maxAttempts` times per PR; after that the tracking comment says what still fails.
 * CI events come from bots: there is no human to authorize, so only our own PRs qualify.
 */
export async function handleCiFailure(
  deps: TriggerDeps,
  octokit: TriggerOctokit,
  delivery: Delivery,
): Promise<TriggerResult> {
  const p = delivery.payload as {
    action?: string;
    check_suite?: { conclusion?: string | null };
    repository?: { name: string; owner: { login: string } };
  };
  if (
    p.action !== 'completed' ||
    !['failure', 'timed_out'].includes(p.check_suite?.conclusion ?? '') ||
    !p.repository
  ) {
    return { status: 'ignored', reason: 'not a failed check suite' };
  }
  const owner = p.repository.owner.login;
  const repo = p.repository.name;
  const loaded = await loadConfig(octokit, owner, repo);
  if (!loaded.ok) return { status: 'ignored', reason: 'invalid config' };
  const botLogin = await deps.botLogin();
  const ci = classifyCi(delivery.payload, loaded.config, botLogin.replace(/\[bot\]$/, ''));
  if (ci.kind === 'ignore') return { status: 'ignored', reason: ci.reason };
  const { data: pr } = await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
    owner,
    repo,
    pull_number: ci.pr,
  });
  if (pr.user?.login !== botLogin) return { status: 'ignored', reason: 'pull request was not opened by Patchwright' };
  if (pr.head.sha !== ci.headSha) return { status: 'ignored', reason: 'the check ran on an older commit' };
  const key = `${owner}/${repo}`;
  const thread = { owner, repo, number: ci.pr };
  const attempts = (await deps.jobs.forThread(key, ci.pr)).filter((j) => j.task.trigger.kind === 'ci').length;
  if (attempts >= loaded.config.fixCI.maxAttempts) {
    await upsertTrackingComment(
      octokit,
      deps.threads,
      thread,
      md`**Patchwright** · ⚠️ CI still fails on ${ci.headSha.slice(0, 10)} after ${attempts} fix attempt(s), the limit set by \`fixCI.maxAttempts\`. A human needs to look; \`/agent <instructions>\` starts another run.`,
    );
    return { status: 'ignored', reason: 'fixCI attempts used up' };
  }
  const task: Task = {
    action: 'follow_up',
    repo: {
      owner,
      name: repo,
      cloneUrl: (delivery.payload as { repository: { clone_url: string } }).repository.clone_url,
      defaultBranch: pr.base.ref,
    },
    installationId: ci.installationId,
    number: ci.pr,
    isPullRequest: true,
    title: pr.title,
    body: pr.body ?? '',
    instructions: '',
    requester: (await deps.threads.requester(key, ci.pr)) ?? botLogin,
    trigger: { kind: 'ci', checkSuiteId: ci.checkSuiteId, headSha: ci.headSha },
  };
  // One fix run per failing commit, however many suites or redeliveries report it.
  const { job, duplicate } = await deps.jobs.enqueue(`ci:${key}#${ci.pr}@${ci.headSha}`, task);
  if (duplicate) return { status: 'duplicate', jobId: job.id };
  try {
    await upsertTrackingComment(
      octokit,
      deps.threads,
      thread,
      md`**Patchwright** · ⏳ CI failed on ${ci.headSha.slice(0, 10)}; fix attempt ${attempts + 1} of ${loaded.config.fixCI.maxAttempts} queued (job ${job.id}).`,
      unlessStarted(deps, job.id),
    );
  } catch (error) {
    deps.warn(`job ${job.id} is queued but the acknowledgement failed`, error);
  }
  deps.notifyWorkers();
  return { status: 'queued', jobId: job.id };
}
