import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { deliver, tempDir } from '../test/support/app-harness.ts';
import { startServerProcess, waitFor, type ServerProcess } from '../test/faults/server-process.ts';
import { nodeBuggy, nodeFix } from '../test/support/fixture-repo.ts';
import { makeRemoteRepo, startGitServer } from '../test/support/git-http-server.ts';
import { startGithubFake } from '../test/support/github-fake.ts';
import { payload } from '../test/support/payloads.ts';
import { startRedis } from '../test/support/redis-server.ts';
import { startScriptedModel, type Step } from '../test/support/scripted-model.ts';
import type { Figure } from './stats.ts';

/** Each model answer takes this long, as a hosted model's would: the runs wait on it, not on the CPU. */
const MODEL_LATENCY_MS = Number(process.env.BENCH_MODEL_LATENCY_MS ?? 1500);
const ISSUES = 24;

/**
 * Runs completed per minute by 1, 2 and 4 worker processes (one job at a time each) behind one
 * web process, on the same load: 24 issues in 6 repositories, each a real run (clone, the bwrap
 * sandbox, the repo's tests twice, a commit, a push, a PR) against a model that takes
 * MODEL_LATENCY_MS per answer.
 */
export async function benchScaleOut(): Promise<Figure[]> {
  const token = `ghs_${crypto.randomBytes(16).toString('hex')}`;
  const root = tempDir('pw-bench-scale-');
  const git = await startGitServer(root, token);
  const github = await startGithubFake({ token });
  const answer = (body: Record<string, unknown>): Promise<Step> => {
    const items = JSON.stringify(body.input ?? body.messages ?? '');
    const fixed = /apply_patch/.test(items) && /function_call_output|"role":"tool"/.test(items);
    const step: Step = fixed
      ? { text: 'Fixed add.' }
      : { calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] };
    return new Promise((r) => setTimeout(() => r(step), MODEL_LATENCY_MS));
  };
  const model = await startScriptedModel(
    Array.from({ length: 1000 }, () => answer),
    { titles: () => 'Make add return the sum' },
  );
  const figures: Figure[] = [];
  const perMinute = new Map<number, number>();
  try {
    for (const workers of [1, 2, 4]) {
      const redis = await startRedis(tempDir('pw-bench-redis-'));
      const procs: ServerProcess[] = [];
      try {
        const env = { PATCHWRIGHT_REDIS_URL: redis.url, LOG_LEVEL: 'error' };
        const start = (role: string) =>
          startServerProcess({
            githubUrl: github.url,
            modelUrl: model.baseURL,
            dataDir: tempDir('pw-bench-proc-'),
            args: ['--role', role],
            extraEnv: env,
          });
        procs.push(await start('web'), ...(await Promise.all(Array.from({ length: workers }, () => start('worker')))));
        const prsBefore = github.pulls.length;
        const t0 = performance.now();
        await Promise.all(
          Array.from({ length: ISSUES }, (_, i) => {
            const repo = `bench-${workers}-${i % 6}`;
            if (i < 6) makeRemoteRepo(root, repo, nodeBuggy);
            const n = 1000 * workers + i;
            const body = payload('issues', 'labeled', {
              label: { name: 'agent' },
              issue: { number: n, title: `add is broken (${n})`, body: 'add subtracts', pull_request: undefined },
              repository: { name: repo, full_name: `octo/${repo}`, clone_url: `${git.url}/${repo}.git` },
            });
            return deliver(procs[0]!.url, 'issues', body);
          }),
        );
        const client = new Redis(redis.url);
        await waitFor(
          `${ISSUES} runs with ${workers} worker(s)`,
          async () => {
            const ids = await client.zrange('patchwright:jobs', '0', '-1');
            const states = await Promise.all(ids.map((id) => client.hget(`patchwright:job:${id}`, 'state')));
            return states.length === ISSUES && states.every((s) => s === 'done' || s === 'failed');
          },
          900_000,
        );
        client.disconnect();
        const minutes = (performance.now() - t0) / 60_000;
        if (github.pulls.length - prsBefore !== ISSUES)
          throw new Error(`expected ${ISSUES} PRs with ${workers} workers, got ${github.pulls.length - prsBefore}`);
        perMinute.set(workers, ISSUES / minutes);
        figures.push({
          name: `scale-out: runs per minute, ${workers} worker process(es)`,
          value: ISSUES / minutes,
          unit: 'runs/min',
          target: workers === 1 ? 'baseline' : '',
        });
      } finally {
        await Promise.all(procs.map((p) => p.kill()));
        await redis.close();
      }
    }
  } finally {
    await Promise.all([git.close(), github.close(), model.close()]);
  }
  const one = perMinute.get(1)!;
  figures.push({
    name: 'scale-out: 2 workers ÷ 1 worker',
    value: perMinute.get(2)! / one,
    unit: 'x',
    target: '≥ 1.7x',
  });
  figures.push({
    name: 'scale-out: 4 workers ÷ 1 worker',
    value: perMinute.get(4)! / one,
    unit: 'x',
    target: 'as the 2 cores allow',
  });
  return figures;
}
