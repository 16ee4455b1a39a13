import type { RunCompleted } from '../../core/loop/run-agent.ts';
import type { TestSummary } from '../../protocol/run-event.ts';

const counts = (t: TestSummary | null) =>
  t ? `passed ${t.passed ?? '?'}, failed ${t.failed ?? '?'}, skipped ${t.skipped ?? '?'} (exit ${t.exitCode ?? 'timeout'})` : 'not run';

/** The PR body: what changed, the issue it closes, and the evidence the harness gathered. */
export function prBody(issueNumber: number, result: RunCompleted): string {
  const e = result.evidence;
  const cost = e.usage.costUsd === null ? 'unknown (no price for this model)' : `$${e.usage.costUsd.toFixed(4)}`;
  return [
    result.summary.trim() || 'Changes made by Patchwright.',
    '',
    `Closes #${issueNumber}`,
    '',
    '## Evidence',
    '',
    e.testCommand ? `Test command: \`${e.testCommand}\`` : 'No test command was found for this repository.',
    '',
    `- Before the change: ${counts(e.baseline)}`,
    `- After the change: ${counts(e.final)}`,
    ...(e.preExistingFailures.length ? [`- Failing before the change too (not caused by it): ${e.preExistingFailures.map((f) => `\`${f}\``).join(', ')}`] : []),
    `- Files changed: ${e.filesChanged.map((f) => `\`${f}\``).join(', ') || 'none'}`,
    `- Run: ${(e.durationMs / 60_000).toFixed(1)} min, ${e.usage.inputTokens} input tokens (${e.usage.cachedInputTokens} cached), ${e.usage.outputTokens} output tokens, ${cost}`,
  ].join('\n');
}
