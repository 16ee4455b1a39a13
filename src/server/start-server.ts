import type { DatabaseSync } from 'node:sqlite';
import { createNodeMiddleware, type ProbotOctokit } from 'probot';
import { JobStore } from '../adapters/store/job-store.ts';
import { ThreadStore } from '../adapters/store/thread-store.ts';
import { EventLog } from '../adapters/store/event-log.ts';
import { openDatabase } from '../adapters/store/open-database.ts';
import { WorkerPool, type RunJob } from '../adapters/queue/worker-pool.ts';
import { createApp } from '../github/create-app.ts';
import { announceRecovery, createRuntime, listenHttp, runningJobs, type GithubAccess } from '../github/app-runtime.ts';
import { RunList } from '../adapters/store/run-list.ts';
import { dashboardSessionKey } from '../adapters/store/session-key.ts';
import { createDashboard, type DashboardOptions } from '../dashboard/dashboard.ts';
import { dashboardGithub } from './dashboard-github.ts';
import type { EventsPort, ThreadsPort } from '../adapters/store/ports.ts';

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
  logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  Octokit?: typeof ProbotOctokit;
  /** Builds the job runner once Probot is up, so it can ask for installation clients. */
  createRunJob: (ctx: RunnerContext) => RunJob;
  pollMs?: number;
  /** A bearer token `GET /metrics` asks for; unset, it is open (bind the port where that is fine). */
  metricsToken?: string | undefined;
  /** The dashboard at `/dashboard` (sign-in, permissions, energy factors); see dashboard.ts. */
  dashboard?: DashboardSettings;
}

export type DashboardSettings = Pick<
  DashboardOptions,
  'token' | 'oauth' | 'viewPermission' | 'energy' | 'webUrl' | 'secureCookies' | 'publicUrl'
>;

export type { GithubAccess } from '../github/app-runtime.ts';

export interface RunnerContext {
  github: GithubAccess;
  threads: ThreadsPort;
  events: EventsPort;
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
  const rt = await createRuntime(opts, {
    queued: () => jobs.queuedCount(),
    busy: () => poolRef?.runningIds.length ?? 0,
  });
  const { probot, github, appSlug, metrics } = rt;
  const events = new EventLog(db);
  const current = runningJobs();
  const runJob = opts.createRunJob({ github, threads, events: rt.tap(events, current.get), appSlug });
  const pool = new WorkerPool({
    store: jobs,
    runJob: current.track(rt.instrument(runJob)),
    concurrency: opts.concurrency,
    pollMs: opts.pollMs ?? 1000,
  });
  poolRef = pool;
  const { background, settled } = backgroundWork();
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
    github: dashboardGithub({
      github,
      jobs,
      runs,
      threads,
      cancelRunning: (id, reason) => pool.cancel(id, reason),
      notifyWorkers: () => pool.notify(),
    }),
    sessionKey: dashboardSessionKey(opts.dataDir),
    ...DASHBOARD_DEFAULTS,
    ...opts.dashboard,
  });
  const { server, port } = await listenHttp({
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 3000,
    metrics,
    metricsToken: opts.metricsToken,
    dashboard,
    webhooks: middleware,
    log: (message, error) => probot.log.error({ err: error }, message),
  });

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

/** The dashboard's settings when the caller gives none (serve always does, from the environment). */
export const DASHBOARD_DEFAULTS: DashboardSettings = {
  viewPermission: 'write',
  energy: { whPerCpuHour: 12, whPerThousandTokens: 0.3 },
  webUrl: 'https://github.com',
  secureCookies: false,
};

/** The acknowledgements' writes still under way after a webhook's answer: waited for by `settled` and before closing. */
export function backgroundWork(): { background: (work: Promise<unknown>) => void; settled: () => Promise<void> } {
  const pending = new Set<Promise<unknown>>();
  return {
    background: (work) => {
      pending.add(work);
      void work.finally(() => pending.delete(work));
    },
    settled: async () => {
      while (pending.size) await Promise.allSettled([...pending]);
    },
  };
}
