import { describe, expect, it } from 'vitest';
import { evalProgress } from '../../src/cli/eval-progress.ts';
import { buildReport } from '../../src/eval/report.ts';
import { renderReport } from '../../src/eval/report-table.ts';
import type { EvalRun } from '../../src/protocol/eval.ts';

const run = (o: Partial<EvalRun> = {}): EvalRun => ({
  task: 'a'.repeat(40),
  model: 'gpt-5',
  attempt: 1,
  key: 'k',
  runId: 'r',
  jobId: 3,
  outcome: 'succeeded',
  summary: '',
  scored: null,
  turns: 4,
  verdict: {
    resolved: true,
    failToPass: { passed: 2, total: 2, failing: [] },
    passToPass: { total: 10, broken: [] },
    reason: 'ok',
  },
  usage: { inputTokens: 12_000, cachedInputTokens: 0, outputTokens: 800, reasoningTokens: 0, costUsd: 0.05 },
  compute: { cpuSeconds: 30.5, peakMemoryMb: 300, commands: 5, measured: 5, wallMs: 20_000 },
  wh: 0.2,
  wallMs: 65_000,
  startedAt: '',
  finishedAt: '',
  filesChanged: [],
  ...o,
});

describe('evalProgress', () => {
  const sink = (isTTY: boolean) => {
    const chunks: string[] = [];
    return { out: { isTTY, columns: 120, write: (s: string) => chunks.push(s) }, chunks };
  };

  it('off a terminal: one plain line per finished step, nothing redrawn', () => {
    const { out, chunks } = sink(false);
    const p = evalProgress(out);
    p.update({ type: 'validating', sha: 'a'.repeat(40), subject: 'Fix it', found: 0, wanted: 2 });
    p.update({
      type: 'validated',
      sha: 'a'.repeat(40),
      subject: 'Fix it',
      valid: true,
      reason: null,
      reused: false,
      found: 1,
      wanted: 2,
    });
    p.update({
      type: 'validated',
      sha: 'b'.repeat(40),
      subject: 'Docs',
      valid: false,
      reason: 'the fix’s tests already pass\nat its parent',
      reused: true,
      found: 1,
      wanted: 2,
    });
    p.update({
      type: 'running',
      sha: 'a'.repeat(40),
      subject: 'Fix it',
      model: 'gpt-5',
      attempt: 1,
      done: 0,
      total: 1,
    });
    p.update({ type: 'ran', run: run(), subject: 'Fix it', reused: false, done: 1, total: 1 });
    p.done();
    expect(chunks.join('')).toBe(
      'task aaaaaaaaaa Fix it\n' +
        'set aside bbbbbbbbbb Docs: the fix’s tests already pass at its parent (stored)\n' +
        'run 1/1: gpt-5 #1 on aaaaaaaaaa Fix it\n' +
        'resolved aaaaaaaaaa Fix it by gpt-5 #1: succeeded, 4 turn(s), 1m 5s\n',
    );
    expect(chunks.join('')).not.toContain('\r');
  });

  it('on a terminal: a bar redrawn in place, finished runs printed above it', () => {
    const { out, chunks } = sink(true);
    const p = evalProgress(out);
    p.update({
      type: 'running',
      sha: 'a'.repeat(40),
      subject: 'Fix it',
      model: 'gpt-5',
      attempt: 1,
      done: 1,
      total: 4,
    });
    p.update({ type: 'ran', run: run(), subject: 'Fix it', reused: false, done: 2, total: 4 });
    p.done();
    const text = chunks.join('');
    expect(text).toMatch(/^running \[#####-{15}\] 1\/4 \d+s {2}gpt-5 #1 on aaaaaaaaaa Fix it/);
    expect(text).toContain('\r\x1b[2Kresolved aaaaaaaaaa Fix it by gpt-5 #1: succeeded, 4 turn(s), 1m 5s\n');
    expect(text).toMatch(/running \[#{10}-{10}\] 2\/4/);
    expect(text.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('a terminal that does not say its width gets 100 columns, a narrow one its own', () => {
    for (const [columns, width] of [
      [0, 99],
      [undefined, 99],
      [40, 39],
    ] as const) {
      const chunks: string[] = [];
      const p = evalProgress({ isTTY: true, columns, write: (s: string) => chunks.push(s) });
      p.update({
        type: 'running',
        sha: 'a'.repeat(40),
        subject: 'x'.repeat(200),
        model: 'gpt-5',
        attempt: 1,
        done: 0,
        total: 4,
      });
      expect(chunks.join('').length).toBe(width);
      p.done();
    }
  });
});

describe('renderReport', () => {
  it('one line per model, per run, per set-aside candidate; unknown prices say so', () => {
    const report = buildReport({
      repo: { name: 'tomli', dir: '/r', head: 'f'.repeat(40) },
      models: ['gpt-5', 'local-model'],
      attempts: 1,
      energy: { whPerCpuHour: 12, whPerThousandTokens: 0.3 },
      examined: 3,
      tasks: [],
      skipped: [
        { sha: 'c'.repeat(40), subject: 'More tests', code: 'no_code', message: 'it changes tests only, no code' },
      ],
      runs: [
        run(),
        run({
          model: 'local-model',
          outcome: 'tests_failing',
          usage: { inputTokens: 100, cachedInputTokens: 0, outputTokens: 10, reasoningTokens: 0, costUsd: null },
          verdict: {
            resolved: false,
            failToPass: { passed: 0, total: 2, failing: ['a', 'b'] },
            passToPass: { total: 10, broken: ['c'] },
            reason: 'x',
          },
        }),
      ],
      pending: 0,
    });
    const text = renderReport(report);
    expect(text).toMatch(
      /^gpt-5 +1\/1 100% +1\/1 +succeeded 1 +4 \(median 4\) +12\.0k\/800 +\$0\.05 +30\.5 +300 +0\.20 +1m 5s$/m,
    );
    expect(text).toMatch(/^local-model +0\/1 0% +0\/1 +tests_failing 1 .* unknown /m);
    expect(text).toMatch(/^aaaaaaaaaa +gpt-5 +1 +succeeded +yes +2\/2 +0\/10 /m);
    expect(text).toMatch(/^aaaaaaaaaa +local-model +1 +tests_failing +no +0\/2 +1\/10 /m);
    expect(text).toContain('  cccccccccc  More tests: it changes tests only, no code [no_code]');
  });
});
