import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import readline from 'node:readline';
import { deliver, privateKey } from '../test/support/app-harness.ts';
import { startGithubFake } from '../test/support/github-fake.ts';
import { payload } from '../test/support/payloads.ts';
import { percentile, type Figure } from './stats.ts';

/** A server under benchmark in its own process (as in production), GitHub faked in this one. */
async function startChild(script: string, githubUrl: string) {
  const child = spawn(
    process.execPath,
    [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []), script, githubUrl],
    {
      env: { ...process.env, BENCH_PRIVATE_KEY: privateKey() },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const firstLine = await readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
  return {
    url: String(firstLine.value).trim(),
    rssMiB: () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

const labelled = (number: number, repo = 'widgets') =>
  payload('issues', 'labeled', {
    label: { name: 'agent' },
    issue: { number },
    repository: { name: repo, full_name: `octo/${repo}` },
  });

/** Deliveries/s with `inFlight` at once, `total` of them, each a new issue. */
async function throughput(url: string, total: number, inFlight: number, first: number): Promise<number> {
  let sent = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (sent < total) {
        const n = first + sent++;
        const res = await deliver(url, 'issues', labelled(n), { id: crypto.randomUUID() });
        if (res.status !== 200) throw new Error(`delivery answered ${res.status}`);
      }
    }),
  );
  return total / ((performance.now() - t0) / 1000);
}

/**
 * The acknowledgement path: signed deliveries over loopback, GitHub answered by a local fake.
 * Patchwright and a minimal Probot app making the same five calls are measured side by side;
 * then 1,000 deliveries for 50 repositories are sent over one minute, for latency and memory.
 */
export async function benchAck(): Promise<Figure[]> {
  const github = await startGithubFake();
  const app = await startChild('bench/ack-server.ts', github.url);
  const probot = await startChild('bench/probot-minimal.ts', github.url);
  let issue = 0;
  for (let i = 0; i < 50; i++) {
    // warm-up: JIT, token cache, SQLite pages
    await deliver(app.url, 'issues', labelled(++issue), { id: crypto.randomUUID() });
    await deliver(probot.url, 'issues', labelled(issue), { id: crypto.randomUUID() });
  }
  const latencies: number[] = [];
  for (let i = 0; i < 500; i++) {
    const t = performance.now();
    const res = await deliver(app.url, 'issues', labelled(++issue), { id: crypto.randomUUID() });
    latencies.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`delivery answered ${res.status}`);
  }
  // Side by side, alternating rounds so neither gets the machine to itself.
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round < 3; round++) {
    ours.push(await throughput(app.url, 700, 16, (issue += 1000)));
    theirs.push(await throughput(probot.url, 700, 16, (issue += 1000)));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

  // Load: 1,000 deliveries for 50 repositories in one minute; workers (2) take the jobs meanwhile.
  const rssStart = app.rssMiB();
  const load: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 1000 }, async (_, i) => {
      await new Promise((r) => setTimeout(r, i * 60)); // evenly over 60 s
      const t = performance.now();
      const res = await deliver(app.url, 'issues', labelled(100_000 + i, `repo-${i % 50}`), {
        id: crypto.randomUUID(),
      });
      load.push(performance.now() - t);
      if (res.status !== 200) throw new Error(`delivery answered ${res.status}`);
    }),
  );
  const loadSeconds = (performance.now() - t0) / 1000;
  const rssEnd = app.rssMiB();
  await Promise.all([app.stop(), probot.stop()]);
  await github.close();
  return [
    { name: 'ack latency p50', value: percentile(latencies, 50), unit: 'ms', target: '' },
    { name: 'ack latency p99', value: percentile(latencies, 99), unit: 'ms', target: '<= 50 ms' },
    { name: 'ack throughput (16 in flight)', value: median(ours), unit: 'deliveries/s', target: '' },
    {
      name: 'minimal Probot app, same five calls (16 in flight)',
      value: median(theirs),
      unit: 'deliveries/s',
      target: '',
    },
    {
      name: 'ack throughput vs minimal Probot app',
      value: median(ours) / median(theirs),
      unit: 'x',
      target: '>= 0.8x',
    },
    {
      name: `load: 1,000 deliveries, 50 repos, ${Math.round(loadSeconds)} s, ack p99`,
      value: percentile(load, 99),
      unit: 'ms',
      target: '<= 50 ms',
    },
    { name: 'load: server RSS at start', value: rssStart, unit: 'MiB', target: '' },
    { name: 'load: server RSS at end', value: rssEnd, unit: 'MiB', target: 'flat' },
  ];
}
