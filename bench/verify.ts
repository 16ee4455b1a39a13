import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cleanVerifier, workspaceChanges } from '../src/adapters/git/clean-checkout.ts';
import { createSandbox } from '../src/adapters/sandbox/create-sandbox.ts';
import type { Sandbox } from '../src/core/ports.ts';
import { runClean } from '../src/core/loop/clean-verdict.ts';
import { runTests } from '../src/core/loop/run-tests.ts';
import { tempDir } from '../test/support/app-harness.ts';
import { fixtureRepo, nodeBuggy } from '../test/support/fixture-repo.ts';
import { generateRepo } from './workspace.ts';
import { median, type Figure } from './stats.ts';

/** The verdict's own host user when the bench runs as root (the verdict range, 61170-61179). */
const UID = 61176;
const ROUNDS = 5;

/**
 * What the clean verdict costs a job, side by side in one run with what the verdict used to cost
 * (one test run in the agent's checkout): freezing the change, a new worktree, setup again in a
 * fresh sandbox, the tests there. On a small npm repository (npm ci, node --test) and on a
 * 20,000-file tree (checkout cost, no setup).
 */
export async function benchVerify(): Promise<Figure[]> {
  const small = await measure('small npm repo', fixtureRepo(nodeBuggy), ['npm ci'], 'npm test', (dir) =>
    fs.writeFileSync(path.join(dir, 'math.js'), 'exports.add = (a, b) => a + b;\n'),
  );
  const root = tempDir('pw-bench-verify-big-');
  const bare = generateRepo(root);
  const big = path.join(root, 'big');
  execFileSync('git', ['clone', '-q', bare, big]);
  const large = await measure('20,000-file tree', big, [], 'true', (dir) =>
    fs.writeFileSync(path.join(dir, 'src/m1/file1.txt'), 'changed\n'),
  );
  return [...small, ...large];
}

async function measure(
  label: string,
  repo: string,
  setup: string[],
  test: string,
  edit: (dir: string) => void,
): Promise<Figure[]> {
  const start = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
  const gitDir = path.join(repo, '.git');
  const sandboxFor = (l: { worktree: string; runTmp: string; cacheDir: string }): Sandbox =>
    createSandbox('bwrap', { layout: { ...l, readOnly: [gitDir] }, hostUid: UID });
  const agentTmp = tempDir('pw-bench-agent-tmp-');
  const agent = sandboxFor({ worktree: repo, runTmp: agentTmp, cacheDir: tempDir('pw-bench-agent-cache-') });
  for (const command of setup)
    await agent.run({
      command,
      cwd: repo,
      network: true,
      timeoutMs: 120_000,
      outputLimitBytes: 64 * 1024,
      stage: 'setup',
    });
  edit(repo);
  const t = {
    inPlace: [] as number[],
    freeze: [] as number[],
    clean: [] as number[],
    setup: [] as number[],
    tests: [] as number[],
  };
  const signal = new AbortController().signal;
  for (let r = 0; r < ROUNDS; r++) {
    let at = performance.now();
    await runTests(agent, test, repo, 120_000, signal);
    t.inPlace.push(performance.now() - at);
    at = performance.now();
    const snap = await workspaceChanges(repo, gitDir, start)();
    t.freeze.push(performance.now() - at);
    const verifier = cleanVerifier({
      gitDir,
      parent: start,
      root: tempDir('pw-bench-verify-'),
      label: `b${r}`,
      sandbox: sandboxFor,
    });
    const timed: Sandbox[] = [];
    let setupMs = 0;
    let testMs = 0;
    const wrap = (s: Sandbox): Sandbox => (
      timed.push(s),
      {
        kind: s.kind,
        run: async (o) => {
          const res = await s.run(o);
          if (o.stage === 'setup') setupMs += res.durationMs;
          else testMs += res.durationMs;
          return res;
        },
      }
    );
    at = performance.now();
    const res = await runClean({ verifier, signal, nextId: () => 'x', item: () => {}, wrap }, snap.id, {
      setup,
      test,
      setupTimeoutMs: 120_000,
      commandTimeoutMs: 120_000,
      outputLimitBytes: 64 * 1024,
      taskText: '',
    });
    t.clean.push(performance.now() - at);
    if (!res.ok) throw new Error(`clean run failed: ${res.failure}`);
    t.setup.push(setupMs);
    t.tests.push(testMs);
  }
  const inPlace = median(t.inPlace);
  const whole = median(t.freeze) + median(t.clean);
  return [
    {
      name: `${label}: verdict in the agent's checkout (one test run, before)`,
      value: inPlace,
      unit: 'ms',
      target: '',
    },
    {
      name: `${label}: freeze the change (snapshot tree, read both sides)`,
      value: median(t.freeze),
      unit: 'ms',
      target: '',
    },
    {
      name: `${label}: clean verdict (worktree, ${setup.length ? 'setup, ' : ''}tests, removal)`,
      value: median(t.clean),
      unit: 'ms',
      target: '',
    },
    {
      name: `${label}: … of which setup / tests in the sandbox`,
      value: median(t.setup),
      unit: `ms / ${Math.round(median(t.tests))} ms`,
      target: '',
    },
    { name: `${label}: clean verdict / verdict before`, value: whole / inPlace, unit: '×', target: '' },
  ];
}
