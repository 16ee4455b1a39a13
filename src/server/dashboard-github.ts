import crypto from 'node:crypto';
import type { JobsPort, RunsPort, ThreadsPort } from '../adapters/store/ports.ts';
import type { DashboardGithub } from '../dashboard/dashboard.ts';
import { defaultRepoConfig } from '../protocol/repo-config.ts';
import type { Task } from '../protocol/task.ts';
import { lookupPermission, meetsMinimum, type Permission } from '../github/authorize.ts';
import { loadConfig } from '../github/config/load-config.ts';
import { statusText } from '../github/report/status-text.ts';
import { upsertTrackingComment } from '../github/report/tracking-comment.ts';
import type { GithubAccess } from '../github/app-runtime.ts';
import { login as loginName, md, name, type Posted } from '../github/publish/posted.ts';

const CACHE_MS = 60_000;

/**
 * What the dashboard asks of GitHub: people's permission on a repository (the same API as
 * triggers, cached for a minute), and the buttons, done as the `/agent` commands would be and
 * said on the issue's thread.
 */
export function dashboardGithub(deps: {
  github: GithubAccess;
  jobs: JobsPort;
  runs: RunsPort;
  threads: ThreadsPort;
  cancelRunning: (id: number, reason: string) => boolean | Promise<boolean>;
  notifyWorkers: () => void;
}): DashboardGithub {
  const cache = new Map<string, { at: number; value: Promise<unknown> }>();
  const cached = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.value as Promise<T>;
    const value = fn();
    cache.set(key, { at: Date.now(), value });
    value.catch(() => cache.delete(key));
    return value;
  };
  const installationOf = async (repo: string): Promise<number | null> =>
    (await deps.runs.page({ repos: null, repo }, 1, 0)).rows[0]?.installationId ?? null;
  const octokitFor = async (repo: string) => {
    const id = await installationOf(repo);
    if (id === null) throw new Error(`no installation is known for ${repo}`);
    return deps.github.forInstallation(id);
  };
  const split = (repo: string) => {
    const [owner = '', name = ''] = repo.split('/');
    return { owner, name };
  };
  const permission = (repo: string, login: string): Promise<Permission> =>
    cached(`perm:${repo}:${login}`, async () => {
      const { owner, name } = split(repo);
      return lookupPermission((await octokitFor(repo)) as never, owner, name, login);
    });
  const minimum = (repo: string): Promise<Permission> =>
    cached(`min:${repo}`, async () => {
      const { owner, name } = split(repo);
      const loaded = await loadConfig((await octokitFor(repo)) as never, owner, name);
      return loaded.ok ? loaded.config.minPermission : defaultRepoConfig.minPermission;
    });

  /** Says on the thread what was done from the dashboard, as the command would have, and returns the comment's id. */
  const say = async (task: Task, text: Posted): Promise<number> => {
    const octokit = await octokitFor(`${task.repo.owner}/${task.repo.name}`);
    const res = await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: task.repo.owner,
      repo: task.repo.name,
      issue_number: task.number,
      body: text as unknown as string,
    });
    return Number((res.data as { id?: number }).id ?? 0);
  };

  return {
    async mayView(repo, login, minimumView) {
      return meetsMinimum(await permission(repo, login).catch(() => 'none' as const), minimumView as Permission);
    },
    async mayAct(repo, login) {
      const [p, min] = await Promise.all([
        permission(repo, login).catch(() => 'none' as const),
        minimum(repo).catch(() => defaultRepoConfig.minPermission),
      ]);
      return meetsMinimum(p, min);
    },
    async stop(jobId, login) {
      const job = await deps.jobs.get(jobId);
      if (!job) return;
      const key = job.repo;
      const running = await deps.jobs.active(key, job.number);
      const queued = await deps.jobs.cancelQueued(key, job.number, `stopped from the dashboard by @${login}`);
      const aborted = running ? await deps.cancelRunning(running.id, `stopped from the dashboard by @${login}`) : false;
      await say(job.task, md`\`/agent stop\` — stopped from the dashboard by ${loginName(login)}`);
      const octokit = await octokitFor(key);
      await upsertTrackingComment(
        octokit as never,
        deps.threads,
        { owner: job.task.repo.owner, repo: job.task.repo.name, number: job.number },
        statusText.stopped(login, aborted || queued.length > 0),
      );
    },
    async retry(jobId, login) {
      return enqueue(jobId, login, 'retry', 'retried');
    },
    async approve(jobId, login) {
      return enqueue(jobId, login, 'approve', 'plan approved');
    },
  };

  async function enqueue(
    jobId: number,
    login: string,
    action: 'retry' | 'approve',
    words: string,
  ): Promise<number | null> {
    const job = await deps.jobs.get(jobId);
    if (!job) return null;
    const commentId = await say(
      job.task,
      md`${name(`/agent ${action}`)} — ${words} from the dashboard by ${loginName(login)}`,
    );
    const task: Task = {
      ...job.task,
      action,
      requester: login,
      instructions: '',
      trigger: { kind: 'command', commentId, command: action },
    };
    const { job: queued } = await deps.jobs.enqueue(`dashboard-${crypto.randomUUID()}`, task);
    if (action === 'retry') {
      await deps.jobs.cancelQueued(job.repo, job.number, `superseded by a retry from @${login}`, queued.id);
      const running = await deps.jobs.active(job.repo, job.number);
      if (running && running.id !== queued.id)
        await deps.cancelRunning(running.id, `superseded by a retry from @${login}`);
    }
    const octokit = await octokitFor(job.repo);
    await upsertTrackingComment(
      octokit as never,
      deps.threads,
      { owner: job.task.repo.owner, repo: job.task.repo.name, number: job.number },
      statusText.queued(queued.id, false),
      { fresh: true },
    );
    deps.notifyWorkers();
    return queued.id;
  }
}
