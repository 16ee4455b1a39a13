import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BwrapSandbox } from '../../src/adapters/sandbox/bwrap-sandbox.ts';
import { appSecretPaths } from '../../src/adapters/sandbox/secret-paths.ts';
import type { SandboxResult } from '../../src/core/ports.ts';

/**
 * A narrow view: only named system folders and the deployment's toolchain folders are visible,
 * and the app's own folders (its code, working directory, home, data dir, key folder) are not,
 * even when the app is installed inside a visible folder. The app is really installed there for
 * this test (its code copied), and finds its secret folders by itself, as it does in production.
 */
const NODE = path.resolve('node_modules/.bin/node');
const canary = `CANARY-view-${crypto.randomBytes(8).toString('hex')}`;
const made: string[] = [];
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** The app's code and a deployment around it, under `appDir`: .env, data dir (SQLite, session key), key, home. */
function install(appDir: string): void {
  fs.mkdirSync(appDir, { recursive: true });
  made.push(appDir);
  for (const d of ['src', 'test/support']) fs.cpSync(path.resolve(d), path.join(appDir, d), { recursive: true });
  fs.symlinkSync(path.resolve('node_modules'), path.join(appDir, 'node_modules'));
  for (const [f, text] of [
    ['.env', `OPENAI_API_KEY=${canary}\n`],
    ['data/patchwright.sqlite', `SQLite format 3\0${canary}`],
    ['data/dashboard-session.key', canary],
    ['keys/app.pem', canary],
    ['home/.npmrc', `//registry/:_authToken=${canary}\n`],
  ] as const) {
    fs.mkdirSync(path.dirname(path.join(appDir, f)), { recursive: true });
    fs.writeFileSync(path.join(appDir, f), text, { mode: 0o644 });
  }
  for (const d of ['data/worktrees/w', 'data/runs/r/tmp', 'data/cache/c'])
    fs.mkdirSync(path.join(appDir, d), { recursive: true });
}

/** Runs `commands` in a sandbox built by the installed app's own code, from its own folder and environment. */
function runFrom(appDir: string, commands: string[], sandboxPaths: string[] = []): SandboxResult[] {
  const layout = {
    worktree: path.join(appDir, 'data/worktrees/w'),
    runTmp: path.join(appDir, 'data/runs/r/tmp'),
    cacheDir: path.join(appDir, 'data/cache/c'),
    readOnly: sandboxPaths,
  };
  const out = execFileSync(
    NODE,
    [path.join(appDir, 'test/support/sandbox-as-user.ts'), JSON.stringify({ layout, commands })],
    {
      cwd: appDir,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        LANG: 'C.UTF-8',
        HOME: path.join(appDir, 'home'),
        PRIVATE_KEY_PATH: path.join(appDir, 'keys/app.pem'),
        PATCHWRIGHT_DATA_DIR: path.join(appDir, 'data'),
        PATCHWRIGHT_SANDBOX_UID: '61167',
      },
    },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

const look = (appDir: string) =>
  `cat ${appDir}/.env ${appDir}/data/patchwright.sqlite ${appDir}/data/dashboard-session.key ${appDir}/keys/app.pem ${appDir}/home/.npmrc 2>&1; grep -rs ${canary.slice(0, 12)} ${path.dirname(appDir)} 2>/dev/null | head -3; echo ok > made.txt && cat made.txt; true`;

describe('the sandbox sees named folders only, and never the app’s own', () => {
  it('shows named /usr folders, not /usr or /opt whole', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-view-'));
    made.push(root);
    for (const d of ['wt', 'tmp', 'cache']) fs.mkdirSync(path.join(root, d));
    const sandbox = new BwrapSandbox({
      layout: {
        worktree: path.join(root, 'wt'),
        runTmp: path.join(root, 'tmp'),
        cacheDir: path.join(root, 'cache'),
        readOnly: [],
      },
      hostUid: 61164,
    });
    const res = await sandbox.run({
      command: 'ls /usr; echo ==; ls /usr/local; echo ==; ls /opt 2>&1; for p in sh perl git; do command -v $p; done',
      cwd: path.join(root, 'wt'),
      timeoutMs: 20_000,
      network: false,
      outputLimitBytes: 64 * 1024,
    });
    expect(res.stdout).toMatch(/ls: cannot access '\/opt': No such file or directory/);
    const [usr, local] = res.stdout.split('==\n').map((part) => part.trim().split('\n'));
    expect(usr).toEqual(expect.arrayContaining(['bin', 'lib', 'share', 'local']));
    // /usr/src, /usr/games, /usr/local/etc (and whatever else is installed there) are not named.
    expect(usr).not.toContain('src');
    expect(usr).not.toContain('games');
    expect(local).toEqual(expect.arrayContaining(['bin', 'lib']));
    expect(local).not.toContain('etc');
    expect(local).not.toContain('src');
    expect(res.stdout).toMatch(/\/usr\/bin\/perl/);
  });

  it('appSecretPaths names the app’s code, working directory, home, data dir and key folder', () => {
    const got = appSecretPaths(
      { HOME: '/h/app', PRIVATE_KEY_PATH: '/run/secrets/key.pem', PATCHWRIGHT_DATA_DIR: '/srv/pw/data' },
      ['/etc/pw'],
    );
    expect(got).toEqual(
      expect.arrayContaining([process.cwd(), '/h/app', '/run/secrets', '/srv/pw/data', '/etc/pw', path.resolve('.')]),
    );
    expect(got.some((p) => fs.existsSync(path.join(p, 'src/adapters/sandbox/secret-paths.ts')))).toBe(true);
    expect(got).not.toContain('/');
  });

  it('an app installed in a folder the deployment names (PATCHWRIGHT_SANDBOX_PATHS) keeps its .env, data, key and home hidden; its worktree still works', () => {
    const opt = fs.mkdtempSync(path.join('/var/tmp', 'pw-view-opt-'));
    fs.chmodSync(opt, 0o755);
    made.push(opt);
    const appDir = path.join(opt, 'patchwright');
    install(appDir);
    fs.writeFileSync(path.join(opt, 'tool'), 'a toolchain file\n');
    const [r] = runFrom(appDir, [`cat ${opt}/tool; ${look(appDir)}`], [opt]);
    expect(r!.stdout, r!.stderr).toContain('a toolchain file');
    expect(r!.stdout).not.toContain(canary);
    expect(r!.stdout).toMatch(/No such file or directory/);
    expect(r!.stdout.trim().endsWith('ok')).toBe(true);
  });

  it.runIf(process.getuid?.() === 0)(
    'an app installed under /usr/local/lib (a system folder every sandbox sees) keeps them hidden too',
    () => {
      const appDir = path.join('/usr/local/lib', `pw-view-app-${crypto.randomBytes(4).toString('hex')}`);
      install(appDir);
      const [r] = runFrom(appDir, [look(appDir)]);
      expect(r!.stdout).not.toContain(canary);
      expect(r!.stdout).toMatch(/No such file or directory/);
      expect(r!.stdout.trim().endsWith('ok')).toBe(true);
    },
  );
});
