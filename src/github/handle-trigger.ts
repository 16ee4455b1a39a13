import type { Octokit } from '@octokit/rest';
import type { JobsPort, ThreadsPort } from '../adapters/store/ports.ts';
import { defaultRepoConfig } from '../protocol/repo-config.ts';
import { lookupPermission, meetsMinimum } from './authorize.ts';
import { loadConfig, type ConfigOctokit } from './config/load-config.ts';
import { statusText } from './report/status-text.ts';
import { upsertTrackingComment } from './report/tracking-comment.ts';
import { classifyEvent, type ReactionTarget } from './triggers/classify-event.ts';
import { mayHaveCommand } from './triggers/parse-command.ts';
import type { Posted } from './publish/posted.ts';

export type TriggerOctokit = Pick<Octokit, 'request'> & ConfigOctokit;

export interface TriggerDeps {
  jobs: JobsPort;
  threads: ThreadsPort;
  botLogin: () => Promise<string>;
  /** Wakes the worker pool after a job is persisted. */
  notifyWorkers: () => void;
  /** Aborts a running job of this process; false when it runs nowhere here. */
  cancelRunning: (jobId: number, reason: string) => boolean | Promise<boolean>;
  /** Failures after the job is safely persisted are logged, never turned into a 5xx. */
  warn: (message: string, error: unknown) => void;
  /**
   * Work that follows the answer (the 👀 and the tracking comment): GitHub's write throttle spaces
   * writes about a second apart, so the webhook is answered once the job is persisted. Without
   * it, the acknowledgement is awaited before answering.
   */
  background?: (work: Promise<unknown>) => void;
  /**
   * Workers in other processes (scale-out): nothing orders this acknowledgement before the
   * worker's first write to the thread, so it is skipped once the job has started. In one process
   * the thread's write chain already puts it first.
   */
  remoteWorkers?: boolean;
}

/** The acknowledgement's guard against writing "queued" over a worker's newer status. */
export function unlessStarted(
  deps: Pick<TriggerDeps, 'jobs' | 'remoteWorkers'>,
  jobId: number,
): { skipIf?: () => Promise<boolean> } {
  return deps.remoteWorkers ? { skipIf: async () => (await deps.jobs.get(jobId))?.state !== 'queued' } : {};
}

export interface Delivery {
  name: string;
  id: string;
  payload: unknown;
}

export type TriggerResult =
  | { status: 'ignored'; reason: string }
  | { status: 'unauthorized' }
  | { status: 'invalid_config' }
  | { status: 'refused'; reason: string }
  | { status: 'stopped'; cancelled: number[] }
  | { status: 'duplicate'; jobId: number }
  | { status: 'queued'; jobId: number };

const EVENTS = new Set(['issues', 'issue_comment', 'pull_request_review']);

/**
 * The whole acknowledgement path of a webhook: classify, authorize, load config, dedupe,
 * persist, 👀 and the tracking comment. No agent work happens here.
 */
export async function handleTrigger(
  deps: TriggerDeps,
  octokit: TriggerOctokit,
  delivery: Delivery,
): Promise<TriggerResult> {
  const cheap = prefilter(delivery);
  if (cheap) return { status: 'ignored', reason: cheap };
  const { owner, repo, sender } = repoOf(delivery.payload);
  // Config and permission are independent round trips to GitHub: ask for both at once.
  const permission = lookupPermission(octokit, owner, repo, sender);
  permission.catch(() => {}); // awaited below unless the event is ignored
  const loaded = await loadConfig(octokit, owner, repo);
  const config = loaded.ok ? loaded.config : defaultRepoConfig;
  const classified = classifyEvent(delivery.name, delivery.payload, { config, botLogin: await deps.botLogin() });
  if (classified.kind === 'ignore') return { status: 'ignored', reason: classified.reason };
  const number = classified.kind === 'refuse' ? classified.number : classified.task.number;
  const thread = { owner, repo, number };
  const asked = classified.kind === 'refuse' || classified.task.trigger.kind === 'command';

  if (!meetsMinimum(await permission, config.minPermission)) {
    if (asked && (await deps.threads.claimPoliteReply(`${owner}/${repo}`, number))) {
      await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner,
        repo,
        issue_number: number,
        body: statusText.notAllowed(config.command) as unknown as string,
      });
    }
    return { status: 'unauthorized' };
  }
  if (!loaded.ok) {
    await upsertTrackingComment(octokit, deps.threads, thread, statusText.configInvalid(loaded.problems), {
      fresh: true,
    });
    return { status: 'invalid_config' };
  }
  if (classified.kind === 'refuse') return refuse(deps, octokit, thread, classified.reason, classified.text);
  const { task } = classified;
  const fork = await forkOf(octokit, task);
  if (fork !== undefined)
    return refuse(deps, octokit, thread, 'pull request comes from a fork', statusText.fork(config.command, fork));

  const key = `${owner}/${repo}`;
  if (task.action === 'stop') {
    const running = await deps.jobs.active(key, task.number);
    const queued = await deps.jobs.cancelQueued(key, task.number, `stopped by @${sender}`);
    const aborted = running ? await deps.cancelRunning(running.id, `stopped by @${sender}`) : false;
    await react(octokit, owner, repo, classified.reactTo);
    await upsertTrackingComment(
      octokit,
      deps.threads,
      thread,
      statusText.stopped(sender, aborted || queued.length > 0),
    );
    return { status: 'stopped', cancelled: [...queued.map((j) => j.id), ...(aborted && running ? [running.id] : [])] };
  }

  let notBefore: Date | undefined;
  if (task.trigger.kind === 'review' && config.followUp.batchSeconds > 0) {
    // A single line comment arrives as a review of its own with no body: wait a little for the
    // next ones, so a burst of comments is one run. A full review joins the batch and starts it.
    const single = task.trigger.state === 'commented' && !task.instructions.trim();
    const batch = await deps.jobs.absorbReview(key, task.number, task.trigger.reviewId, !single);
    if (batch) {
      await react(octokit, owner, repo, classified.reactTo).catch((e: unknown) => deps.warn('reaction failed', e));
      deps.notifyWorkers();
      return { status: 'queued', jobId: batch.id };
    }
    if (single) notBefore = new Date(Date.now() + config.followUp.batchSeconds * 1000);
  }
  const { job, duplicate } = await storeOrRefuse(() => deps.jobs.enqueue(delivery.id, task, notBefore));
  if (duplicate) return { status: 'duplicate', jobId: job.id };
  if (task.action === 'retry') {
    // A retry supersedes whatever was waiting or running for this PR.
    await deps.jobs.cancelQueued(key, task.number, `superseded by a retry from @${sender}`, job.id);
    const running = await deps.jobs.active(key, task.number);
    if (running) await deps.cancelRunning(running.id, `superseded by a retry from @${sender}`);
  }
  const behind = (await deps.jobs.active(key, task.number)) !== undefined;
  // In one process, the tracking comment's write is queued for the thread here, synchronously,
  // before any worker can write to it; with remote workers it is skipped once the job started.
  const ack = Promise.all([
    react(octokit, owner, repo, classified.reactTo),
    upsertTrackingComment(octokit, deps.threads, thread, statusText.queued(job.id, behind), {
      fresh: true,
      ...unlessStarted(deps, job.id),
    }),
  ]).catch((error: unknown) => deps.warn(`job ${job.id} is queued but the acknowledgement failed`, error));
  if (deps.background) deps.background(ack);
  else await ack;
  deps.notifyWorkers();
  return { status: 'queued', jobId: job.id };
}

/**
 * A command that would push (a follow-up or a retry) on a pull request from a fork: the fork's
 * full name (or null when GitHub no longer knows it), else undefined. The payload of a comment
 * does not say where a PR's head lives, so GitHub is asked.
 */
async function forkOf(
  octokit: TriggerOctokit,
  task: { isPullRequest: boolean; action: string; number: number; repo: { owner: string; name: string } },
): Promise<string | null | undefined> {
  if (!task.isPullRequest || (task.action !== 'follow_up' && task.action !== 'retry')) return undefined;
  // If GitHub cannot say, the worker asks again and refuses a fork there (pull-state.ts).
  const data = await octokit
    .request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
      owner: task.repo.owner,
      repo: task.repo.name,
      pull_number: task.number,
    })
    .then(
      (r) => r.data,
      () => null,
    );
  if (!data) return undefined;
  const head = (data.head as { repo?: { full_name?: string } | null }).repo?.full_name ?? null;
  return head !== null && head.toLowerCase() === `${task.repo.owner}/${task.repo.name}`.toLowerCase()
    ? undefined
    : head;
}

/** A plain answer on the thread (once per thread for the same words), and nothing queued. */
async function refuse(
  deps: TriggerDeps,
  octokit: TriggerOctokit,
  thread: { owner: string; repo: string; number: number },
  reason: string,
  text: Posted,
): Promise<TriggerResult> {
  await upsertTrackingComment(octokit, deps.threads, thread, text, { fresh: true }).catch((error: unknown) =>
    deps.warn('the refusal could not be posted', error),
  );
  return { status: 'refused', reason };
}

function prefilter({ name, payload }: Delivery): string | undefined {
  if (!EVENTS.has(name)) return `event ${name} starts nothing`;
  const p = payload as { action?: string; sender?: { type?: string }; comment?: { body?: string } };
  if (p.sender?.type === 'Bot') return 'sender is a bot';
  if (name === 'issues' && p.action !== 'labeled') return `issues.${p.action} starts nothing`;
  if (name === 'issue_comment' && (p.action !== 'created' || !mayHaveCommand(p.comment?.body))) return 'no command';
  if (name === 'pull_request_review' && p.action !== 'submitted') return `review ${p.action} starts nothing`;
  return undefined;
}

function repoOf(payload: unknown): { owner: string; repo: string; sender: string } {
  const p = payload as { repository: { name: string; owner: { login: string } }; sender: { login: string } };
  return { owner: p.repository.owner.login, repo: p.repository.name, sender: p.sender.login };
}

async function react(octokit: TriggerOctokit, owner: string, repo: string, target: ReactionTarget): Promise<void> {
  if (target.type === 'issue') {
    await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/reactions', {
      owner,
      repo,
      issue_number: target.number,
      content: 'eyes',
    });
    return;
  }
  await octokit.request('POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', {
    owner,
    repo,
    comment_id: target.id,
    content: 'eyes',
  });
}

/**
 * A delivery that cannot be stored (SQLite full, the disk full) is answered 503 with the reason,
 * not 200: GitHub then shows it as failed, and it can be redelivered once there is room.
 */
export async function storeOrRefuse<T>(store: () => T | Promise<T>): Promise<T> {
  try {
    return await store();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw Object.assign(
      new Error(
        `the delivery could not be stored (${message}); if the data dir's disk is full, free some space and redeliver it from the app's settings`,
      ),
      { status: 503 },
    );
  }
}
