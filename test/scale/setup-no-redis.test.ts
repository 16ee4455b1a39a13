import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { deliver, tempDir } from '../support/app-harness.ts';
import { nodeBuggy } from '../support/fixture-repo.ts';
import { startGithubFake, type FakeGithub } from '../support/github-fake.ts';
import { makeRemoteRepo, startGitServer, type GitServer } from '../support/git-http-server.ts';
import { payload } from '../support/payloads.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { startScriptedModel, type ScriptedModel } from '../support/scripted-model.ts';
import { startServerProcess, waitFor, type ServerProcess } from '../faults/server-process.ts';

/**
 * Scale-out: the Redis every process shares is on the app's network, and a repository's setup
 * step runs the repository's commands. Setup must get nothing from Redis: not a +PONG, not a key
 * written. With the deployment's Redis (a password) it is refused; with a Redis that has none
 * (PATCHWRIGHT_REDIS_INSECURE=1) only the sandbox's own network namespace keeps it out, so that
 * case passes once every sandboxed phase, setup included, has one (the egress work, issue 24).
 */
const TOKEN = `ghs_${crypto.randomBytes(16).toString('hex')}`;
const KEY = 'patchwright-setup-was-here';
let git: GitServer;
let github: FakeGithub;
let model: ScriptedModel;
const procs: ServerProcess[] = [];
let locked: RedisServer;
let open: RedisServer;

/** A script of the repository's that talks Redis's protocol to a port and says what came back, then fails (so the thread shows it). */
const probe = (port: number) =>
  `#!/bin/bash\nr=$(timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port} && printf "PING\\r\\nSET ${KEY} 1\\r\\n" >&3 && timeout 2 cat <&3' 2>&1 | tr -d '\\r' | tr '\\n' ' ' | head -c 300)\necho "REDIS SAID: [$r]"\nexit 1\n`;

beforeAll(async () => {
  locked = await startRedis(tempDir('pw-redis-setup-'));
  open = await startRedis(tempDir('pw-redis-open-setup-'), { password: null });
  const root = tempDir('pw-setup-redis-');
  makeRemoteRepo(root, 'widgets', {
    ...nodeBuggy,
    'probe-locked.sh': probe(locked.port),
    'probe-open.sh': probe(open.port),
  });
  git = await startGitServer(root, TOKEN);
  github = await startGithubFake({ token: TOKEN });
  model = await startScriptedModel([]);
}, 60_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill().catch(() => {})));
  await Promise.all([git?.close(), github?.close(), model?.close(), locked?.close(), open?.close()]);
});

/** What the setup step got back from Redis, read from the run's own words on the thread. */
async function runSetupAgainst(
  redis: RedisServer,
  script: string,
  number: number,
  uid: string,
  extraEnv: Record<string, string> = {},
): Promise<string> {
  github.files['.github/agent.yml'] = YAML.stringify({ setup: [`bash ${script}`], test: 'node --test' });
  const proc = await startServerProcess({
    githubUrl: github.url,
    modelUrl: model.baseURL,
    dataDir: tempDir('pw-setup-redis-data-'),
    args: ['--role', 'all'],
    extraEnv: {
      PATCHWRIGHT_REDIS_URL: redis.url,
      PATCHWRIGHT_REDIS_PREFIX: `t${number}`,
      PATCHWRIGHT_SANDBOX_UID: uid,
      ...extraEnv,
    },
  });
  procs.push(proc);
  const labelled = payload('issues', 'labeled', {
    label: { name: 'agent' },
    issue: { number, title: 'Fix add', body: 'x', pull_request: undefined },
    repository: { clone_url: `${git.url}/widgets.git` },
  });
  expect((await deliver(proc.url, 'issues', labelled)).status).toBe(200);
  const comment = await waitFor(
    'the setup step to end the run',
    () => [...github.comments.values()].find((c) => c.issue === number && /setup_failed/.test(c.body))?.body,
    180_000,
  );
  // The comment is sanitized markdown: its brackets come escaped.
  const said = /REDIS SAID: \\?\[([^\n]*?)\\?\]$/m.exec(comment);
  expect(said, comment).not.toBeNull();
  return said![1]!;
}

describe('a repository’s setup step gets nothing from the Redis of a scaled-out deployment', () => {
  it('the deployment’s Redis (password from its secret): no +PONG, no key', { timeout: 240_000 }, async () => {
    const said = await runSetupAgainst(locked, 'probe-locked.sh', 61, '61184');
    expect(said).not.toMatch(/PONG|\+OK/);
    expect(await new Redis(locked.url).get(KEY)).toBeNull();
  });

  it('a Redis without a password (PATCHWRIGHT_REDIS_INSECURE=1): setup cannot reach it at all (its own network namespace)', {
    timeout: 240_000,
  }, async () => {
    const said = await runSetupAgainst(open, 'probe-open.sh', 62, '61186', { PATCHWRIGHT_REDIS_INSECURE: '1' });
    expect(said).not.toMatch(/PONG|NOAUTH|\+OK/);
    expect(await new Redis(open.url).get(KEY)).toBeNull();
  });
});
