import { execFile, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import YAML from 'yaml';
import { deliver, privateKey, SECRET, tempDir } from '../support/app-harness.ts';
import { nodeBuggy, nodeFix } from '../support/fixture-repo.ts';
import { startGithubFake, type FakeGithub } from '../support/github-fake.ts';
import { makeRemoteRepo, startGitServer, type GitServer } from '../support/git-http-server.ts';
import { payload } from '../support/payloads.ts';
import { freePort, startRedis, type RedisServer } from '../support/redis-server.ts';
import { startScriptedModel, type ScriptedModel } from '../support/scripted-model.ts';
import { waitFor } from '../faults/server-process.ts';

// The app's Dockerfile, built with podman on a Debian base image made here with debootstrap (no
// image registry is reachable), then run the way compose.yaml runs it: a web container and a
// worker container (with compose.yaml's security options) on a real Redis, turning a labelled
// issue into a PR.

const run = promisify(execFile);
const BASE = 'localhost/patchwright-base:bookworm';
const IMAGE = 'localhost/patchwright:test';
/** This host's podman: runc (crun fails here) and explicit rlimits (its defaults are refused). */
const ENGINE = ['--runtime', 'runc'];
const LIMITS = ['--ulimit', 'nofile=4096:4096', '--ulimit', 'nproc=4096:4096'];
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const TOKEN = `ghs_${crypto.randomBytes(16).toString('hex')}`;
const names: string[] = [];
let git: GitServer;
let github: FakeGithub;
let model: ScriptedModel;
let redis: RedisServer;
let root: string;

const podman = (args: string[], env?: NodeJS.ProcessEnv) =>
  run('podman', args, { maxBuffer: 64 * 1024 * 1024, env: env ?? process.env });

beforeAll(async () => {
  if (
    (await run('podman', ['image', 'exists', BASE]).then(
      () => true,
      () => false,
    )) === false
  ) {
    const rootfs = tempDir('pw-rootfs-');
    execFileSync('debootstrap', ['--variant=minbase', 'bookworm', rootfs, 'http://deb.debian.org/debian'], {
      stdio: 'ignore',
    });
    execFileSync('sh', ['-c', `tar -C "${rootfs}" -c . | podman import - ${BASE}`], { stdio: 'ignore' });
    fs.rmSync(rootfs, { recursive: true, force: true });
  }
  // Behind this host's TLS-inspecting egress proxy, npm needs the host's CA bundle: handed in as a build secret.
  const secret = fs.existsSync(CA_BUNDLE) ? ['--secret', `id=ca-bundle,src=${CA_BUNDLE}`] : [];
  await podman([
    'build',
    ...ENGINE,
    '--network',
    'host',
    ...LIMITS,
    ...secret,
    '--build-arg',
    `BASE_IMAGE=${BASE}`,
    '-t',
    IMAGE,
    '.',
  ]);
  await podman(['image', 'prune', '-f']).catch(() => {});
  root = tempDir('pw-container-');
  git = await startGitServer(root, TOKEN);
  github = await startGithubFake({ token: TOKEN });
  model = await startScriptedModel(
    [{ calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] }, { text: 'Fixed add.' }],
    { titles: () => 'Make add return the sum' },
  );
  redis = await startRedis(tempDir('pw-container-redis-'));
}, 900_000);

afterAll(async () => {
  for (const name of names) await podman(['rm', '-f', name]).catch(() => {});
  await Promise.all([git?.close(), github?.close(), model?.close(), redis?.close()]);
});

it('the image runs as a non-root user with Node 24, git and bubblewrap, and holds no secret or test file', async () => {
  const { stdout: user } = await podman(['image', 'inspect', '--format', '{{.Config.User}}', IMAGE]);
  expect(user.trim()).toBe('patchwright');
  const { stdout } = await podman([
    'run',
    '--rm',
    ...ENGINE,
    ...LIMITS,
    '--entrypoint',
    'sh',
    IMAGE,
    '-c',
    'id -u; node --version; git --version; bwrap --version; ls /app; test -e /run/secrets/ca-bundle && echo LEAK || true',
  ]);
  const [uid, node, gitVersion, bwrap, ...files] = stdout.trim().split('\n');
  expect(Number(uid)).toBeGreaterThan(0);
  expect(node).toMatch(/^v24\./);
  expect(gitVersion).toMatch(/^git version/);
  expect(bwrap).toMatch(/^bubblewrap/);
  expect(files.sort()).toEqual(['app.yml', 'bin', 'node_modules', 'package.json', 'schema', 'src']);
}, 120_000);

it('a web container and a worker container run as compose.yaml says turn a labelled issue into a PR on a real Redis', async () => {
  const compose = YAML.parse(fs.readFileSync('compose.yaml', 'utf8')) as {
    services: Record<string, { command: string[]; security_opt?: string[]; environment?: Record<string, string> }>;
  };
  makeRemoteRepo(root, 'boxed', nodeBuggy);
  const common: Record<string, string> = {
    APP_ID: '1',
    PRIVATE_KEY: privateKey(),
    WEBHOOK_SECRET: SECRET,
    GHE_HOST: new URL(github.url).host,
    GHE_PROTOCOL: 'http',
    LOG_LEVEL: 'warn',
    OPENAI_BASE_URL: model.baseURL,
    OPENAI_API_KEY: 'test-key',
    PATCHWRIGHT_MODEL: 'gpt-5',
    PATCHWRIGHT_APP_SLUG: 'patchwright-test',
    PATCHWRIGHT_REDIS_URL: redis.url,
  };
  const start = async (service: 'web' | 'worker', port: number, extra: Record<string, string> = {}) => {
    const spec = compose.services[service]!;
    const env = {
      ...common,
      ...Object.fromEntries(
        Object.entries(spec.environment ?? {}).filter(
          ([k]) => !['PATCHWRIGHT_REDIS_URL', 'PATCHWRIGHT_REDIS_PASSWORD_FILE', 'PRIVATE_KEY_PATH'].includes(k),
        ),
      ),
      PORT: String(port),
      ...extra,
    };
    const name = `pw-test-${service}-${crypto.randomUUID().slice(0, 8)}`;
    names.push(name);
    const security = (spec.security_opt ?? []).flatMap((o) => ['--security-opt', o]);
    // Values stay off the command line (`--env NAME` reads the CLI's own environment).
    await podman(
      [
        'run',
        '-d',
        '--name',
        name,
        ...ENGINE,
        ...LIMITS,
        '--network',
        'host',
        ...security,
        ...Object.keys(env).flatMap((k) => ['--env', k]),
        IMAGE,
        ...spec.command,
      ],
      { ...process.env, ...env },
    );
    return name;
  };
  const webPort = await freePort();
  await start('web', webPort);
  const worker = await start('worker', await freePort(), { PATCHWRIGHT_CONCURRENCY: '1' });
  await waitFor(
    'the web container to answer',
    () =>
      fetch(`http://127.0.0.1:${webPort}/healthz`).then(
        (r) => r.ok,
        () => false,
      ),
    120_000,
  );

  const label = payload('issues', 'labeled', {
    label: { name: 'agent' },
    issue: { number: 77, title: 'add is broken', body: 'add subtracts', pull_request: undefined },
    repository: { name: 'boxed', full_name: 'octo/boxed', clone_url: `${git.url}/boxed.git` },
  });
  expect((await deliver(`http://127.0.0.1:${webPort}`, 'issues', label)).status).toBe(200);
  const client = new Redis(redis.url);
  try {
    const state = await waitFor(
      'the job to end in the worker container',
      async () => {
        const s = await client.hget('patchwright:job:1', 'state');
        return s === 'done' || s === 'failed' ? s : null;
      },
      240_000,
    );
    const { stdout: logs, stderr } = await podman(['logs', worker]);
    expect(
      state,
      `${JSON.stringify(await client.hgetall('patchwright:job:1'))}\n${logs}\n${stderr}\n${[...github.comments.values()].map((c) => c.body).join('\n')}`,
    ).toBe('done');
  } finally {
    client.disconnect();
  }
  expect(github.pulls.filter((p) => p.body.includes('#77'))).toHaveLength(1);
  const tracking = [...github.comments.values()].filter((c) => c.issue === 77);
  expect(tracking).toHaveLength(1);
  expect(tracking[0]!.body).toMatch(/succeeded/);
  // The run's commands went through the sandbox inside the container (the tests ran there twice).
  expect(tracking[0]!.body).toMatch(/passed/);
  // No secret on any container's command line.
  const { stdout: inspect } = await podman(['inspect', '--format', '{{json .Config.Cmd}} {{json .Args}}', worker]);
  expect(inspect).not.toContain(TOKEN);
  expect(inspect).not.toContain('BEGIN RSA');
}, 600_000);
