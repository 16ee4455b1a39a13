import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { appSecrets } from '../../src/adapters/env/app-secrets.ts';
import { readSettings } from '../../src/adapters/env/read-settings.ts';
import { checkRedisLocked, connectRedisState } from '../../src/adapters/redis/redis-state.ts';
import { tempDir } from '../support/app-harness.ts';
import { freePort, startRedis } from '../support/redis-server.ts';

/**
 * compose.yaml's Redis, run as compose would run it (its own `command` and healthcheck, compose's
 * `$$` read as `$`, the secret at a file of our own), with Debian's redis-server: it asks for a
 * password; the app, given that secret's file, gets in; an open Redis or a wrong password is
 * refused with a message that names the fix.
 */
const compose = YAML.parse(fs.readFileSync('compose.yaml', 'utf8'), { merge: true }) as {
  services: Record<
    string,
    { command?: string[]; environment?: Record<string, string>; secrets?: string[]; healthcheck?: { test: string[] } }
  >;
  secrets: Record<string, { file: string }>;
};
const dir = tempDir('pw-compose-redis-');
const secret = path.join(dir, 'redis-password');
const password = crypto.randomBytes(24).toString('hex');
fs.writeFileSync(secret, `${password}\n`);
const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.kill('SIGKILL')));

/** A compose command line with compose's own substitutions done: `$$` is `$`, the secret is our file. */
const asCompose = (args: string[], port: number) =>
  args
    .map((a) => a.replaceAll('$$', '$').replaceAll('/run/secrets/redis-password', secret))
    .map((a, i, all) =>
      i === all.length - 1 && all[0] === 'sh'
        ? a.replace('exec redis-server -', `exec redis-server - --port ${port} --bind 127.0.0.1 --dir ${dir}`)
        : a,
    );

describe('compose.yaml: Redis has a password from a secret, and the app uses it', () => {
  it('every app service gets the secret and the password file; Redis reads the same secret', () => {
    expect(compose.secrets['redis-password']).toEqual({ file: './redis-password' });
    expect(compose.services.redis!.secrets).toEqual(['redis-password']);
    for (const name of ['web', 'worker']) {
      expect(compose.services[name]!.secrets).toContain('redis-password');
      expect(compose.services[name]!.environment).toMatchObject({
        PATCHWRIGHT_REDIS_URL: 'redis://redis:6379',
        PATCHWRIGHT_REDIS_PASSWORD_FILE: '/run/secrets/redis-password',
      });
    }
  });

  it('its command starts a Redis that refuses a stranger, passes its own healthcheck, and lets the app in with the secret', {
    timeout: 60_000,
  }, async () => {
    const port = await freePort();
    const [program, ...args] = asCompose(compose.services.redis!.command!, port);
    const child = spawn(program!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d));
    await expect.poll(() => /Ready to accept connections/.test(out), { timeout: 20_000 }).toBe(true);
    expect(spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout).toMatch(/NOAUTH/);
    expect(
      JSON.stringify(spawnSync('ps', ['-o', 'args=', '-p', String(child.pid)], { encoding: 'utf8' }).stdout),
    ).not.toContain(password);
    const health = compose.services.redis!.healthcheck!.test.slice(1);
    const [hp, ...ha] = asCompose(health, port);
    expect(
      spawnSync(
        hp!,
        ha.map((a) => a.replace('redis-cli ', `redis-cli -p ${port} `)),
        { encoding: 'utf8' },
      ).status,
    ).toBe(0);

    const settings = readSettings({
      PATCHWRIGHT_REDIS_URL: `redis://127.0.0.1:${port}`,
      PATCHWRIGHT_REDIS_PASSWORD_FILE: secret,
    });
    expect(new URL(settings.redis!.url).password).toBe(password);
    expect(appSecrets({ PATCHWRIGHT_REDIS_PASSWORD_FILE: secret })).toContain(password);
    const state = await connectRedisState(settings.redis!.url, `t${crypto.randomBytes(4).toString('hex')}`, () => {});
    await state.close();
  });
});

describe('the app refuses a Redis anyone can use', () => {
  it('a URL without a password is refused at start, with what to do, unless PATCHWRIGHT_REDIS_INSECURE=1', () => {
    expect(() => readSettings({ PATCHWRIGHT_REDIS_URL: 'redis://redis:6379' })).toThrow(
      /PATCHWRIGHT_REDIS_URL has no password[\s\S]*redis:\/\/:PASSWORD@HOST:6379[\s\S]*PATCHWRIGHT_REDIS_PASSWORD_FILE[\s\S]*PATCHWRIGHT_REDIS_INSECURE=1/,
    );
    expect(
      readSettings({ PATCHWRIGHT_REDIS_URL: 'redis://redis:6379', PATCHWRIGHT_REDIS_INSECURE: '1' }).redis,
    ).toMatchObject({ url: 'redis://redis:6379', insecure: true });
    expect(() =>
      readSettings({
        PATCHWRIGHT_REDIS_URL: 'redis://redis:6379',
        PATCHWRIGHT_REDIS_PASSWORD_FILE: path.join(dir, 'missing'),
      }),
    ).toThrow(/PATCHWRIGHT_REDIS_PASSWORD_FILE: .*missing cannot be read \(ENOENT\)/);
    expect(() =>
      readSettings({ PATCHWRIGHT_REDIS_URL: `redis://:x@redis:6379`, PATCHWRIGHT_REDIS_PASSWORD_FILE: secret }),
    ).toThrow(/keep one of them/);
  });

  it('a Redis that answers without a password is refused even when the URL has one; a wrong password is said at once', {
    timeout: 60_000,
  }, async () => {
    const open = await startRedis(tempDir('pw-open-redis-'), { password: null });
    const locked = await startRedis(tempDir('pw-locked-redis-'));
    try {
      await expect(checkRedisLocked(`redis://:anything@127.0.0.1:${open.port}`, false)).rejects.toThrow(
        /answers without a password[\s\S]*requirepass[\s\S]*PATCHWRIGHT_REDIS_INSECURE=1/,
      );
      await expect(checkRedisLocked(open.url, true)).resolves.toBeUndefined();
      await expect(checkRedisLocked(`redis://:wrong@127.0.0.1:${locked.port}`, false)).rejects.toThrow(
        /refused the app's password \(WRONGPASS/,
      );
      await expect(checkRedisLocked(locked.url, false)).resolves.toBeUndefined();
    } finally {
      await Promise.all([open.close(), locked.close()]);
    }
  });
});
