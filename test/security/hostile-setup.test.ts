import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { readSettings } from '../../src/adapters/env/read-settings.ts';
import { createJobRunner } from '../../src/github/run-job.ts';
import { startServer, type RunningServer } from '../../src/server/start-server.ts';
import type { RunEvent } from '../../src/protocol/run-event.ts';
import { deliver, privateKey, SECRET, TestOctokit, tempDir } from '../support/app-harness.ts';
import { fixtureRepo, nodeBuggy, nodeFix } from '../support/fixture-repo.ts';
import { startGithubFake, type FakeGithub } from '../support/github-fake.ts';
import { gitEnv, makeRemoteRepo, startGitServer, type GitServer } from '../support/git-http-server.ts';
import { payload, REPO } from '../support/payloads.ts';
import { startScriptedModel, type ScriptedModel } from '../support/scripted-model.ts';
import { packFromNodeModules, startStandIn, type StandIn } from '../support/stand-in.ts';
import { setupAttacks, type SetupAttack, type SetupHost } from './attacks.ts';

/**
 * A hostile repository's setup, which runs with network: through the whole app (a labelled
 * issue, the worker, the real sandbox, a PR) and through `patchwright run`. Its first step
 * installs a real npm package from a stand-in registry on loopback (allowed by name and port);
 * every other step is an attack from the catalogue's setup list. Afterwards: what the steps
 * printed, what the host's listeners saw, and what the PR and the tracking comment say the
 * firewall refused.
 */
type Completed = Extract<RunEvent, { type: 'run.completed' }>;
type Done = { events: RunEvent[]; done: Completed | undefined };

const tag = crypto.randomBytes(5).toString('hex');
const root = tempDir('pw-hostile-setup-');
const hits: string[] = [];
const pkg = packFromNodeModules('picocolors');
let standIn: StandIn;
let servers: net.Server[] = [];
let udp: dgram.Socket;
let host: Omit<SetupHost, 'appPort' | 'modelPort'>;

const listen = (s: net.Server, where: string | number) =>
  new Promise<void>((r) => (typeof where === 'number' ? s.listen(where, '127.0.0.1', r) : s.listen(where, r)));
const freePort = async () => {
  const s = net.createServer();
  await listen(s, 0);
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
};

/** The repository: the buggy calc, a dependency on the real package, its lockfile, and a setup that is mostly attacks. */
async function hostileRepoFiles(list: SetupAttack[]): Promise<Record<string, string>> {
  const dir = tempDir('pw-lock-');
  const manifest = { ...JSON.parse(nodeBuggy['package.json']), dependencies: { picocolors: pkg.version } };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  // The lockfile is made on the host, straight from the stand-in (the host is not sandboxed).
  execFileSync(
    'npm',
    [
      'install',
      '--package-lock-only',
      '--registry',
      registry(),
      '--userconfig',
      '/dev/null',
      '--no-audit',
      '--no-fund',
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  const setup = [
    `npm ci --registry ${registry()} --no-audit --no-fund`,
    `node -e "require('picocolors'); console.log('installed picocolors ' + require('picocolors/package.json').version)"`,
    ...list.map((a) => a.step),
  ];
  return {
    ...nodeBuggy,
    'package.json': `${JSON.stringify(manifest, null, 2)}\n`,
    'package-lock.json': fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8'),
    '.github/agent.yml': YAML.stringify({ setup, test: 'node --test' }),
  };
}
const registry = () => `http://localhost:${standIn.httpPort}/`;

/** The commands the harness runs before the repository's own setup (the attacks call python3: a virtual environment). */
const ENVIRONMENT_STEP = /^(python3 -m venv|uv venv) /;
/** What the repository's setup steps printed, in order (the npm install and its check first). */
const setupOutputs = (events: RunEvent[]) => {
  const out: string[] = [];
  let phase = '';
  for (const e of events) {
    if (e.type === 'run.phase') phase = e.phase;
    if (
      phase === 'setup' &&
      e.type === 'item.completed' &&
      e.item.kind === 'command_execution' &&
      !ENVIRONMENT_STEP.test(e.item.command)
    )
      out.push(`[exit ${e.item.exitCode}] ${e.item.output}`);
  }
  return out;
};

function judge(list: SetupAttack[], d: Done) {
  const outputs = setupOutputs(d.events).slice(2);
  const refused = (d.done?.evidence.egressRefused ?? [])
    .filter((r) => r.phase === 'setup')
    .map((r) => `${r.host}:${r.port}`);
  return list
    .map((a, i) => ({
      a,
      why: outputs[i] === undefined ? 'never ran' : a.succeeded({ output: outputs[i]!, listenerHits: hits, refused }),
    }))
    .filter((r) => r.why);
}

beforeAll(async () => {
  standIn = await startStandIn({ npm: [pkg] });
  const tcp = net.createServer((s) => (hits.push('tcp'), s.on('error', () => {})));
  const unix = net.createServer((s) => (hits.push('unix'), s.on('error', () => {})));
  const abstract = net.createServer((s) => (hits.push('abstract'), s.on('error', () => {})));
  servers = [tcp, unix, abstract];
  await listen(tcp, 0);
  const unixSocket = path.join(root, 'host.sock');
  await listen(unix, unixSocket);
  await listen(abstract, `\0pw-setup-abstract-${tag}`);
  udp = dgram.createSocket('udp4').on('message', () => hits.push('udp'));
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  host = {
    listenerPort: (tcp.address() as net.AddressInfo).port,
    udpPort: udp.address().port,
    unixSocket,
    abstractName: `pw-setup-abstract-${tag}`,
    tag,
  };
}, 60_000);

afterAll(async () => {
  for (const s of servers) s.close();
  udp?.close();
  await standIn?.close();
});

describe('a hostile setup through the whole app (labelled issue -> worker -> PR)', () => {
  let git: GitServer;
  let github: FakeGithub;
  let model: ScriptedModel;
  let server: RunningServer;
  let list: SetupAttack[];
  let result: Done = { events: [], done: undefined };
  let appPort = 0;

  beforeAll(async () => {
    const TOKEN = `ghs_${crypto.randomBytes(18).toString('hex')}`;
    appPort = await freePort();
    model = await startScriptedModel(
      [{ calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] }, { text: 'Fixed add.' }],
      { titles: () => 'Make add return the sum' },
    );
    list = setupAttacks({ ...host, appPort, modelPort: Number(new URL(model.baseURL).port) });
    const files = await hostileRepoFiles(list);
    const remotes = path.join(root, 'remotes');
    fs.mkdirSync(remotes);
    makeRemoteRepo(remotes, REPO, files);
    git = await startGitServer(remotes, TOKEN);
    github = await startGithubFake({ token: TOKEN, files: { '.github/agent.yml': files['.github/agent.yml']! } });
    const dataDir = path.join(root, 'data');
    const settings = readSettings({
      PATCHWRIGHT_DATA_DIR: dataDir,
      PATCHWRIGHT_SANDBOX: 'bwrap',
      OPENAI_BASE_URL: model.baseURL,
      PATCHWRIGHT_MODEL: 'gpt-5',
      // The registry by name and port; the app's own port too, which the firewall must refuse all the same.
      PATCHWRIGHT_EGRESS_ALLOW: `npm,localhost:${standIn.httpPort},127.0.0.1:${appPort}`,
      PATCHWRIGHT_COMMAND_TIMEOUT_SECONDS: '30',
      // This suite's own sandbox users (61153 for jobs, 61154 for app-server turns).
      PATCHWRIGHT_SANDBOX_UID: '61153',
    });
    server = await startServer({
      dataDir,
      concurrency: 1,
      appId: 1,
      privateKey: privateKey(),
      secret: SECRET,
      appSlug: 'patchwright-test',
      baseUrl: github.url,
      port: appPort,
      logLevel: 'fatal',
      Octokit: TestOctokit,
      pollMs: 50,
      createRunJob: (ctx) => createJobRunner({ ...ctx, settings, env: { ...process.env, OPENAI_API_KEY: 'test-key' } }),
    });
    const issue = payload('issues', 'labeled', {
      label: { name: 'agent' },
      issue: { number: 41, title: 'Fix add', body: 'add(2, 3) returns -1', pull_request: undefined },
      repository: { clone_url: `${git.url}/${REPO}.git` },
    });
    expect((await deliver(server.url, 'issues', issue)).status).toBe(200);
    await server.pool.idle();
    const [job] = server.jobs.list();
    const rows = server.db.prepare('SELECT data FROM run_events WHERE job_id = ? ORDER BY seq').all(job!.id) as Array<{
      data: string;
    }>;
    const events = rows.map((r) => JSON.parse(r.data) as RunEvent);
    result = { events, done: events.find((e) => e.type === 'run.completed') as Completed | undefined };
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    await Promise.all([git?.close(), github?.close(), model?.close()]);
  });

  it('setup installs a real npm package through the proxy, and the fix is published', () => {
    expect(result.done?.outcome, result.done?.summary).toBe('succeeded');
    const [install, check] = setupOutputs(result.events);
    expect(install).toMatch(/^\[exit 0\][\s\S]*added 1 package/);
    expect(check).toBe(`[exit 0] installed picocolors ${pkg.version}`);
    expect(standIn.requests.map((r) => r.url)).toContain(`/picocolors/-/picocolors-${pkg.version}.tgz`);
    expect(github.pulls).toHaveLength(1);
  });

  it('reports N setup attacks tried, 0 succeeded', () => {
    const won = judge(list, result);
    console.log(`hostile setup through the app: ${list.length} attacks tried, ${won.length} succeeded`);
    expect(won.map((r) => `${r.a.name}: ${r.why}`)).toEqual([]);
    expect(hits).toEqual([]);
  });

  it('the refused hosts are listed in the PR body and the tracking comment, with the phase and how often', () => {
    const body = github.pulls[0]!.body;
    const comment = [...github.comments.values()].map((c) => c.body).find((b) => b.includes('Pull request:')) ?? '';
    if (process.env.PW_DEBUG) console.error(body, '\n----\n', comment);
    for (const text of [body, comment]) {
      expect(text).toContain('**The egress firewall blocked these connections**');
      // Setup runs twice (the run's own, and the clean checkout's for the verdict): how often is said when more than once.
      expect(text).toMatch(/^- `exfil\.example:443` during setup(, \d+ times)?: not on the allow-list$/m);
      expect(text).toMatch(/^- `169\.254\.169\.254:80` during setup(, \d+ times)?: not on the allow-list$/m);
    }
    expect(body).toMatch(
      new RegExp(
        `^- \`127\\.0\\.0\\.1:${appPort}\` during setup(, \\d+ times)?: 127\\.0\\.0\\.1:${appPort} is one of the app's own listeners`,
        'm',
      ),
    );
  });
});

describe('a hostile setup through `patchwright run` (its own process)', () => {
  let model: ScriptedModel;
  let list: SetupAttack[];
  let result: Done = { events: [], done: undefined };

  beforeAll(async () => {
    model = await startScriptedModel(
      [{ calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] }, { text: 'Fixed add.' }],
      { titles: () => 'Make add return the sum' },
    );
    // `patchwright run` serves nothing; PORT stands for the deployment's webhook port, which it must refuse too.
    list = setupAttacks({ ...host, appPort: standIn.echoPort, modelPort: Number(new URL(model.baseURL).port) });
    const repo = fixtureRepo(await hostileRepoFiles(list));
    execFileSync('git', ['log', '-1'], { cwd: repo, env: gitEnv(), stdio: 'ignore' });
    const res = await execa(
      path.resolve('node_modules/.bin/node'),
      [path.resolve('bin/patchwright.js'), 'run', '--repo', repo, '--task', 'Fix add so it adds', '--json'],
      {
        reject: false,
        timeout: 240_000,
        extendEnv: false,
        env: {
          PATH: process.env.PATH!,
          HOME: tempDir('pw-home-'),
          OPENAI_BASE_URL: model.baseURL,
          OPENAI_API_KEY: 'test-key',
          PATCHWRIGHT_MODEL: 'gpt-5',
          PATCHWRIGHT_SANDBOX: 'bwrap',
          PATCHWRIGHT_DATA_DIR: path.join(root, 'cli-data'),
          PATCHWRIGHT_EGRESS_ALLOW: `npm,localhost:${standIn.httpPort},127.0.0.1:${standIn.echoPort}`,
          PORT: String(standIn.echoPort),
          PATCHWRIGHT_SANDBOX_UID: '61155',
        },
      },
    );
    const events = res.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as RunEvent);
    result = { events, done: events.find((e) => e.type === 'run.completed') as Completed | undefined };
  }, 300_000);

  afterAll(async () => {
    await model?.close();
  });

  it('installs the real package, runs every attack to no effect, and lists the refusals in its evidence', () => {
    expect(result.done?.outcome, result.done?.summary).toBe('succeeded');
    expect(setupOutputs(result.events)[1]).toBe(`[exit 0] installed picocolors ${pkg.version}`);
    const won = judge(list, result);
    console.log(`hostile setup through patchwright run: ${list.length} attacks tried, ${won.length} succeeded`);
    expect(won.map((r) => `${r.a.name}: ${r.why}`)).toEqual([]);
    expect(hits).toEqual([]);
    expect(result.done!.evidence.egressRefused?.map((r) => `${r.host}:${r.port}`)).toEqual(
      expect.arrayContaining([`127.0.0.1:${standIn.echoPort}`, 'exfil.example:443']),
    );
  });
});
