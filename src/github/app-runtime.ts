import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Probot, type ProbotOctokit } from 'probot';
import { createAppLog, inJob } from '../adapters/log/app-log.ts';
import { AppMetrics } from '../adapters/metrics/app-metrics.ts';
import type { RunJob } from '../adapters/queue/worker-pool.ts';
import type { Job } from '../adapters/store/job-store.ts';
import type { EventsPort, ThreadsPort } from '../adapters/store/ports.ts';
import type { RunEvent } from '../protocol/run-event.ts';
import { AppOctokit } from './app-octokit.ts';
import { statusText } from './report/status-text.ts';
import { upsertTrackingComment } from './report/tracking-comment.ts';
import { githubMetrics, serveMetrics } from './serve-metrics.ts';
import { postedOnly } from './posted-octokit.ts';
import { scopedClient, type Permissions } from './repository-token.ts';

export interface GithubAccess {
  /** A client with the installation's own token (every repository, every permission the app has). */
  forInstallation(installationId: number): Promise<ProbotOctokit>;
  /**
   * A client, and a token for git, limited to one repository (or null: every one) and `permissions`:
   * a job gets no more than it needs (repository-token.ts). Fails when the installation does not own it.
   */
  scoped(
    installationId: number,
    repositories: string[] | null,
    permissions: Permissions,
  ): Promise<{ octokit: ProbotOctokit; token: () => Promise<string> }>;
}

export interface RuntimeOptions {
  appId: string | number;
  privateKey: string;
  secret: string;
  appSlug?: string | undefined;
  baseUrl?: string | undefined;
  logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  Octokit?: typeof ProbotOctokit;
  concurrency: number;
}

/** What every process of the app has, whatever its role: Probot, GitHub clients, metrics, job logs. */
export interface AppRuntime {
  probot: Probot;
  github: GithubAccess;
  appSlug: () => Promise<string>;
  metrics: AppMetrics;
  /** The runner, measured and logged: queue wait, start and end records with the job's ids. */
  instrument: (runJob: RunJob) => RunJob;
  /** The events port the runner writes through: also feeds this process's metrics and job logs. */
  tap: (events: EventsPort, jobOf: (jobId: number) => Job | undefined) => EventsPort;
}

export async function createRuntime(
  opts: RuntimeOptions,
  live: { queued: () => number | Promise<number>; busy: () => number },
): Promise<AppRuntime> {
  const metrics = new AppMetrics({ ...live, concurrency: opts.concurrency });
  const probot = new Probot({
    appId: opts.appId,
    privateKey: opts.privateKey,
    secret: opts.secret,
    baseUrl: opts.baseUrl,
    log: await createAppLog(opts.logLevel ?? 'info'),
    // Every client the app makes (webhooks, workers, the dashboard) posts through the sanitizer's choke point.
    Octokit: (opts.Octokit ?? AppOctokit).plugin(githubMetrics(metrics), postedOnly),
  });
  const github: GithubAccess = {
    forInstallation: (id) => probot.auth(id),
    scoped: (id, repositories, permissions) => scopedClient(probot, id, repositories, permissions),
  };
  let slug: Promise<string> | undefined;
  const appSlug = () =>
    (slug ??= opts.appSlug
      ? Promise.resolve(opts.appSlug)
      : probot.auth().then(async (o) => String((await o.request('GET /app')).data?.slug ?? 'patchwright')));
  const log = probot.log;
  // Every line logged while a job's work runs (ours, Probot's, Octokit's rate-limit warnings)
  // carries its id, delivery, repository and number: see app-log.ts.
  const instrument =
    (runJob: RunJob): RunJob =>
    (job, signal) =>
      inJob({ jobId: job.id, delivery: job.deliveryId, repo: job.repo, number: job.number }, async () => {
        metrics.queueWait.observe(Math.max(0, Date.now() - Date.parse(job.createdAt)) / 1000);
        log.info({ attempt: job.attempts, action: job.action }, 'job started');
        try {
          const result = await runJob(job, signal);
          log.info({ state: result.state, outcome: result.outcome, reason: result.reason }, 'job finished');
          return result;
        } catch (error) {
          log.error({ err: error }, 'job crashed');
          throw error;
        }
      });
  const tap = (events: EventsPort, jobOf: (jobId: number) => Job | undefined): EventsPort => {
    const models = new Map<number, string | undefined>();
    const observe = (jobId: number, e: RunEvent) => {
      if (e.type === 'run.phase' || e.type === 'run.completed') {
        log.info(
          e.type === 'run.phase' ? { phase: e.phase } : { outcome: e.outcome },
          e.type === 'run.phase' ? 'job phase' : 'run completed',
        );
      }
      if (e.type === 'run.started') models.set(jobId, e.model);
      metrics.onEvent(e, models.get(jobId));
      if (e.type === 'run.completed') models.delete(jobId);
    };
    return {
      appender: async (jobId) => {
        const write = await events.appender(jobId);
        return (e) => {
          write(e);
          observe(jobId, e);
        };
      },
      notePullRequest: async (jobId, url) => {
        const job = jobOf(jobId);
        if (job) metrics.timeToPr.observe((Date.now() - Date.parse(job.createdAt)) / 1000);
        await events.notePullRequest(jobId, url);
      },
      list: (jobId) => events.list(jobId),
      listen: (fn) => events.listen(fn),
    };
  };
  return { probot, github, appSlug, metrics, instrument, tap };
}

/** Keeps the jobs a runner is working on, so event taps know their delivery and age. */
export function runningJobs(): { track: (runJob: RunJob) => RunJob; get: (jobId: number) => Job | undefined } {
  const jobs = new Map<number, Job>();
  return {
    track: (runJob) => async (job, signal) => {
      jobs.set(job.id, job);
      try {
        return await runJob(job, signal);
      } finally {
        jobs.delete(job.id);
      }
    },
    get: (id) => jobs.get(id),
  };
}

/** GitHub caps webhook payloads at 25 MB and always says how long they are. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

export function bodyTooBig(req: http.IncomingMessage): { status: number; text: string } | null {
  if (req.method !== 'POST') return null;
  const length = Number(req.headers['content-length']);
  if (req.headers['content-length'] === undefined || !Number.isFinite(length))
    return { status: 411, text: 'a webhook delivery must say its Content-Length\n' };
  if (length > MAX_WEBHOOK_BYTES)
    return { status: 413, text: `a webhook delivery is at most ${MAX_WEBHOOK_BYTES} bytes\n` };
  return null;
}

/**
 * The app's HTTP server: `/metrics`, `/healthz`, the dashboard when there is one, and webhooks
 * when this process takes them (a worker answers 404 to anything else).
 */
export async function listenHttp(o: {
  host: string;
  port: number;
  metrics: AppMetrics;
  metricsToken: string | undefined;
  dashboard?: ((req: http.IncomingMessage, res: http.ServerResponse) => Promise<unknown>) | undefined;
  webhooks?: ((req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => unknown) | undefined;
  log: (message: string, error: unknown) => void;
}): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    if (o.dashboard && req.url?.startsWith('/dashboard')) {
      o.dashboard(req, res).catch((error: unknown) => {
        o.log('dashboard request failed', error);
        if (!res.headersSent)
          res
            .writeHead(500, { 'content-type': 'text/plain' })
            .end('The dashboard failed on this request; see the server log.\n');
      });
      return;
    }
    if (req.url === '/metrics' || req.url?.startsWith('/metrics?')) {
      serveMetrics(req, res, o.metrics, o.metricsToken);
      return;
    }
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (!o.webhooks) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('this process is a worker: it takes no webhooks\n');
      return;
    }
    const tooBig = bodyTooBig(req);
    if (tooBig) {
      // Answered before a byte of the body is read, so an oversized body costs no memory.
      res.writeHead(tooBig.status, { 'content-type': 'text/plain', connection: 'close' }).end(tooBig.text);
      req.destroy();
      return;
    }
    void o.webhooks(req, res, () => res.writeHead(404).end());
  });
  await new Promise<void>((resolve) => server.listen(o.port, o.host, resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Says on each thread that its job starts over (its process died) or failed (it died twice). */
export async function announceRecovery(
  recovered: { requeued: Job[]; failed: Job[] },
  threads: ThreadsPort,
  github: GithubAccess,
  warn: (msg: string, err: unknown) => void,
): Promise<void> {
  const notes = [
    ...recovered.requeued.map((job) => ({ job, text: statusText.restarted(job.id) })),
    ...recovered.failed.map((job) => ({ job, text: statusText.diedTwice(job.id) })),
  ];
  for (const { job, text } of notes) {
    if (job.task.installationId === null) continue;
    try {
      const octokit = await github.forInstallation(job.task.installationId);
      const thread = { owner: job.task.repo.owner, repo: job.task.repo.name, number: job.number };
      await upsertTrackingComment(octokit, threads, thread, text);
    } catch (error) {
      warn(`could not update the tracking comment of job ${job.id}`, error);
    }
  }
}
