import { EventLog } from '../src/adapters/store/event-log.ts';
import { JobStore } from '../src/adapters/store/job-store.ts';
import { openDatabase } from '../src/adapters/store/open-database.ts';
import { RunList } from '../src/adapters/store/run-list.ts';
import { createDashboard } from '../src/dashboard/dashboard.ts';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tempDir } from '../test/support/app-harness.ts';
import { median, percentile, type Figure } from './stats.ts';

/**
 * The runs list with 10,000 runs in the store: the time the server takes to answer the first
 * page (HTML and JSON), measured at the server, unfiltered and filtered by repository and outcome.
 */
export async function benchDashboard(): Promise<Figure[]> {
  const dir = tempDir('pw-bench-dash-');
  const db = openDatabase(dir);
  const jobs = new JobStore(db);
  const events = new EventLog(db);
  const outcomes = ['succeeded', 'tests_failing', 'no_changes', 'model_error'];
  db.exec('BEGIN');
  for (let i = 0; i < 10_000; i++) {
    const repo = `org/repo-${i % 40}`;
    const { job } = jobs.enqueue(`d-${i}`, {
      action: 'start',
      repo: { owner: 'org', name: `repo-${i % 40}`, cloneUrl: 'x', defaultBranch: 'main' },
      installationId: 1,
      number: i,
      isPullRequest: false,
      title: `Task ${i}`,
      body: '',
      instructions: '',
      requester: `user${i % 25}`,
      trigger: { kind: 'label', label: 'agent' },
    });
    const outcome = outcomes[i % outcomes.length]!;
    db.prepare(
      "UPDATE jobs SET state = 'done', outcome = ?, started_at = created_at, finished_at = created_at WHERE id = ?",
    ).run(outcome, job.id);
    const log = events.appender(job.id);
    log({ type: 'run.started', runId: `r${i}`, task: 't', repo, trigger: 'label', model: 'gpt-5' });
    log({
      type: 'run.completed',
      outcome: outcome as 'succeeded',
      summary: 's',
      evidence: {
        testCommand: 'npm test',
        baseline: null,
        final: null,
        preExistingFailures: [],
        usage: { inputTokens: 1000, cachedInputTokens: 0, outputTokens: 100, reasoningTokens: 0, costUsd: 0.01 },
        durationMs: 1000,
        filesChanged: ['a'],
      },
    });
  }
  db.exec('COMMIT');
  const handler = createDashboard({
    runs: new RunList(db),
    events,
    token: 'bench-token',
    sessionKey: Buffer.alloc(32, 1),
    secureCookies: false,
    viewPermission: 'read',
    energy: { whPerCpuHour: 12, whPerThousandTokens: 0.3 },
    webUrl: 'https://github.com',
  });
  const timings = new Map<string, number[]>();
  const server = http.createServer((req, res) => {
    const t0 = performance.now();
    res.once('finish', () => {
      const key = new URL(req.url!, 'http://x').pathname + (req.url!.includes('?') ? ' (filtered)' : '');
      timings.set(key, [...(timings.get(key) ?? []), performance.now() - t0]);
    });
    void handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const headers = { authorization: 'Bearer bench-token' };
  for (let i = 0; i < 30; i++) {
    for (const path of ['/dashboard', '/dashboard/api/runs', '/dashboard?repo=org/repo-7&outcome=succeeded']) {
      const res = await fetch(base + path, { headers });
      await res.text();
    }
  }
  server.close();
  db.close();
  const fig = (key: string, name: string): Figure => {
    const t = timings.get(key)!.slice(5);
    return {
      name: `${name}, 10,000 runs, median of ${t.length} (p90 ${percentile(t, 90).toFixed(1)} ms)`,
      value: median(t),
      unit: 'ms',
      target: '<= 100 ms',
    };
  };
  return [
    fig('/dashboard', 'dashboard runs list page (HTML), server-side'),
    fig('/dashboard/api/runs', 'dashboard runs list (JSON API), server-side'),
    fig('/dashboard (filtered)', 'dashboard runs list filtered by repo and outcome (HTML)'),
  ];
}
