import { createNodeMiddleware } from 'probot';
import { BullWorkers } from '../adapters/redis/bull-workers.ts';
import { connectRedisState, type RedisState } from '../adapters/redis/redis-state.ts';
import { announceRecovery, createRuntime, listenHttp, runningJobs } from '../github/app-runtime.ts';
import { createApp } from '../github/create-app.ts';
import { backgroundWork, DASHBOARD_DEFAULTS, type ServerOptions } from './start-server.ts';
import { createDashboard } from '../dashboard/dashboard.ts';
import { dashboardGithub } from './dashboard-github.ts';

export type Role = 'web' | 'worker' | 'all';

/** How often a worker looks for stored jobs that never reached the queue. */
const SWEEP_MS = 60_000;

export interface ScaledServerOptions extends Omit<ServerOptions, 'pollMs'> {
  redis: { url: string; prefix: string; lockMs: number; insecure?: boolean };
  role: Role;
}

export interface ScaledServer {
  url: string;
  port: number;
  role: Role;
  state: RedisState;
  /** Null in a web process. */
  workers: BullWorkers | null;
  settled(): Promise<void>;
  /** SIGTERM: no new webhooks or jobs; running jobs get `graceMs`, then go back on the queue for another worker. */
  shutdown(graceMs: number): Promise<{ finished: number[]; requeued: number[] }>;
}

/**
 * One process of a scaled-out deployment: webhooks in (`web`), jobs run (`worker`) or both
 * (`all`), with every piece of shared state in Redis and the queue in BullMQ. Any number of these
 * run side by side on any number of machines.
 */
export async function startScaledServer(opts: ScaledServerOptions): Promise<ScaledServer> {
  let state: RedisState | undefined;
  let workers: BullWorkers | null = null;
  const rt = await createRuntime(opts, {
    queued: () => state?.jobs.queuedCount() ?? 0,
    busy: () => workers?.runningIds.length ?? 0,
  });
  const { probot, github, appSlug, metrics } = rt;
  const warn = (message: string, error: unknown) => probot.log.warn({ err: error }, message);
  state = await connectRedisState(opts.redis.url, opts.redis.prefix, warn, { insecure: opts.redis.insecure ?? false });
  const shared = state;
  const { background, settled } = backgroundWork();
  let webhooks: Awaited<ReturnType<typeof createNodeMiddleware>> | undefined;
  let dashboard: ReturnType<typeof createDashboard> | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  if (opts.role !== 'worker') {
    const appFn = createApp({
      background,
      jobs: shared.jobs,
      threads: shared.threads,
      appSlug: opts.appSlug,
      notifyWorkers: () => {},
      remoteWorkers: true,
      cancelRunning: (id, reason) => shared.requestCancel(id, reason),
      onDelivery: (event, result) => metrics.deliveries.inc({ event, result }),
    });
    webhooks = await createNodeMiddleware(appFn, { probot });
    const cancelRunning = (id: number, reason: string) => shared.requestCancel(id, reason);
    dashboard = createDashboard({
      runs: shared.runs,
      events: shared.events,
      jobChanges: (fn) => shared.onJobChange(fn),
      github: dashboardGithub({
        github,
        jobs: shared.jobs,
        runs: shared.runs,
        threads: shared.threads,
        cancelRunning,
        notifyWorkers: () => {},
      }),
      sessionKey: await shared.sessionKey(),
      ...DASHBOARD_DEFAULTS,
      ...opts.dashboard,
    });
  }
  if (opts.role !== 'web') {
    const current = runningJobs();
    const runJob = opts.createRunJob({
      github,
      threads: shared.threads,
      events: rt.tap(shared.events, current.get),
      appSlug,
    });
    const pool = new BullWorkers({
      connection: { url: opts.redis.url },
      prefix: `${opts.redis.prefix}:bull`,
      jobs: shared.jobs,
      runJob: current.track(rt.instrument(runJob)),
      concurrency: opts.concurrency,
      lockMs: opts.redis.lockMs,
      onTakeover: (job) => announceRecovery({ requeued: [job], failed: [] }, shared.threads, github, warn),
      onDied: async (id) => {
        const job = await shared.jobs.get(id);
        if (job) await announceRecovery({ requeued: [], failed: [job] }, shared.threads, github, warn);
      },
      log: (message, error) => warn(message, error),
    });
    shared.onCancel((id, reason) => pool.cancel(id, reason));
    pool.start();
    workers = pool;
    // A job stored by a web process that died before queueing it is found here (at start, then now and then).
    const sweep = () =>
      void shared.jobs
        .redispatchQueued()
        .catch((e: unknown) => warn('could not look for stored jobs that were never queued', e));
    sweep();
    sweeper = setInterval(sweep, SWEEP_MS);
    sweeper.unref();
  }
  const host = opts.host ?? '127.0.0.1';
  const { server, port } = await listenHttp({
    host,
    port: opts.port ?? 3000,
    metrics,
    metricsToken: opts.metricsToken,
    webhooks,
    dashboard,
    log: (m, e) => probot.log.error({ err: e }, m),
  });
  return {
    url: `http://${host}:${port}`,
    port,
    role: opts.role,
    state: shared,
    workers,
    settled,
    async shutdown(graceMs) {
      clearInterval(sweeper);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const result = (await workers?.shutdown(graceMs)) ?? { finished: [], requeued: [] };
      server.closeAllConnections();
      await closed;
      await Promise.race([settled(), new Promise((r) => setTimeout(r, 10_000))]);
      await shared.close();
      return result;
    },
  };
}
