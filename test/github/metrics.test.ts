import crypto from 'node:crypto';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.ts';
import type { RunEvent } from '../../src/protocol/run-event.ts';
import { deliver, tempDir } from '../support/app-harness.ts';
import { startAppWithWorker } from '../support/app-with-worker.ts';
import { nodeBuggy, nodeFix } from '../support/fixture-repo.ts';
import { makeRemoteRepo, startGitServer, type GitServer } from '../support/git-http-server.ts';
import { startGithubFake, type FakeGithub } from '../support/github-fake.ts';
import { payload } from '../support/payloads.ts';
import { startScriptedModel, type ScriptedModel } from '../support/scripted-model.ts';

const TOKEN = `ghs_${crypto.randomBytes(16).toString('hex')}`;
let git: GitServer;
let github: FakeGithub;
let model: ScriptedModel;
let server: RunningServer;

beforeAll(async () => {
  const root = tempDir('pw-metrics-');
  makeRemoteRepo(root, 'widgets', nodeBuggy);
  git = await startGitServer(root, TOKEN);
  github = await startGithubFake({ token: TOKEN });
  model = await startScriptedModel(
    [{ calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] }, { text: 'Fixed add.' }],
    { titles: () => 'Make add return the sum' },
  );
  server = await startAppWithWorker(github.url, model.baseURL);
}, 60_000);
afterAll(async () => {
  await server?.close();
  await Promise.all([git?.close(), github?.close(), model?.close()]);
});

type Family = {
  name: string;
  type: string;
  metrics: Array<{ value?: string; count?: string; labels?: Record<string, string> }>;
};

it('GET /metrics parses as Prometheus text and its counters match the work done', async () => {
  const labelled = payload('issues', 'labeled', {
    label: { name: 'agent' },
    issue: { number: 7, title: 'Fix add', body: 'add subtracts', pull_request: undefined },
    repository: { clone_url: `${git.url}/widgets.git` },
  });
  expect((await deliver(server.url, 'issues', labelled)).status).toBe(200);
  // A second delivery of an event Patchwright ignores.
  expect(
    (
      await deliver(
        server.url,
        'issues',
        payload('issues', 'opened', { repository: { clone_url: `${git.url}/widgets.git` } }),
      )
    ).status,
  ).toBe(200);
  await server.pool.idle();
  const job = server.jobs.list()[0]!;
  const done = server.events.list(job.id).find((e) => e.type === 'run.completed') as Extract<
    RunEvent,
    { type: 'run.completed' }
  >;
  const commands = server.events
    .list(job.id)
    .filter(
      (e) => e.type === 'item.completed' && (e.item.kind === 'command_execution' || e.item.kind === 'test_run'),
    ).length;

  const res = await fetch(`${server.url}/metrics`);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const families = parsePrometheusTextFormat(await res.text()) as Family[];
  const family = (name: string) => families.find((f) => f.name === name)!;
  const value = (name: string, labels: Record<string, string> = {}) =>
    Number(
      family(name).metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value ?? NaN,
    );

  expect(value('patchwright_deliveries_total', { event: 'issues', result: 'queued' })).toBe(1);
  expect(family('patchwright_deliveries_total').metrics.reduce((n, m) => n + Number(m.value), 0)).toBe(2);
  expect(value('patchwright_runs_total', { outcome: 'succeeded' })).toBe(1);
  expect(value('patchwright_model_tokens_total', { model: 'gpt-5', kind: 'input' })).toBe(
    done.evidence.usage.inputTokens,
  );
  expect(value('patchwright_model_tokens_total', { model: 'gpt-5', kind: 'output' })).toBe(
    done.evidence.usage.outputTokens,
  );
  expect(value('patchwright_model_cost_usd_total', { model: 'gpt-5' })).toBeCloseTo(done.evidence.usage.costUsd!, 6);
  expect(Number(family('patchwright_sandbox_command_seconds').metrics[0]!.count)).toBe(commands);
  expect(Number(family('patchwright_run_duration_seconds').metrics[0]!.count)).toBe(1);
  expect(Number(family('patchwright_time_to_pr_seconds').metrics[0]!.count)).toBe(1);
  expect(Number(family('patchwright_queue_wait_seconds').metrics[0]!.count)).toBe(1);
  expect(value('patchwright_queue_depth')).toBe(0);
  expect(value('patchwright_workers')).toBe(1);
  expect(value('patchwright_github_requests_total', { status: '2xx' })).toBeGreaterThan(5);
});

it('with PATCHWRIGHT_METRICS_TOKEN set, /metrics answers only a bearer of it', async () => {
  const { AppMetrics } = await import('../../src/adapters/metrics/app-metrics.ts');
  const { serveMetrics } = await import('../../src/github/serve-metrics.ts');
  const http = await import('node:http');
  const metrics = new AppMetrics({ queued: () => 3, busy: () => 1, concurrency: 2 });
  const srv = http.createServer((req, res) => serveMetrics(req, res, metrics, 'metrics-secret'));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(srv.address() as { port: number }).port}/metrics`;
  try {
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await fetch(url, { headers: { authorization: 'Bearer metrics-secret' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/^patchwright_queue_depth 3$/m);
  } finally {
    srv.close();
  }
});
