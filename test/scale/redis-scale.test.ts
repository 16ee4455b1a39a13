import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TRACKING_MARKER } from '../../src/github/report/tracking-comment.ts';
import { deliver, tempDir } from '../support/app-harness.ts';
import { nodeBuggy, nodeFix } from '../support/fixture-repo.ts';
import { startGithubFake, type FakeGithub } from '../support/github-fake.ts';
import { makeRemoteRepo, startGitServer, type GitServer } from '../support/git-http-server.ts';
import { payload } from '../support/payloads.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { startScriptedModel, type ScriptedModel, type Step } from '../support/scripted-model.ts';
import { startServerProcess, waitFor, type ServerProcess } from '../faults/server-process.ts';

// Two web processes and three workers of the real app, sharing a real redis-server: 60 issues
// in 10 repositories labelled at once; one worker is SIGKILLed in the middle of a run and Redis
// itself is SIGKILLed and started again under load. Locks last 6 s: long enough that Redis being
// away for a second or two never looks like a dead worker, short enough for a quick takeover.

const TOKEN = `ghs_${crypto.randomBytes(16).toString('hex')}`;
const DASHBOARD_TOKEN = crypto.randomBytes(16).toString('hex');
const REPOS = 10;
const PER_REPO = 6;
let git: GitServer;
let github: FakeGithub;
let model: ScriptedModel;
let redis: RedisServer;
let root: string;
const procs: ServerProcess[] = [];
let webs: ServerProcess[] = [];
/** While set, the model's first answer to a run whose task contains `words` waits for the test. */
let hold: { words: string; gate: Promise<Step>; open: (s: Step) => void } | null = null;

const fixer = (body: Record<string, unknown>): Step | Promise<Step> => {
  const items = JSON.stringify(body.input ?? body.messages ?? '');
  const fixed = /Success\.|Done!|apply_patch/.test(items) && /function_call_output|"role":"tool"/.test(items);
  if (hold && items.includes(hold.words) && !/function_call_output|"role":"tool"/.test(items)) return hold.gate;
  return fixed ? { text: 'Fixed add.' } : { calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] };
};

const issue = (r: number, i: number) => r * PER_REPO + i + 1;
const repoName = (r: number) => `scale-${r}`;

beforeAll(async () => {
  root = tempDir('pw-scale-');
  git = await startGitServer(root, TOKEN);
  github = await startGithubFake({ token: TOKEN });
  model = await startScriptedModel(
    Array.from({ length: 2000 }, () => fixer),
    { titles: () => 'Make add return the sum' },
  );
  redis = await startRedis(tempDir('pw-redis-'));
  for (let r = 0; r < REPOS; r++) makeRemoteRepo(root, repoName(r), nodeBuggy);
  webs = await Promise.all([
    start('web', { PATCHWRIGHT_DASHBOARD_TOKEN: DASHBOARD_TOKEN }),
    start('web', { PATCHWRIGHT_DASHBOARD_TOKEN: DASHBOARD_TOKEN }),
  ]);
  await Promise.all([start('worker'), start('worker')]);
});

afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill().catch(() => {})));
  await Promise.all([git?.close(), github?.close(), model?.close(), redis?.close()]);
});

function start(role: 'web' | 'worker', extra: Record<string, string> = {}): Promise<ServerProcess> {
  return startServerProcess({
    githubUrl: github.url,
    modelUrl: model.baseURL,
    dataDir: tempDir(`pw-scale-${role}-`),
    args: ['--role', role],
    extraEnv: { PATCHWRIGHT_REDIS_URL: redis.url, PATCHWRIGHT_JOB_LOCK_SECONDS: '6', LOG_LEVEL: 'warn', ...extra },
  }).then((p) => (procs.push(p), p));
}

/** Like GitHub: a delivery that got no 2xx (or no answer) is sent again, with the same id. */
async function deliverUntilAccepted(url: string, event: string, body: unknown, id: string): Promise<number> {
  for (let i = 0; ; i++) {
    const status = await deliver(url, event, body, { id }).then(
      (r) => r.status,
      () => 0,
    );
    if (status >= 200 && status < 300) return status;
    if (i > 40) throw new Error(`delivery ${id} was never accepted (last status ${status})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function jobsInRedis(): Promise<Array<Record<string, string>>> {
  const client = new Redis(redis.url, { maxRetriesPerRequest: null });
  try {
    const ids = await client.zrange('patchwright:jobs', '0', '-1');
    return await Promise.all(ids.map((id) => client.hgetall(`patchwright:job:${id}`)));
  } finally {
    client.disconnect();
  }
}

it('60 issues in 10 repositories, 2 web and 3 worker processes: a worker SIGKILLed mid-run and a Redis restart change nothing — 60 PRs, one tracking comment each', {
  timeout: 600_000,
}, async () => {
  const marker = path.join(tempDir('pw-scale-marker-'), 'paused-at');
  // The third worker stops for good just before opening its first PR: the test kills it there.
  const victim = await start('worker', { PATCHWRIGHT_FAULT_PAUSE: 'pr', PATCHWRIGHT_FAULT_MARKER: marker });

  const deliveries = [];
  for (let r = 0; r < REPOS; r++) {
    for (let i = 0; i < PER_REPO; i++) {
      const n = issue(r, i);
      const body = payload('issues', 'labeled', {
        label: { name: 'agent' },
        issue: { number: n, title: `add is broken (${n})`, body: 'add subtracts', pull_request: undefined },
        repository: { name: repoName(r), full_name: `octo/${repoName(r)}`, clone_url: `${git.url}/${repoName(r)}.git` },
      });
      deliveries.push({ n, body, id: crypto.randomUUID() });
    }
  }
  // All at once, spread over both web processes; every sixth one is also delivered to the other
  // web process (GitHub's redelivery, or two load-balanced copies): still one job.
  await Promise.all(
    deliveries.flatMap((d, k) => [
      deliverUntilAccepted(webs[k % 2]!.url, 'issues', d.body, d.id),
      ...(k % 6 === 0 ? [deliverUntilAccepted(webs[(k + 1) % 2]!.url, 'issues', d.body, d.id)] : []),
    ]),
  );

  await waitFor('a worker to be in the middle of a run', () => fs.existsSync(marker), 300_000);
  await victim.kill();

  await waitFor('a third of the PRs', () => github.pulls.length >= 20, 300_000);
  await redis.kill();
  await new Promise((r) => setTimeout(r, 1000));
  await redis.start();

  const done = await waitFor(
    'every issue to end',
    async () => {
      const jobs = await jobsInRedis();
      return jobs.length === 60 && jobs.every((j) => j.state !== 'queued' && j.state !== 'running') ? jobs : null;
    },
    420_000,
  );
  await Promise.all(webs.map((w) => fetch(`${w.url}/healthz`)));
  expect(done.map((j) => j.state)).toEqual(Array(60).fill('done'));
  expect(new Set(done.map((j) => j.delivery)).size).toBe(60);
  // Exactly one PR per issue, each on its own branch, each closing its issue.
  expect(github.pulls).toHaveLength(60);
  expect(new Set(github.pulls.map((p) => p.head)).size).toBe(60);
  for (const d of deliveries) expect(github.pulls.filter((p) => new RegExp(`#${d.n}\\b`).test(p.body))).toHaveLength(1);
  // One comment per issue (the tracking comment), and it says the run succeeded.
  for (const d of deliveries) {
    const comments = [...github.comments.values()].filter((c) => c.issue === d.n);
    expect(comments, `issue ${d.n}`).toHaveLength(1);
    expect(comments[0]!.body.startsWith(TRACKING_MARKER)).toBe(true);
    expect(comments[0]!.body).toMatch(/succeeded/);
  }
  // The killed worker's job was taken over by another worker, and says so.
  const again = done.filter((j) => Number(j.attempts) === 2);
  expect(again).toHaveLength(1);
  const taken = [...github.comments.values()].find((c) => c.issue === Number(again[0]!.number))!;
  expect(taken.body).toMatch(/This was attempt 2/);

  // Each process's /metrics counts its own work: summed, they match what was done.
  const alive = procs.filter((p) => p !== victim);
  const scraped = await Promise.all(
    alive.map(async (p) => parsePrometheusTextFormat(await (await fetch(`${p.url}/metrics`)).text()) as Family[]),
  );
  const sum = (name: string, labels: Record<string, string>) =>
    scraped
      .flat()
      .filter((f) => f.name === name)
      .flatMap((f) => f.metrics)
      .filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
      .reduce((n, m) => n + Number(m.value), 0);
  expect(sum('patchwright_deliveries_total', { event: 'issues', result: 'queued' })).toBe(60);
  expect(sum('patchwright_deliveries_total', { event: 'issues', result: 'duplicate' })).toBe(10);
  expect(sum('patchwright_runs_total', { outcome: 'succeeded' })).toBe(60);
  expect(sum('patchwright_queue_depth', {})).toBe(0);
});

type Family = { name: string; metrics: Array<{ value?: string; labels?: Record<string, string> }> };

it('/agent stop sent to one web process stops the run on whichever worker has it', { timeout: 180_000 }, async () => {
  let open: (s: Step) => void = () => {};
  hold = { words: 'stop me', gate: new Promise<Step>((r) => (open = r)), open: (s) => open(s) };
  const n = 500;
  const repository = {
    name: repoName(0),
    full_name: `octo/${repoName(0)}`,
    clone_url: `${git.url}/${repoName(0)}.git`,
  };
  const label = payload('issues', 'labeled', {
    label: { name: 'agent' },
    issue: { number: n, title: 'stop me', body: 'stop me', pull_request: undefined },
    repository,
  });
  await deliverUntilAccepted(webs[0]!.url, 'issues', label, crypto.randomUUID());
  await waitFor(
    'the run to reach the model',
    () => model.requests.some((r) => JSON.stringify(r.body).includes('stop me')),
    120_000,
  );
  const stop = payload('issue_comment', 'created', {
    comment: { id: 9001, body: '/agent stop', user: { login: 'octocat', type: 'User' } },
    issue: { number: n, title: 'stop me', body: '', pull_request: undefined },
    repository,
  });
  await deliverUntilAccepted(webs[1]!.url, 'issue_comment', stop, crypto.randomUUID());
  const job = await waitFor(
    'the job to be cancelled',
    async () => (await jobsInRedis()).find((j) => Number(j.number) === n && j.state === 'cancelled'),
    60_000,
  );
  hold.open({ text: 'too late' });
  hold = null;
  expect(job.reason).toMatch(/stopped by @maintainer/);
  expect(github.pulls.filter((p) => p.body.includes(`#${n}`))).toHaveLength(0);
  const tracking = [...github.comments.values()].filter((c) => c.issue === n);
  expect(tracking).toHaveLength(1);
  // Whichever comes last, the web process's "stopped" or the worker's own end of the run, it says who stopped it.
  await waitFor(
    'the tracking comment to say it stopped',
    () => /stopped by `?@maintainer/.test([...github.comments.values()].find((c) => c.issue === n)!.body),
    30_000,
  );
});

it('SIGTERM on a worker in the middle of a run: it exits 0, the job goes back on the queue (not counted as a start), and another worker makes the PR', {
  timeout: 180_000,
}, async () => {
  // Only one worker is left to take the job: the others stop first (idle, so they exit at once).
  for (const p of procs.filter((x) => !webs.includes(x) && x.child.exitCode === null && x.child.signalCode === null))
    expect(await p.stop()).toBe(0);
  let open: (s: Step) => void = () => {};
  hold = { words: 'restart me', gate: new Promise<Step>((r) => (open = r)), open: (s) => open(s) };
  const leaving = await start('worker', { PATCHWRIGHT_SHUTDOWN_GRACE_SECONDS: '0' });
  const n = 600;
  const repository = {
    name: repoName(1),
    full_name: `octo/${repoName(1)}`,
    clone_url: `${git.url}/${repoName(1)}.git`,
  };
  await deliverUntilAccepted(
    webs[0]!.url,
    'issues',
    payload('issues', 'labeled', {
      label: { name: 'agent' },
      issue: { number: n, title: 'restart me', body: 'add subtracts', pull_request: undefined },
      repository,
    }),
    crypto.randomUUID(),
  );
  await waitFor(
    'the run to reach the model',
    () => model.requests.some((r) => JSON.stringify(r.body).includes('restart me')),
    120_000,
  );
  expect(await leaving.stop()).toBe(0);
  expect((await jobsInRedis()).find((j) => Number(j.number) === n)).toMatchObject({ state: 'queued', attempts: '0' });
  hold = null;
  open({ calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] });
  await start('worker');
  const job = await waitFor(
    'the job to end on the other worker',
    async () =>
      (await jobsInRedis()).find((j) => Number(j.number) === n && j.state !== 'queued' && j.state !== 'running'),
    120_000,
  );
  expect(job).toMatchObject({ state: 'done', attempts: '1' });
  expect(github.pulls.filter((p) => new RegExp(`#${n}\\b`).test(p.body))).toHaveLength(1);
});

it("the dashboard on any web process lists every worker's runs and streams a run live from another machine; a session made on one web process works on the other", {
  timeout: 180_000,
}, async () => {
  const auth = { authorization: `Bearer ${DASHBOARD_TOKEN}` };
  let open: (s: Step) => void = () => {};
  hold = { words: 'watch me', gate: new Promise<Step>((r) => (open = r)), open: (s) => open(s) };
  const n = 700;
  const repository = {
    name: repoName(2),
    full_name: `octo/${repoName(2)}`,
    clone_url: `${git.url}/${repoName(2)}.git`,
  };
  await deliverUntilAccepted(
    webs[1]!.url,
    'issues',
    payload('issues', 'labeled', {
      label: { name: 'agent' },
      issue: { number: n, title: 'watch me', body: 'add subtracts', pull_request: undefined },
      repository,
    }),
    crypto.randomUUID(),
  );
  await waitFor(
    'the run to reach the model',
    () => model.requests.some((r) => JSON.stringify(r.body).includes('watch me')),
    120_000,
  );
  const job = (await jobsInRedis()).find((j) => Number(j.number) === n)!;

  // Web process 1 streams the run (its past, then live) while a worker elsewhere finishes it.
  const stream = await fetch(`${webs[0]!.url}/dashboard/api/runs/${job.id}/events?from=0`, { headers: auth });
  expect(stream.status).toBe(200);
  const reader = stream.body!.getReader();
  const seqs: number[] = [];
  let doneSeq = 0;
  let text = '';
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      text += Buffer.from(value).toString();
      for (let cut = text.indexOf('\n\n'); cut >= 0; cut = text.indexOf('\n\n')) {
        const block = text.slice(0, cut);
        text = text.slice(cut + 2);
        const event = /^event: (\w+)/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event === 'item') seqs.push((JSON.parse(data!) as { seq: number }).seq);
        if (event === 'done') return void (doneSeq = (JSON.parse(data!) as { seq: number }).seq);
      }
    }
  })();
  const beforeRelease = () => seqs.length;
  await waitFor('the past events to arrive', () => seqs.length > 0, 30_000);
  const early = beforeRelease();
  hold = null;
  open({ calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] });
  await Promise.race([
    reading,
    new Promise((_, reject) => setTimeout(() => reject(new Error('no done event')), 120_000)),
  ]);
  await reader.cancel().catch(() => {});
  // Live events came after the past ones, in order, none twice.
  expect(seqs.length).toBeGreaterThan(early);
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  expect(new Set(seqs).size).toBe(seqs.length);

  // Web process 2 has the same run, its whole log, and the list of every run.
  const run = (await (await fetch(`${webs[1]!.url}/dashboard/api/runs/${job.id}`, { headers: auth })).json()) as {
    run: { state: string; outcome: string };
    events: Array<{ type: string }>;
  };
  expect(run.events.length).toBe(doneSeq);
  expect(run.events.at(-1)!.type).toBe('run.completed');
  const list = (await (await fetch(`${webs[0]!.url}/dashboard/api/runs`, { headers: auth })).json()) as {
    runs: Array<{ id: number }>;
    total: number;
  };
  expect(list.total).toBe((await jobsInRedis()).length);
  expect(list.runs[0]!.id).toBe(Math.max(...(await jobsInRedis()).map((j) => Number(j.id))));

  // Signed in on one web process, the cookie works on the other (the session key lives in Redis).
  const signin = await fetch(`${webs[0]!.url}/dashboard/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `token=${DASHBOARD_TOKEN}`,
    redirect: 'manual',
  });
  const cookie = signin.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  expect(cookie).toMatch(/=/);
  const page = await fetch(`${webs[1]!.url}/dashboard`, { headers: { cookie }, redirect: 'manual' });
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('watch me');
});
