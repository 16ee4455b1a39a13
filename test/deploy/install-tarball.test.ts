import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/app-harness.ts';
import { fixtureRepo, nodeBuggy, nodeFix } from '../support/fixture-repo.ts';
import { RpcClient } from '../support/rpc-client.ts';
import { startScriptedModel, type ScriptedModel } from '../support/scripted-model.ts';

/**
 * The install path the README gives: `npm pack`, then `npm install -g` of the tarball into a prefix of its own,
 * then `patchwright` from that prefix, run from folders outside the checkout, with the machine's own Node first
 * on PATH (Debian's Node 20 here, too old for the sources: the package's optional `node` dependency is what runs
 * them). Reaches the npm registry (the install), so it is in the network tier (`npm run test:network`).
 */
const CHECKOUT = path.resolve(import.meta.dirname, '../..');
let prefix: string;
let bin: string;
let env: NodeJS.ProcessEnv;
let outside: string;

beforeAll(() => {
  const packDir = tempDir('pw-pack-');
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', packDir], {
    cwd: CHECKOUT,
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop()!;
  prefix = tempDir('pw-prefix-');
  execFileSync(
    'npm',
    ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', path.join(packDir, name)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  bin = path.join(prefix, 'bin', 'patchwright');
  outside = tempDir('pw-outside-');
  env = {
    PATH: `${path.join(prefix, 'bin')}:/usr/local/bin:/usr/bin:/bin`,
    HOME: tempDir('pw-home-'),
    LANG: 'C.UTF-8',
    PATCHWRIGHT_DATA_DIR: tempDir('pw-installed-data-'),
    PATCHWRIGHT_SANDBOX_UID: '61210',
  };
}, 300_000);

const patchwright = (args: string[], extra: NodeJS.ProcessEnv = {}, cwd = outside) =>
  spawnSync(bin, args, { cwd, env: { ...env, ...extra }, encoding: 'utf8', timeout: 180_000 });

describe('patchwright installed from its tarball', () => {
  it('is a command in the prefix, with no file of the checkout in the package but what runs', () => {
    expect(fs.existsSync(bin)).toBe(true);
    const pkg = path.join(prefix, 'lib', 'node_modules', 'patchwright');
    expect(fs.existsSync(path.join(pkg, 'src', 'cli', 'main.ts'))).toBe(true);
    for (const absent of ['test', 'fixtures', 'bench', '.ci', 'node_modules/vitest', 'node_modules/@openai/codex'])
      expect(fs.existsSync(path.join(pkg, absent)), absent).toBe(false);
    const r = patchwright(['--help']);
    expect(r.stdout).toMatch(/Usage: patchwright <command>/);
  });

  it('runs on a machine whose own Node is too old: the bundled Node 24 takes over', () => {
    const system = spawnSync('node', ['--version'], { env, encoding: 'utf8' }).stdout.trim();
    const r = patchwright(['inspect', '--json', fixtureRepo(nodeBuggy)]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ test: 'npm test' });
    // The point of the test on this machine: its Node (20) cannot run the sources itself.
    if (Number(system.slice(1).split('.')[0]) < 22) expect(system).toMatch(/^v2[01]\./);
  });

  it('doctor and sandbox run the real sandbox', () => {
    const repo = fixtureRepo(nodeBuggy);
    const doctor = patchwright(['doctor', '--json', repo]);
    expect([0, 1]).toContain(doctor.status);
    expect(JSON.parse(doctor.stdout)).toMatchObject({ testCommand: 'npm test' });
    const sb = patchwright(['sandbox', '--cwd', repo, '--', 'sh', '-c', 'id -u; cat /proc/1/cmdline | tr "\\0" " "']);
    expect(sb.status, sb.stderr).toBe(0);
    expect(sb.stdout).not.toMatch(/^0$/m);
  });

  describe('with a model', () => {
    let model: ScriptedModel;
    afterAll(async () => model?.close());

    it('run fixes a bug on a new branch', async () => {
      model = await startScriptedModel(
        [{ calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] }, { text: 'Fixed add.' }],
        { titles: () => 'Make add return the sum' },
      );
      const repo = fixtureRepo(nodeBuggy);
      const child = spawn(bin, ['run', '--repo', repo, '--task', 'Fix add so it adds', '--json'], {
        cwd: outside,
        env: { ...env, OPENAI_BASE_URL: model.baseURL, OPENAI_API_KEY: 'test-key', PATCHWRIGHT_MODEL: 'gpt-5' },
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      const done = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { type: string; outcome?: string })
        .find((e) => e.type === 'run.completed');
      expect(done?.outcome).toBe('succeeded');
      expect(code).toBe(0);
      expect(execFileSync('git', ['-C', repo, 'branch', '--list', 'agent/*'], { encoding: 'utf8' })).toMatch(/agent\//);
    }, 240_000);
  });

  it('app-server answers initialize on stdio', async () => {
    const child = spawn(bin, ['app-server'], {
      cwd: outside,
      env: { ...env, OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', OPENAI_API_KEY: 'x' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const client = new RpcClient((text) => child.stdin.write(`${text}\n`));
    readline.createInterface({ input: child.stdout }).on('line', (l) => l.trim() && client.receive(l));
    const answer = await client.request('initialize', { clientInfo: { name: 'test', title: null, version: '0.0.0' } });
    expect(answer.result).toHaveProperty('userAgent');
    child.kill();
  }, 60_000);

  it('dashboard serves its page on loopback', async () => {
    const child = spawn(bin, ['dashboard', '--port', '0'], { cwd: outside, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stderr.on('data', (d: Buffer) => {
        text += d.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+\/dashboard)/.exec(text);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (c) => reject(new Error(`dashboard exited ${c}: ${text}`)));
    });
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/Patchwright/);
    child.kill();
  }, 60_000);
});
