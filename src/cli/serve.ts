import { run as runProbotSetup } from 'probot';
import { readAppCredentials } from '../adapters/env/read-app-credentials.ts';
import { readSettings } from '../adapters/env/read-settings.ts';
import { startServer } from '../github/start-server.ts';
import { createJobRunner } from '../github/run-job.ts';
import { NONE_WARNING } from '../adapters/sandbox/create-sandbox.ts';

/** `patchwright serve`: the GitHub App. Without credentials, Probot's manifest flow registers it. */
export async function serve(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const settings = readSettings(env);
  const creds = readAppCredentials(env);
  if (!creds) {
    console.log('No APP_ID / PRIVATE_KEY yet: open the page below to register the app from app.yml.');
    await runProbotSetup(() => {});
    return;
  }
  if (settings.sandbox === 'none') console.warn(NONE_WARNING);
  if (!env.OPENAI_API_KEY && !env.OPENAI_BASE_URL) console.warn('No model is configured (OPENAI_API_KEY or OPENAI_BASE_URL): jobs will end as model_error.');
  const server = await startServer({
    ...creds,
    dataDir: settings.dataDir,
    concurrency: settings.concurrency,
    appSlug: settings.appSlug,
    host: env.HOST ?? '0.0.0.0',
    port: Number(env.PORT ?? 3000),
    logLevel: (env.LOG_LEVEL as 'info' | undefined) ?? 'info',
    createRunJob: (ctx) => createJobRunner({ ...ctx, settings }),
  });
  console.log(`Patchwright listening on ${server.url} (data in ${settings.dataDir})`);
  const shutdown = async () => {
    console.log(`Stopping: running jobs get ${settings.shutdownGraceSeconds} s to finish; the rest run again at the next start.`);
    const { finished, requeued } = await server.shutdown(settings.shutdownGraceSeconds * 1000);
    console.log(`Stopped: ${finished.length} job(s) finished, ${requeued.length} requeued.`);
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
