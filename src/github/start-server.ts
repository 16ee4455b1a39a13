import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DatabaseSync } from 'node:sqlite';
import { createNodeMiddleware, Probot, type ProbotOctokit } from 'probot';
import { JobStore, type Job } from '../adapters/store/job-store.ts';
import { ThreadStore } from '../adapters/store/thread-store.ts';
import { EventLog } from '../adapters/store/event-log.ts';
import { openDatabase } from '../adapters/store/open-database.ts';
import { WorkerPool, type RunJob } from '../adapters/queue/worker-pool.ts';
import { AppOctokit } from './app-octokit.ts';
import { createApp } from './create-app.ts';
import { statusText } from './report/status-text.ts';
import { upsertTrackingComment } from './report/tracking-comment.ts';
import { RunList } from '../adapters/store/run-list.ts';
import { dashboardSessionKey } from '../adapters/store/session-key.ts';
import { createDashboard, type DashboardOptions } from '../dashboard/dashboard.ts';
import { dashboardGithub } from './dashboard-github.ts';
import { AppMetrics } from '../adapters/metrics/app-metrics.ts';
import { githubMetrics, serveMetrics } from './serve-metrics.ts';

export interface ServerOptions {
  dataDir: string;
  concurrency: number;
  appId: string | number;
  privateKey: string;
  secret: string;
  appSlug?: string | undefined;
  /** GitHub API base URL (GitHub Enterprise, or a local fake in tests). */
  baseUrl?: string | undefined;
  host?: string;
  port?: number;
  logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  Octokit?: typeof ProbotOctokit;
  /** Builds the job runner once Probot is up, so it can ask for installation clients. */
  createRunJob: (ctx: RunnerContext) => RunJob;
  pollMs?: number;
  /** A bearer token `GET /metrics` asks for; unset, it is open (bind the port where that is fine). */
  metricsToken?: string | undefined;
  /** The dashboard at `/dashboard` (sign-in, permissions, energy factors); see dashboard.ts. */
  dashboard?: DashboardSettings;
}

export type DashboardSettings = Pick<DashboardOptions, 'token' | 'oauth' | 'viewPermission' | 'energy' | 'webUrl' | 'secureCookies'>;

export interface GithubAccess {
  forInstallation(installationId: number): Promise<ProbotOctokit>;
}

export interface RunnerContext {
  github: GithubAccess;
  threads: ThreadStore;
  events: EventLog;
  /** The app's slug (its bot is `<slug>[bot]`). */
  appSlug: () => Promise<string>;
}

export interface RunningServer {
  url: string;
  port: number;
  jobs: JobStore;
  threads: ThreadStore;
  pool: WorkerPool;
  db: DatabaseSync;
  /** Every job's events, persisted and live (the app server's GitHub threads watch it). */
  events: EventLog;
  /** Stops taking webhooks and jobs; running jobs stay `running` so the next start requeues them. */
  close(): Promise<void>;
  /** Resolves when the acknowledgements' writes (👀, tracking comment) that follow the answers are done. */
  settled(): Promise<void>;
  /** SIGTERM: stop answering, let running jobs finish within `graceMs`, requeue the rest, close. */
  shutdown(graceMs: number): Promise<{ finished: number[]; requeued: number[] }>;
}

/** Starts Probot's webhook middleware on our own HTTP server, recovers jobs, starts the workers. */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const db = openDatabase(opts.dataDir);
  const jobs = new JobStore(db);
  const threads = new ThreadStore(db);
  let poolRef: WorkerPool | undefined;
  const metrics = new AppMetrics({ queued: () => jobs.queuedCount(), busy: () => poolRef?.runningIds.length ?? 0, concurrency: opts.concurrency });
  const probot = new Probot({
    appId: opts.appId,
    privateKey: opts.privateKey,
    secret: opts.secret,
    baseUrl: opts.baseUrl,
    logLevel: opts.logLevel ?? 'info',
    Octokit: (opts.Octokit ?? AppOctokit).plugin(githubMetrics(metrics)),
  });
  const github: GithubAccess = { forInstallation: (id) => probot.auth(id) };
  let slug: Promise<string> | undefined;
  const appSlug = () =>
    (slug ??= opts.appSlug
      ? Promise.resolve(opts.appSlug)
      : probot.auth().then(async (o) => String((await o.request('GET /app')).data?.slug ?? 'patchwright')));
  const events = new EventLog(db);
  const jobLogs = new Map<number, ReturnType<typeof probot.log.child>>();
  const jobLog = (job: Job) => {
    let log = jobLogs.get(job.id);
    if (!log) jobLogs.set(job.id, (log = probot.log.child({ jobId: job.id, delivery: job.deliveryId, repo: job.repo, number: job.number })));
    return log;
  };
  const models = new Map<number, string | undefined>();
  events.listen((jobId, e) => {
    if (e.type === 'run.phase' || e.type === 'run.completed') {
      const job = jobs.get(jobId);
      if (job) jobLog(job).info(e.type === 'run.phase' ? { phase: e.phase } : { outcome: e.outcome }, e.type === 'run.phase' ? 'job phase' : 'run completed');
    }
    if (e.type === 'run.started') models.set(jobId, e.model);
    metrics.onEvent(e, models.get(jobId));
    if (e.type === 'run.completed') models.delete(jobId);
  });
  events.listenPullRequests((jobId) => {
    const job = jobs.get(jobId);
    if (job) metrics.timeToPr.observe((Date.now() - Date.parse(job.createdAt)) / 1000);
  });
  const runJob = opts.createRunJob({ github, threads, events, appSlug });
  const pool = new WorkerPool({
    store: jobs,
    runJob: async (job, signal) => {
      metrics.queueWait.observe(Math.max(0, Date.now() - Date.parse(job.createdAt)) / 1000);
      // Every line the app logs about a job carries its id and delivery (see jobLog).
      const log = jobLog(job);
      log.info({ attempt: job.attempts, action: job.action }, 'job started');
      const result = await runJob(job, signal);
      log.info({ state: result.state, outcome: result.outcome, reason: result.reason }, 'job finished');
      jobLogs.delete(job.id);
      return result;
    },
    concurrency: opts.concurrency,
    pollMs: opts.pollMs ?? 1000,
    onError: (job, error) => jobLog(job).error({ err: error }, 'job crashed'),
  });
  poolRef = pool;
  // The acknowledgements' writes still under way: waited for by `settled` and before closing.
  const pending = new Set<Promise<unknown>>();
  const background = (work: Promise<unknown>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };
  const settled = async () => {
    while (pending.size) await Promise.allSettled([...pending]);
  };
  const appFn = createApp({
    background,
    jobs,
    threads,
    appSlug: opts.appSlug,
    notifyWorkers: () => pool.notify(),
    cancelRunning: (id, reason) => pool.cancel(id, reason),
    onDelivery: (event, result) => metrics.deliveries.inc({ event, result }),
  });
  const middleware = await createNodeMiddleware(appFn, { probot });
  const runs = new RunList(db);
  const dashboard = createDashboard({
    runs,
    events,
    jobChanges: (fn) => jobs.listen(fn),
    github: dashboardGithub({ github, jobs, runs, threads, cancelRunning: (id, reason) => pool.cancel(id, reason), notifyWorkers: () => pool.notify() }),
    sessionKey: dashboardSessionKey(opts.dataDir),
    viewPermission: 'write',
    energy: { whPerCpuHour: 12, whPerThousandTokens: 0.3 },
    webUrl: 'https://github.com',
    secureCookies: false,
    ...opts.dashboard,
  });
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/dashboard')) {
      dashboard(req, res).catch((error: unknown) => {
        probot.log.error({ err: error }, 'dashboard request failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('The dashboard failed on this request; see the server log.\n');
      });
      return;
    }
    if (req.url === '/metrics' || req.url?.startsWith('/metrics?')) {
      serveMetrics(req, res, metrics, opts.metricsToken);
      return;
    }
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    const tooBig = bodyTooBig(req);
    if (tooBig) {
      // Answered before a byte of the body is read, so an oversized body costs no memory.
      res.writeHead(tooBig.status, { 'content-type': 'text/plain', connection: 'close' }).end(tooBig.text);
      req.destroy();
      return;
    }
    void middleware(req, res, () => res.writeHead(404).end());
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 3000, opts.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  await announceRecovery(jobs.recover(), threads, github, (msg, err) => probot.log.warn({ err }, msg));
  pool.start();

  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    jobs,
    threads,
    pool,
    db,
    events,
    settled,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await Promise.race([settled(), new Promise((r) => setTimeout(r, 10_000))]);
      await pool.stop();
      db.close();
    },
    async shutdown(graceMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const result = await pool.shutdown(graceMs);
      server.closeAllConnections();
      await closed;
      await Promise.race([settled(), new Promise((r) => setTimeout(r, 10_000))]);
      db.close();
      return result;
    },
  };
}

/** GitHub caps webhook payloads at 25 MB and always says how long they are. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

function bodyTooBig(req: http.IncomingMessage): { status: number; text: string } | null {
  if (req.method !== 'POST') return null;
  const length = Number(req.headers['content-length']);
  if (req.headers['content-length'] === undefined || !Number.isFinite(length)) return { status: 411, text: 'a webhook delivery must say its Content-Length\n' };
  if (length > MAX_WEBHOOK_BYTES) return { status: 413, text: `a webhook delivery is at most ${MAX_WEBHOOK_BYTES} bytes\n` };
  return null;
}

async function announceRecovery(
  recovered: { requeued: Job[]; failed: Job[] },
  threads: ThreadStore,
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
