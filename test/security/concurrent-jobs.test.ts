import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runsAsRoot } from '../../src/adapters/sandbox/sandbox-owner.ts';
import type { RunningServer } from '../../src/server/start-server.ts';
import type { RunEvent } from '../../src/protocol/run-event.ts';
import { deliver, TestOctokit } from '../support/app-harness.ts';
import { startAppWithWorker } from '../support/app-with-worker.ts';
import { nodeBuggy, nodeFix } from '../support/fixture-repo.ts';
import { startGithubFake, type FakeGithub } from '../support/github-fake.ts';
import { makeRemoteRepo, startGitServer, type GitServer } from '../support/git-http-server.ts';
import { OWNER, payload } from '../support/payloads.ts';
import { startScriptedModel, type ScriptedModel, type Step } from '../support/scripted-model.ts';

/**
 * Two jobs of two repositories at once, through the app: one model fork-bombs its sandbox, the
 * other's commands must still start. The kernel counts processes per user, so this holds only if
 * the jobs run as different host users (the app runs as root here, as CI does).
 */
const root = fs.mkdtempSync('/var/tmp/pw-concurrent-');
const TOKEN = `ghs_${crypto.randomBytes(18).toString('hex')}`;
const FIRST_UID = 61120;
const LIMIT = 256;
const marker = `pw-concurrent-bomb-${crypto.randomBytes(4).toString('hex')}`;

let git: GitServer;
let github: FakeGithub;
let model: ScriptedModel;
let server: RunningServer;
/** How many of the bomb's processes were alive when the calm job's command was let go. */
let bombAtCalm = -1;

const bombProcesses = () =>
  fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    }).length;

async function untilBombFull(): Promise<number> {
  for (let i = 0; i < 300; i++) {
    const n = bombProcesses();
    if (n >= LIMIT * 0.8) return n;
    await new Promise((r) => setTimeout(r, 100));
  }
  return bombProcesses();
}

const sh = (script: string) => ({ name: 'shell', arguments: { command: ['bash', '-c', script] } });

/** Each job's own script; a request is routed by the issue it works on. */
const scripts: Record<'bomb' | 'calm', Array<() => Step | Promise<Step>>> = {
  bomb: [
    () => ({ calls: [sh(`: ${marker}; echo "uid=$(id -u)"; bomb() { bomb | bomb & }; bomb; sleep 20`)] }),
    () => ({ text: 'Nothing to change.' }),
  ],
  calm: [
    async () => {
      bombAtCalm = await untilBombFull();
      return { calls: [sh('echo "uid=$(id -u)"; node -e "console.log(\'calm-ok\', 2 + 3)"')] };
    },
    () => ({ calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] }),
    () => ({ text: 'Fixed add.' }),
    () => ({ text: 'Fixed add.' }),
    () => ({ text: 'Fixed add.' }),
  ],
};

function route(body: Record<string, unknown>): Step | Promise<Step> {
  const which = JSON.stringify(body).includes('Bomb the sandbox') ? 'bomb' : 'calm';
  const next = scripts[which].shift();
  return next ? next() : { text: 'Done.' };
}

function commandsOf(jobId: number): Array<{ output: string; exitCode: number | null }> {
  const rows = server.db.prepare('SELECT data FROM run_events WHERE job_id = ? ORDER BY seq').all(jobId) as Array<{
    data: string;
  }>;
  return rows
    .map((r) => JSON.parse(r.data) as RunEvent)
    .flatMap((e) =>
      e.type === 'item.completed' && e.item.kind === 'command_execution'
        ? [{ output: e.item.output, exitCode: e.item.exitCode }]
        : [],
    );
}

beforeAll(async () => {
  const remotes = path.join(root, 'remotes');
  fs.mkdirSync(remotes);
  makeRemoteRepo(remotes, 'bomb', nodeBuggy);
  makeRemoteRepo(remotes, 'calm', nodeBuggy);
  git = await startGitServer(remotes, TOKEN);
  github = await startGithubFake({ token: TOKEN });
  model = await startScriptedModel(
    Array.from({ length: 20 }, () => route),
    { titles: () => 'Make add return the sum' },
  );
  server = await startAppWithWorker(github.url, model.baseURL, TestOctokit, undefined, {
    concurrency: 2,
    // A range of its own (61120 and 61121): other suites' fork bombs run meanwhile.
    env: {
      PATCHWRIGHT_COMMAND_TIMEOUT_SECONDS: '30',
      PATCHWRIGHT_SANDBOX_PROCESSES: String(LIMIT),
      PATCHWRIGHT_CONCURRENCY: '2',
      PATCHWRIGHT_SANDBOX_UID: String(FIRST_UID),
    },
  });
  for (const [name, title, number] of [
    ['bomb', 'Bomb the sandbox', 1],
    ['calm', 'Fix add', 2],
  ] as const) {
    const issue = payload('issues', 'labeled', {
      label: { name: 'agent' },
      issue: { number, title, body: 'add(2, 3) returns -1', pull_request: undefined },
      repository: { name, full_name: `${OWNER}/${name}`, clone_url: `${git.url}/${name}.git` },
    });
    expect((await deliver(server.url, 'issues', issue)).status).toBe(200);
  }
  await server.pool.idle();
}, 300_000);

afterAll(async () => {
  await server?.close();
  await Promise.all([git?.close(), github?.close(), model?.close()]);
  fs.rmSync(root, { recursive: true, force: true });
});

describe.runIf(runsAsRoot())('two jobs at once, one of them a fork bomb', () => {
  it('the other job’s commands still start while the bomb holds its process limit, and its PR is published', () => {
    const jobs = server.jobs.list();
    const calm = jobs.find((j) => j.task.repo.name === 'calm')!;
    const bomb = jobs.find((j) => j.task.repo.name === 'bomb')!;
    // The bomb had filled its limit when the calm job's command ran.
    expect(bombAtCalm).toBeGreaterThanOrEqual(LIMIT * 0.8);
    const calmCommand = commandsOf(calm.id).find((c) => c.output.includes('uid='));
    expect(calmCommand?.output).toContain('calm-ok 5');
    expect(calmCommand?.exitCode).toBe(0);
    expect(github.pulls.map((p) => p.head)).toEqual([expect.stringMatching(/^agent\/2-/)]);
    // Two host users from the range, one per job.
    const uidOf = (output: string | undefined) => Number(/uid=(\d+)/.exec(output ?? '')?.[1]);
    const uids = [
      uidOf(calmCommand?.output),
      uidOf(commandsOf(bomb.id).find((c) => c.output.includes('uid='))?.output),
    ];
    expect(new Set(uids).size).toBe(2);
    for (const uid of uids) expect(uid === FIRST_UID || uid === FIRST_UID + 1, String(uid)).toBe(true);
  });

  it('no process of the bomb is left', () => {
    expect(bombProcesses()).toBe(0);
  });
});
