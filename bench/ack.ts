import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import readline from 'node:readline';
import { deliver, privateKey } from '../test/support/app-harness.ts';
import { startGithubFake } from '../test/support/github-fake.ts';
import { payload } from '../test/support/payloads.ts';
import { percentile, type Figure } from './stats.ts';

/** The acknowledgement path: signed deliveries over loopback, GitHub answered by a local fake. */
export async function benchAck(): Promise<Figure[]> {
  const github = await startGithubFake();
  // The server runs in its own process, like in production; this one sends and fakes GitHub.
  const child = spawn(process.execPath, [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []), 'bench/ack-server.ts', github.url], {
    env: { ...process.env, BENCH_PRIVATE_KEY: privateKey() },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const firstLine = await readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
  const server = { url: String(firstLine.value).trim() };
  let issue = 0;
  const one = () =>
    deliver(server.url, 'issues', payload('issues', 'labeled', { label: { name: 'agent' }, issue: { number: ++issue } }), {
      id: crypto.randomUUID(),
    });
  for (let i = 0; i < 50; i++) await one(); // warm-up: JIT, token cache, SQLite pages

  const latencies: number[] = [];
  for (let i = 0; i < 500; i++) {
    const t = performance.now();
    const res = await one();
    latencies.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`delivery answered ${res.status}`);
  }

  const total = 2000;
  const inFlight = 16;
  let sent = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (sent < total) {
        sent++;
        await one();
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  await github.close();
  return [
    { name: 'ack latency p50', value: percentile(latencies, 50), unit: 'ms', target: '' },
    { name: 'ack latency p99', value: percentile(latencies, 99), unit: 'ms', target: '<= 50 ms' },
    { name: 'ack throughput (16 in flight)', value: total / seconds, unit: 'deliveries/s', target: '>= 300/s' },
  ];
}
