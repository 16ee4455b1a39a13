import { expect, it } from 'vitest';
import type { RunCompleted } from '../../src/core/loop/run-agent.ts';
import { renderFinal } from '../../src/github/report/render-progress.ts';

const summary = (exitCode: number, passed: number | null, failures: string[] = []) => ({
  command: 'npm test',
  exitCode,
  passed,
  failed: failures.length || (passed === null ? null : 0),
  skipped: null,
  failures,
  durationMs: 10,
});

function run(baseline: ReturnType<typeof summary>, final: ReturnType<typeof summary>): RunCompleted {
  return {
    type: 'run.completed',
    outcome: 'tests_failing',
    summary: 'Changed add.',
    evidence: {
      testCommand: 'npm test',
      baseline,
      final,
      preExistingFailures: [],
      usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0, costUsd: 0.001 },
      durationMs: 1000,
      filesChanged: ['math.js'],
    },
  } as RunCompleted;
}

it('a baseline that was red without naming a test is said plainly in the tracking comment', () => {
  const red = renderFinal(3, run(summary(1, null), summary(1, null)), null).text;
  expect(red).toMatch(
    /The test command already failed before the change without naming any test .*only its exit codes are compared; `\/agent doctor` shows its output\./,
  );
  const named = renderFinal(3, run(summary(1, 0, ['adds']), summary(0, 1)), null).text;
  expect(named).not.toMatch(/without naming any test/);
});
