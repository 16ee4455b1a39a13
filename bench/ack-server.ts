// The app under benchmark, in its own process as in production: prints its URL, then serves.
import { startServer } from '../src/server/start-server.ts';
import { privateKey, SECRET, TestOctokit, tempDir } from '../test/support/app-harness.ts';

const [baseUrl, pem] = [process.argv[2], process.env.BENCH_PRIVATE_KEY];
const server = await startServer({
  dataDir: tempDir('pw-bench-'),
  concurrency: 2,
  appId: 1,
  privateKey: pem ?? privateKey(),
  secret: SECRET,
  appSlug: 'patchwright-bench',
  baseUrl,
  host: '127.0.0.1',
  port: 0,
  logLevel: 'fatal',
  Octokit: TestOctokit,
  createRunJob: () => async () => ({ state: 'done' }),
});
process.stdout.write(`${server.url}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
