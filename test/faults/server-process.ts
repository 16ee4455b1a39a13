import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { privateKey, SECRET } from '../support/app-harness.ts';

const NODE = path.resolve('node_modules/.bin/node');
const CLI = path.resolve('bin/patchwright.js');

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** SIGKILL, and wait until it is gone. */
  kill(): Promise<void>;
  /** SIGTERM, and wait for the exit code. */
  stop(): Promise<number | null>;
}

/**
 * `patchwright serve` as a real process, as deployed: GitHub at `githubUrl` (through GHE_HOST), the
 * model at `modelUrl`, state in `dataDir`, the bwrap sandbox. `extraEnv` adds fault points.
 */
export async function startServerProcess(o: {
  githubUrl: string;
  modelUrl: string;
  dataDir: string;
  extraEnv?: Record<string, string>;
  args?: string[];
}): Promise<ServerProcess> {
  const host = new URL(o.githubUrl).host;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    APP_ID: '1',
    PRIVATE_KEY: privateKey(),
    WEBHOOK_SECRET: SECRET,
    GHE_HOST: host,
    GHE_PROTOCOL: 'http',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    OPENAI_BASE_URL: o.modelUrl,
    OPENAI_API_KEY: 'test-key',
    PATCHWRIGHT_MODEL: 'gpt-5',
    PATCHWRIGHT_APP_SLUG: 'patchwright-test',
    PATCHWRIGHT_DATA_DIR: o.dataDir,
    PATCHWRIGHT_SANDBOX: 'bwrap',
    PATCHWRIGHT_CONCURRENCY: '1',
    ...o.extraEnv,
  };
  const child = spawn(NODE, [CLI, 'serve', ...(o.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${out}`)), 30_000);
    const look = () => {
      const m = /Patchwright listening on (http:\/\/[\d.:]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', look);
    void exited.then((code) => reject(new Error(`the server exited (${code}) before listening:\n${out}`)));
  });
  return {
    url,
    child,
    output: () => out,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Polls until `check` returns a value, or fails with `what` after `ms`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  ms = 90_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
