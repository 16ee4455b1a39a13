import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runsAsRoot } from '../../src/adapters/sandbox/sandbox-owner.ts';
import type { RunningServer } from '../../src/server/start-server.ts';
import type { RunEvent } from '../../src/protocol/run-event.ts';
import { deliver, TestOctokit, tempDir } from '../support/app-harness.ts';
import { startAppWithWorker } from '../support/app-with-worker.ts';
import { nodeBuggy, nodeFix } from '../support/fixture-repo.ts';
import { startGithubFake, type FakeGithub } from '../support/github-fake.ts';
import { makeRemoteRepo, startGitServer, type GitServer } from '../support/git-http-server.ts';
import { OWNER, payload } from '../support/payloads.ts';
import { startScriptedModel, type ScriptedModel } from '../support/scripted-model.ts';

/**
 * A whole job with PATCHWRIGHT_SANDBOX=docker (Debian's podman, runc): the worktree, the run's
 * temp dir and the caches are made by the app, so the container's user must be one that can write
 * them. The image is made here from this machine's Node and busybox (no registry is reachable).
 */
const podman = (...args: string[]) =>
  execFileSync('podman', ['--runtime', 'runc', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const NODE = fs.realpathSync('node_modules/.bin/node');
const IMAGE = `localhost/patchwright-sandbox-test:node-${execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim()}`;
const FIRST_UID = 61140;
const TOKEN = `ghs_${crypto.randomBytes(18).toString('hex')}`;

let git: GitServer;
let github: FakeGithub;
let model: ScriptedModel;
let server: RunningServer;

/** busybox for a shell, Node and the libraries it loads, nothing else. */
function buildImage(): void {
  const ctx = tempDir('pw-node-image-');
  const put = (from: string, to: string) => {
    fs.mkdirSync(path.dirname(path.join(ctx, 'rootfs', to)), { recursive: true });
    fs.copyFileSync(from, path.join(ctx, 'rootfs', to));
  };
  put('/bin/busybox', '/bin/busybox');
  put(NODE, '/usr/local/bin/node');
  for (const lib of execFileSync('ldd', [NODE], { encoding: 'utf8' }).matchAll(/(\/\S+\.so[.\d]*)/g))
    put(fs.realpathSync(lib[1]!), lib[1]!);
  fs.chmodSync(path.join(ctx, 'rootfs', 'usr/local/bin/node'), 0o755);
  fs.writeFileSync(
    path.join(ctx, 'Containerfile'),
    'FROM scratch\nCOPY rootfs/ /\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n',
  );
  podman('build', '-q', '-t', IMAGE, ctx);
  fs.rmSync(ctx, { recursive: true, force: true });
}

beforeAll(async () => {
  if (!runsAsRoot()) return;
  try {
    podman('image', 'exists', IMAGE);
  } catch {
    buildImage();
  }
  const root = tempDir('pw-docker-job-');
  makeRemoteRepo(root, 'boxed', nodeBuggy);
  git = await startGitServer(root, TOKEN);
  // The image has no npm: the repository names no setup and its test command.
  github = await startGithubFake({ token: TOKEN, files: { '.github/agent.yml': 'setup: []\ntest: node --test\n' } });
  model = await startScriptedModel(
    [
      {
        calls: [
          {
            name: 'shell',
            arguments: {
              command: [
                'sh',
                '-c',
                'echo "uid=$(id -u)"; mkdir -p node_modules/.cache && echo > /tmp/scratch && echo wrote',
              ],
            },
          },
        ],
      },
      { calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] },
      { text: 'Fixed add.' },
    ],
    { titles: () => 'Make add return the sum' },
  );
  server = await startAppWithWorker(github.url, model.baseURL, TestOctokit, undefined, {
    env: {
      PATCHWRIGHT_SANDBOX: 'docker',
      PATCHWRIGHT_DOCKER_CLI: 'podman',
      PATCHWRIGHT_DOCKER_RUNTIME: 'runc',
      PATCHWRIGHT_SANDBOX_IMAGE: IMAGE,
      PATCHWRIGHT_SANDBOX_UID: String(FIRST_UID),
    },
  });
  const issue = payload('issues', 'labeled', {
    label: { name: 'agent' },
    issue: { number: 5, title: 'Fix add', body: 'add(2, 3) returns -1', pull_request: undefined },
    repository: { name: 'boxed', full_name: `${OWNER}/boxed`, clone_url: `${git.url}/boxed.git` },
  });
  expect((await deliver(server.url, 'issues', issue)).status).toBe(200);
  await server.pool.idle();
}, 300_000);

afterAll(async () => {
  await server?.close();
  await Promise.all([git?.close(), github?.close(), model?.close()]);
});

describe.runIf(runsAsRoot())('a job in the docker backend (podman, runc), the app running as root', () => {
  it('runs as the job’s own unprivileged host user, writes the worktree and /tmp, and the tests it runs turn a fix into a PR', () => {
    const [job] = server.jobs.list();
    const rows = server.db.prepare('SELECT data FROM run_events WHERE job_id = ? ORDER BY seq').all(job!.id) as Array<{
      data: string;
    }>;
    const events = rows.map((r) => JSON.parse(r.data) as RunEvent);
    if (process.env.PW_DEBUG)
      console.error(
        JSON.stringify(events).slice(0, 6000),
        [...github.comments.values()].map((c) => c.body).join('\n---\n'),
      );
    const shell = events
      .flatMap((e) => (e.type === 'item.completed' && e.item.kind === 'command_execution' ? [e.item] : []))
      .find((i) => i.output.includes('uid='));
    expect(shell?.output).toContain(`uid=${FIRST_UID}`);
    expect(shell?.output).toContain('wrote');
    const done = events.find((e) => e.type === 'run.completed') as
      | Extract<RunEvent, { type: 'run.completed' }>
      | undefined;
    expect(done?.outcome, done?.summary).toBe('succeeded');
    expect(github.pulls).toHaveLength(1);
    // Nothing of the job's containers is left (by image: other suites run containers of their own meanwhile).
    expect(podman('ps', '--all', '--filter', `ancestor=${IMAGE}`, '--format', '{{.Names}}').trim()).toBe('');
  });
});
