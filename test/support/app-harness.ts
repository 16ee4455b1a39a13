import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProbotOctokit } from 'probot';
import type { RunJob } from '../../src/adapters/queue/worker-pool.ts';
import { startServer, type RunningServer } from '../../src/server/start-server.ts';
import { rememberRepository } from './github-fake.ts';

export const SECRET = 'test-webhook-secret';
export const APP_SLUG = 'patchwright-test';
export const BOT_LOGIN = `${APP_SLUG}[bot]`;

let key: string | undefined;
/** An RSA key made at run time: no key is ever committed. */
export function privateKey(): string {
  key ??= crypto
    .generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();
  return key;
}

/**
 * Retry and throttling off. A function, not an object: Probot passes its own throttle options
 * per instance, and an object default would be replaced by them wholesale.
 */
export const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...(options.throttle as object), enabled: false },
}));

export function tempDir(prefix = 'pw-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface HarnessOptions {
  dataDir?: string;
  runJob?: RunJob;
  concurrency?: number;
}

/** The real server on a loopback port, with GitHub behind nock. */
export async function startTestServer(opts: HarnessOptions = {}): Promise<RunningServer & { dataDir: string }> {
  const dataDir = opts.dataDir ?? tempDir();
  const runJob: RunJob = opts.runJob ?? (async () => ({ state: 'done' }));
  const server = await startServer({
    dataDir,
    concurrency: opts.concurrency ?? 2,
    appId: 1,
    privateKey: privateKey(),
    secret: SECRET,
    appSlug: APP_SLUG,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'fatal',
    Octokit: TestOctokit,
    createRunJob: () => runJob,
    pollMs: 50,
  });
  return { ...server, dataDir };
}

export function sign(body: string, secret = SECRET): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface SendOptions {
  id?: string;
  signature?: string | null;
}

/**
 * Sends one webhook delivery over HTTP, signed like GitHub does. The fake GitHub learns the
 * repository it names (GitHub knows the repositories it sends webhooks about).
 */
export async function deliver(url: string, event: string, body: unknown, opts: SendOptions = {}): Promise<Response> {
  rememberRepository(body);
  const text = JSON.stringify(body);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-github-event': event,
    'x-github-delivery': opts.id ?? crypto.randomUUID(),
    'user-agent': 'GitHub-Hookshot/test',
  };
  const signature = opts.signature === undefined ? sign(text) : opts.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  return fetch(`${url}/api/github/webhooks`, { method: 'POST', headers, body: text });
}
