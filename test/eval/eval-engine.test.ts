import { describe, expect, it } from 'vitest';
import type { RunCompleted } from '../../src/core/loop/run-agent.ts';
import type { Sandbox } from '../../src/core/ports.ts';
import {
  resultKey,
  runEval,
  type EvalDeps,
  type EvalOptions,
  type EvalProgress,
  type ResultStore,
} from '../../src/eval/eval-engine.ts';
import type { CommitInfo } from '../../src/eval/fix-message.ts';
import type { AgentRunner, EvalCheckout, Workbench } from '../../src/eval/ports.ts';
import type { EvalReport, EvalRun, Validation } from '../../src/protocol/eval.ts';

/** A patch touching one file: enough for the engine, which splits patches by file. */
const patch = (file: string, mark: string) =>
  `diff --git a/${file} b/${file}\n--- a/${file}\n+++ b/${file}\n@@ -1 +1 @@\n-old\n+${mark}\n`;

/**
 * A history of fixes, each `fix-N` changing tests/test_N.py and src/N.py. Its "repository's tests"
 * (a fake sandbox printing unittest -v output) fail while tests/test_N.py is the fix's and src/N.py
 * is not, so every fix validates unless told otherwise.
 */
function world(n: number, extra: CommitInfo[] = [], setup: string[] = []) {
  const commits: CommitInfo[] = [
    ...extra,
    ...Array.from({ length: n }, (_, i) => ({
      sha: `fix-${i}`,
      parents: [`base-${i}`],
      author: 'Ada',
      email: 'ada@example.com',
      date: '2026-01-01T00:00:00Z',
      message: `Fix thing ${i}`,
    })),
  ];
  const paths: Record<string, string[]> = Object.fromEntries(
    commits.map((c) => [c.sha, [`tests/test_${c.sha}.py`, `src/${c.sha}.py`]]),
  );
  const checkouts: string[] = [];
  const sandboxRuns: string[] = [];
  const applies: string[] = [];
  const workbench: Workbench = {
    limits: { setupTimeoutMs: 1000, commandTimeoutMs: 1000 },
    redact: (t) => t.replaceAll('SECRET', '[redacted]'),
    async checkout(sha, use): Promise<EvalCheckout> {
      checkouts.push(`${use}:${sha}`);
      const applied: string[] = [];
      const sandbox: Sandbox = {
        kind: 'none',
        async run(o) {
          sandboxRuns.push(String(o.command));
          if (o.stage === 'setup')
            return {
              exitCode: 1,
              signal: null,
              stdout: '',
              stderr: 'error: externally-managed-environment',
              durationMs: 5,
              timedOut: false,
              cancelled: false,
            };
          const fixed = applied.some((p) => p.includes('+FIXED'));
          const tested = applied.some((p) => p.includes('+NEWTEST'));
          const out = `test_old (t.T.test_old) ... ok\ntest_new (t.T.test_new) ... ${tested && !fixed ? 'FAIL' : 'ok'}\n\nRan 2 tests in 0.01s\n\n${tested && !fixed ? 'FAILED (failures=1)' : 'OK'}\n`;
          return {
            exitCode: tested && !fixed ? 1 : 0,
            signal: null,
            stdout: '',
            stderr: out,
            durationMs: 5,
            timedOut: false,
            cancelled: false,
          };
        },
      };
      return {
        dir: `/w/${sha}`,
        commands: () => ({ setup, test: 'python -m unittest' }),
        sandbox: async () => sandbox,
        apply: async (p) => void (applied.push(p), applies.push(p)),
        dispose: async () => {},
      };
    },
  };
  const history: EvalDeps['history'] = {
    commits: async () => commits,
    changedPaths: async (_b, sha) => paths[sha] ?? [],
    branchMessages: async () => [],
    patchOf: async (_b, sha, files) =>
      files
        .map((f) =>
          patch(
            f,
            f.startsWith('tests/') ? 'NEWTEST' : sha.startsWith('huge') ? 'FIXED'.padEnd(3_000_000, 'x') : 'FIXED',
          ),
        )
        .join(''),
  };
  return { commits, paths, checkouts, sandboxRuns, applies, workbench, history };
}

function memoryStore(): ResultStore & {
  validations: Map<string, Validation>;
  runs: Map<string, EvalRun>;
  reports: EvalReport[];
} {
  const validations = new Map<string, Validation>();
  const runs = new Map<string, EvalRun>();
  const reports: EvalReport[] = [];
  return {
    validations,
    runs,
    reports,
    validation: (sha) => validations.get(sha) ?? null,
    saveValidation: (v) => void validations.set(v.valid ? v.task.sha : v.candidate.sha, v),
    run: (sha, m, a) => runs.get(`${sha}/${m}/${a}`) ?? null,
    saveRun: (r) => void runs.set(`${r.task}/${r.model}/${r.attempt}`, r),
    saveReport: (r) => void reports.push(r),
  };
}

/** An agent whose change is the fix's code for model `good`, nothing for `idle`. */
const agent =
  (calls: string[], onCall?: () => void): AgentRunner =>
  async (task, model, attempt) => {
    calls.push(`${task.sha}/${model}/${attempt}`);
    onCall?.();
    const completed = {
      type: 'run.completed',
      outcome: model === 'good' ? 'succeeded' : 'no_changes',
      summary: 'done SECRET',
      evidence: {
        testCommand: 't',
        baseline: null,
        final: null,
        preExistingFailures: [],
        usage: {
          inputTokens: 1000,
          cachedInputTokens: 0,
          outputTokens: 100,
          reasoningTokens: 0,
          costUsd: model === 'good' ? 0.01 : null,
        },
        durationMs: 1500,
        filesChanged: [],
        compute: { cpuSeconds: 36, peakMemoryMb: 50, commands: 3, measured: 3, wallMs: 900 },
      },
    } as RunCompleted;
    return {
      completed,
      change:
        model === 'good'
          ? patch(`src/${task.sha}.py`, 'FIXED') + patch(`tests/test_${task.sha}.py`, 'WEAKENED-TEST')
          : '',
      turns: 2,
      jobId: null,
      runId: `r-${task.sha}`,
    };
  };

const options = (o: Partial<EvalOptions> = {}): EvalOptions => ({
  repo: { name: 'r', dir: '/r', head: 'h' },
  models: ['good', 'idle'],
  attempts: 1,
  wanted: 2,
  fresh: false,
  keyOf: (sha) => resultKey(sha, { test: null }),
  energy: { whPerCpuHour: 10, whPerThousandTokens: 1 },
  ...o,
});

describe('runEval with its ports faked', () => {
  it('validates newest first until enough tasks are found, sets aside bots, tests-only changes and huge ones, then runs every model on every task', async () => {
    const bot: CommitInfo = {
      sha: 'bot-1',
      parents: ['b'],
      author: 'dependabot[bot]',
      email: 'x',
      date: '2026-01-02T00:00:00Z',
      message: 'Bump x (#3)',
    };
    const testsOnly: CommitInfo = {
      sha: 'tests-1',
      parents: ['b'],
      author: 'Ada',
      email: 'a',
      date: '2026-01-02T00:00:00Z',
      message: 'More tests',
    };
    const huge: CommitInfo = {
      sha: 'huge-1',
      parents: ['b'],
      author: 'Ada',
      email: 'a',
      date: '2026-01-02T00:00:00Z',
      message: 'Vendor a library',
    };
    const docs: CommitInfo = {
      sha: 'docs-1',
      parents: ['b'],
      author: 'Ada',
      email: 'a',
      date: '2026-01-02T00:00:00Z',
      message: 'Docs',
    };
    const w = world(3, [docs, bot, testsOnly, huge]);
    w.paths['tests-1'] = ['tests/test_a.py'];
    w.paths['docs-1'] = ['README.md'];
    const store = memoryStore();
    const calls: string[] = [];
    const progress: EvalProgress[] = [];
    const report = await runEval(
      options(),
      {
        history: w.history,
        roleOf: (p) => (p.startsWith('tests/') ? 'test' : p.endsWith('.md') ? 'other' : 'code'),
        issues: new Map(),
        store,
        workbench: w.workbench,
        agent: agent(calls),
        progress: (p) => progress.push(p),
      },
      new AbortController().signal,
    );
    expect(report.candidates.skipped.map((s) => [s.sha, s.code])).toEqual([
      ['bot-1', 'bot'],
      ['tests-1', 'no_code'],
      ['huge-1', 'too_large'],
    ]);
    expect(report.tasks.map((t) => [t.sha, t.granularity, t.failToPass, t.passToPass])).toEqual([
      ['fix-0', 'test', 1, 1],
      ['fix-1', 'test', 1, 1],
    ]);
    expect(report.candidates).toMatchObject({ examined: 5, validated: 2 });
    // fix-2 is never looked at: two tasks were enough.
    expect(w.checkouts.filter((c) => c.includes('base-2'))).toEqual([]);
    // Validation's checkouts are gold ones, scoring's their own.
    expect(w.checkouts).toEqual([
      'gold:base-0',
      'gold:base-0',
      'gold:base-1',
      'gold:base-1',
      'scoring:base-0',
      'scoring:base-0',
      'scoring:base-1',
      'scoring:base-1',
    ]);
    expect(calls).toEqual(['fix-0/good/1', 'fix-0/idle/1', 'fix-1/good/1', 'fix-1/idle/1']);
    const good = report.byModel.find((m) => m.model === 'good')!;
    const idle = report.byModel.find((m) => m.model === 'idle')!;
    expect([good.resolved, good.resolvedShare, idle.resolved]).toEqual([2, 1, 0]);
    // A run's change to the fix's test files is replaced by the fix's own: the weakened test never reaches the scoring checkout.
    expect(w.applies.some((p) => p.includes('+FIXED'))).toBe(true);
    expect(w.applies.some((p) => p.includes('WEAKENED-TEST'))).toBe(false);
    // Known secret values are out of what is stored.
    expect(report.runs.every((r) => r.summary === 'done [redacted]')).toBe(true);
    expect(good).toMatchObject({
      tokens: { input: 2000, output: 200 },
      costUsd: 0.02,
      cpuSeconds: 72,
      peakMemoryMb: 50,
      wh: 2 * ((36 / 3600) * 10 + 1.1),
    });
    expect(idle.costUsd).toBeNull();
    expect(progress.map((p) => p.type)).toEqual([
      'validating',
      'validated',
      'validating',
      'validated',
      'validating',
      'validated',
      'running',
      'ran',
      'running',
      'ran',
      'running',
      'ran',
      'running',
      'ran',
    ]);
    expect(store.reports).toHaveLength(1);
  });

  it('what is stored under the same key is reused, with another key (new test command, new issues file) redone, and --fresh redoes all', async () => {
    const w = world(2);
    const store = memoryStore();
    const calls: string[] = [];
    const deps = {
      history: w.history,
      roleOf: (p: string) => (p.startsWith('tests/') ? ('test' as const) : ('code' as const)),
      issues: new Map(),
      store,
      workbench: w.workbench,
      agent: agent(calls),
      progress: () => {},
    };
    await runEval(options(), deps, new AbortController().signal);
    const checkouts = w.checkouts.length;
    expect(calls).toHaveLength(4);
    const again = await runEval(options(), deps, new AbortController().signal);
    expect([w.checkouts.length, calls.length]).toEqual([checkouts, 4]);
    expect(again.byModel.map((m) => m.resolved)).toEqual([2, 0]);
    await runEval(options({ keyOf: (sha) => resultKey(sha, { test: 'pytest' }) }), deps, new AbortController().signal);
    expect(calls).toHaveLength(8);
    await runEval(options({ fresh: true, models: ['good'] }), deps, new AbortController().signal);
    expect(calls).toHaveLength(10);
  });

  it('stopped in the middle: nothing half-done is stored, the report counts what is still to do', async () => {
    const w = world(3);
    const store = memoryStore();
    const controller = new AbortController();
    const calls: string[] = [];
    const report = await runEval(
      options({ wanted: 3 }),
      {
        history: w.history,
        roleOf: (p) => (p.startsWith('tests/') ? 'test' : 'code'),
        issues: new Map(),
        store,
        workbench: w.workbench,
        agent: agent(calls, () => calls.length === 2 && controller.abort(new Error('interrupted'))),
        progress: () => {},
      },
      controller.signal,
    );
    expect(calls).toEqual(['fix-0/good/1', 'fix-0/idle/1']);
    expect([...store.runs.keys()]).toEqual(['fix-0/good/1']);
    expect(report.pending).toBe(5);
    expect(store.reports.at(-1)?.pending).toBe(5);
  });

  it('the same setup failure at three candidates in a row stops the search, and says what to set', async () => {
    const w = world(10, [], ['python -m pip install -e .']);
    const report = await runEval(
      options({ wanted: 5 }),
      {
        history: w.history,
        roleOf: (p) => (p.startsWith('tests/') ? 'test' : 'code'),
        issues: new Map(),
        store: memoryStore(),
        workbench: w.workbench,
        agent: agent([]),
        progress: () => {},
      },
      new AbortController().signal,
    );
    expect(report.candidates).toMatchObject({ examined: 3, validated: 0 });
    expect(report.candidates.skipped.map((s) => s.code)).toEqual(['setup_failed', 'setup_failed', 'setup_failed']);
    expect(report.candidates.stopped).toMatch(
      /^3 candidates in a row failed the same way \(setup step `python -m pip install -e \.` failed \(exit 1\)\): the repository needs `setup:` in \.github\/agent\.yml/,
    );
    expect(w.sandboxRuns.filter((c) => c.includes('unittest'))).toEqual([]);
  });

  it('attempts: each model runs each task K times; resolved share counts runs, tasks resolved counts tasks', async () => {
    const w = world(2);
    const calls: string[] = [];
    const report = await runEval(
      options({ attempts: 3, models: ['good'] }),
      {
        history: w.history,
        roleOf: (p) => (p.startsWith('tests/') ? 'test' : 'code'),
        issues: new Map(),
        store: memoryStore(),
        workbench: w.workbench,
        agent: agent(calls),
        progress: () => {},
      },
      new AbortController().signal,
    );
    expect(calls).toEqual([
      'fix-0/good/1',
      'fix-0/good/2',
      'fix-0/good/3',
      'fix-1/good/1',
      'fix-1/good/2',
      'fix-1/good/3',
    ]);
    expect(report.byModel[0]).toMatchObject({
      runs: 6,
      resolved: 6,
      tasksResolved: 2,
      tasks: 2,
      turns: { total: 12, median: 2 },
    });
  });
});
