import crypto from 'node:crypto';
import { expect, it } from 'vitest';
import { appSecrets } from '../../src/adapters/env/app-secrets.ts';
import { readSettings } from '../../src/adapters/env/read-settings.ts';
import { buildSandboxEnv } from '../../src/adapters/sandbox/sandbox-env.ts';
import { makeRedactor } from '../../src/core/loop/redact.ts';

const password = `p${crypto.randomBytes(12).toString('hex')}`;
const url = `redis://:${password}@redis.internal:6379/0`;

it('the Redis URL and its password are secrets: redacted wherever they show, never in the sandbox', () => {
  const env = { PATCHWRIGHT_REDIS_URL: url, PATH: '/usr/bin' };
  const redact = makeRedactor(appSecrets(env));
  expect(redact(`connecting to ${url} failed`)).not.toContain(password);
  expect(redact(`AUTH ${password}`)).toBe('AUTH [REDACTED]');
  const inside = buildSandboxEnv({
    home: '/h',
    tmp: '/t',
    cache: '/c',
    parent: env,
    requested: ['PATCHWRIGHT_REDIS_URL'],
    allowed: ['PATCHWRIGHT_REDIS_URL'],
    deployment: [],
  });
  expect(JSON.stringify(inside)).not.toContain(password);
});

it('scale-out settings: a URL that is not redis:// is refused with a clear message, and the role needs the URL only in serve', () => {
  expect(() => readSettings({ PATCHWRIGHT_REDIS_URL: 'http://redis:6379' })).toThrow(
    /PATCHWRIGHT_REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/,
  );
  expect(() => readSettings({ PATCHWRIGHT_ROLE: 'boss' })).toThrow(/PATCHWRIGHT_ROLE/);
  expect(readSettings({ PATCHWRIGHT_REDIS_URL: url, PATCHWRIGHT_JOB_LOCK_SECONDS: '10' }).redis).toEqual({
    url,
    prefix: 'patchwright',
    lockMs: 10_000,
  });
  expect(readSettings({}).redis).toBeNull();
});

it('`serve --role worker` without PATCHWRIGHT_REDIS_URL stops at once and says what is missing', async () => {
  const { spawnSync } = await import('node:child_process');
  const res = spawnSync('node_modules/.bin/node', ['bin/patchwright.js', 'serve', '--role', 'worker'], {
    env: { PATH: process.env.PATH, APP_ID: '1', PRIVATE_KEY: 'not-a-key', WEBHOOK_SECRET: 'x' },
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(res.status).toBe(1);
  expect(res.stderr).toMatch(/--role worker needs PATCHWRIGHT_REDIS_URL/);
});
