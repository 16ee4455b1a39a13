import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { run as runProbotSetup } from 'probot';
import type { Settings } from '../adapters/env/read-settings.ts';
import { GithubWatch } from '../app-server/github-watch.ts';
import { appServerCore } from '../app-server/start-app-server.ts';
import { parseListenUrl, serveWebSocket, type WsListener } from '../app-server/transports.ts';
import type { DashboardSettings, ServerOptions } from '../server/start-server.ts';
import type { EventsPort, JobsPort } from '../adapters/store/ports.ts';
import { readAppCredentials } from '../adapters/env/read-app-credentials.ts';
import { readSettings, SettingsError } from '../adapters/env/read-settings.ts';
import { startScaledServer } from '../server/start-scaled-server.ts';
import { startServer } from '../server/start-server.ts';
import { createJobRunner } from '../github/run-job.ts';
import { NONE_WARNING } from '../adapters/sandbox/create-sandbox.ts';

/** `patchwright serve`: the GitHub App. Without credentials, Probot's manifest flow registers it. */
export async function serve(argv: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { 'app-server': { type: 'string' }, 'ws-token-file': { type: 'string' }, role: { type: 'string' } },
  });
  const settings = readSettings(values.role ? { ...env, PATCHWRIGHT_ROLE: values.role } : env);
  const appServerListen = values['app-server'] ?? settings.appServer.listen;
  const tokenFile = values['ws-token-file'] ?? settings.appServer.tokenFile;
  const creds = readAppCredentials(env);
  if (!creds) {
    console.log('No APP_ID / PRIVATE_KEY yet: open the page below to register the app from app.yml.');
    await runProbotSetup(() => {});
    return;
  }
  if (settings.redis)
    return serveScaled(
      settings,
      settings.redis,
      creds,
      env,
      appServerListen ? { listen: appServerListen, tokenFile } : null,
    );
  if (settings.role !== 'all')
    throw new SettingsError(
      `--role ${settings.role} needs PATCHWRIGHT_REDIS_URL: without Redis, one process takes webhooks and runs jobs (role all)`,
    );
  if (settings.sandbox === 'none') console.warn(NONE_WARNING);
  if (!env.OPENAI_API_KEY && !env.OPENAI_BASE_URL)
    console.warn('No model is configured (OPENAI_API_KEY or OPENAI_BASE_URL): jobs will end as model_error.');
  const server = await startServer({ ...processOptions(settings, creds), dashboard: dashboardSettings(settings) });
  console.log(`Patchwright listening on ${server.url} (data in ${settings.dataDir})`);
  const appServer = appServerListen
    ? await startServeAppServer(appServerListen, tokenFile, settings, env, server)
    : null;
  if (appServer) console.log(`App server (Codex protocol) on ${appServer.url}: GitHub jobs are threads there`);
  const shutdown = async () => {
    console.log(
      `Stopping: running jobs get ${settings.shutdownGraceSeconds} s to finish; the rest run again at the next start.`,
    );
    await appServer?.close();
    const { finished, requeued } = await server.shutdown(settings.shutdownGraceSeconds * 1000);
    console.log(`Stopped: ${finished.length} job(s) finished, ${requeued.length} requeued.`);
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

/** What every `serve` process is started with, whatever its mode. */
function processOptions(settings: Settings, creds: NonNullable<ReturnType<typeof readAppCredentials>>): ServerOptions {
  return {
    ...creds,
    dataDir: settings.dataDir,
    concurrency: settings.concurrency,
    appSlug: settings.appSlug,
    host: settings.server.host,
    port: settings.server.port,
    logLevel: settings.server.logLevel,
    createRunJob: (ctx) => createJobRunner({ ...ctx, settings }),
    metricsToken: settings.server.metricsToken,
  };
}

/** `serve` in scale-out mode: one web, worker or all-in-one process of many, sharing Redis. */
async function serveScaled(
  settings: Settings,
  redis: NonNullable<Settings['redis']>,
  creds: NonNullable<ReturnType<typeof readAppCredentials>>,
  env: NodeJS.ProcessEnv,
  appServerAt: { listen: string; tokenFile: string | undefined } | null,
): Promise<void> {
  if (settings.role !== 'web' && settings.sandbox === 'none') console.warn(NONE_WARNING);
  const server = await startScaledServer({
    ...processOptions(settings, creds),
    dashboard: dashboardSettings(settings),
    redis,
    role: settings.role,
  });
  const what = {
    web: 'takes webhooks',
    worker: `runs jobs (${settings.concurrency} at a time)`,
    all: `takes webhooks and runs jobs (${settings.concurrency} at a time)`,
  }[settings.role];
  console.log(
    `Patchwright listening on ${server.url} (role ${settings.role}: ${what}; shared state in Redis under "${redis.prefix}")`,
  );
  // Every job of the deployment is a thread here, whichever worker runs it (jobs and events are read from Redis).
  const appServer = appServerAt
    ? await startServeAppServer(appServerAt.listen, appServerAt.tokenFile, settings, env, server.state)
    : null;
  if (appServer)
    console.log(
      `App server (Codex protocol) on ${appServer.url}: every GitHub job of the deployment is a thread there`,
    );
  const shutdown = async () => {
    await appServer?.close();
    const { finished, requeued } = await server.shutdown(settings.shutdownGraceSeconds * 1000);
    console.log(`Stopped: ${finished.length} job(s) finished, ${requeued.length} back on the queue.`);
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

/**
 * The app server inside `patchwright serve` (`--app-server ws://HOST:PORT`): local threads as in
 * `patchwright app-server`, plus every GitHub job as a thread a Codex client can watch live.
 */
export async function startServeAppServer(
  listen: string,
  tokenFile: string | undefined,
  settings: Settings,
  env: NodeJS.ProcessEnv,
  server: { jobs: JobsPort; events: EventsPort },
): Promise<WsListener & { closeAll(): Promise<void> }> {
  const token = tokenFile ? fs.readFileSync(tokenFile, 'utf8').trim() : undefined;
  if (tokenFile && !token) throw new Error(`${tokenFile} is empty: put the bearer token clients must send in it`);
  const watch = new GithubWatch(server.jobs, server.events, settings.model);
  const { hub, facts, db } = appServerCore(settings, env, { watch });
  const listener = await serveWebSocket({ ...parseListenUrl(listen), ...(token ? { token } : {}) }, hub, facts);
  const closeAll = async () => {
    await listener.close();
    await hub.stopAll();
    db.close();
  };
  return { ...listener, close: closeAll, closeAll };
}

/** The dashboard's settings (see docs/operations/dashboard.md). */
export function dashboardSettings(settings: Settings): DashboardSettings {
  const { webUrl, apiUrl } = settings.github;
  const d = settings.dashboard;
  return {
    token: d.token,
    oauth: d.oauth ? { ...d.oauth, webUrl, apiUrl } : undefined,
    viewPermission: d.viewPermission,
    energy: settings.energy,
    webUrl,
    publicUrl: d.publicUrl,
    secureCookies: (d.publicUrl ?? '').startsWith('https://'),
  };
}
