import { readSettings } from '../../src/adapters/env/read-settings.ts';
import { createJobRunner } from '../../src/github/run-job.ts';
import { startServer, type DashboardSettings, type RunningServer } from '../../src/server/start-server.ts';
import { privateKey, SECRET, TestOctokit, tempDir } from './app-harness.ts';

/** More of the deployment's settings (`PATCHWRIGHT_*` variables), and how many jobs run at once. */
export interface AppOptions {
  env?: Record<string, string>;
  concurrency?: number;
  /** The data dir to use (by default a new temp dir): a test that looks at the caches on disk names it. */
  dataDir?: string;
}

/**
 * The whole app as deployed: the real server with its worker, real bwrap (unless `more.env` says
 * otherwise), the OpenAI adapter talking to `modelUrl` and GitHub answered at `githubUrl`. One job
 * at a time unless asked, polled quickly.
 */
export async function startAppWithWorker(
  githubUrl: string,
  modelUrl: string,
  Octokit: typeof TestOctokit = TestOctokit,
  dashboard?: DashboardSettings,
  more: AppOptions = {},
): Promise<RunningServer> {
  const dataDir = more.dataDir ?? tempDir('pw-e2e-data-');
  // Never the real npm registry for a Node a repository asks for (a test names a stand-in to have one).
  const settings = readSettings({
    PATCHWRIGHT_DATA_DIR: dataDir,
    PATCHWRIGHT_SANDBOX: 'bwrap',
    OPENAI_BASE_URL: modelUrl,
    PATCHWRIGHT_MODEL: 'gpt-5',
    PATCHWRIGHT_NODE_REGISTRY: 'off',
    ...more.env,
  });
  return startServer({
    dataDir,
    concurrency: more.concurrency ?? 1,
    appId: 1,
    privateKey: privateKey(),
    secret: SECRET,
    appSlug: 'patchwright-test',
    baseUrl: githubUrl,
    port: 0,
    logLevel: 'fatal',
    Octokit,
    pollMs: 50,
    createRunJob: (ctx) => createJobRunner({ ...ctx, settings, env: { ...process.env, OPENAI_API_KEY: 'test-key' } }),
    ...(dashboard ? { dashboard } : {}),
  });
}
