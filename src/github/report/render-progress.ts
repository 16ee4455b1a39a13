import type { RunCompleted } from '../../core/loop/run-agent.ts';
import { outcomeWords } from '../../protocol/outcome.ts';
import type { TestSummary } from '../../protocol/run-event.ts';
import { duration } from '../publish/pr-body.ts';
import type { ProgressState } from './progress-reporter.ts';
import { postable } from '../publish/postable.ts';
import { egressLines } from './egress-text.ts';

export function renderProgress(jobId: number, s: ProgressState, now = Date.now()): string {
  const elapsed = Math.round((now - s.startedAt) / 1000);
  const lines = [`**Patchwright** · 🛠️ ${s.phase} (job ${jobId}, ${Math.floor(elapsed / 60)}m ${elapsed % 60}s)`];
  if (s.plan.length) lines.push('', ...s.plan.map((p) => `- [${p.status === 'completed' ? 'x' : ' '}] ${p.text}${p.status === 'in_progress' ? ' ⏳' : ''}`));
  if (s.command) lines.push('', `Running: \`${s.command.slice(0, 200)}\``);
  if (s.tests) lines.push('', `Tests: ${s.tests}`);
  return lines.join('\n');
}

export function renderFinal(jobId: number, r: RunCompleted, prUrl: string | null, note = ''): string {
  const icon = r.outcome === 'succeeded' ? '✅' : r.outcome === 'needs_input' ? '❓' : r.outcome === 'cancelled' ? '⏹️' : '⚠️';
  const cost = r.evidence.usage.costUsd === null ? 'cost unknown' : `$${r.evidence.usage.costUsd.toFixed(4)}`;
  const t = (x: TestSummary | null) => (x ? `passed ${x.passed ?? '?'}, failed ${x.failed ?? '?'}` : 'not run');
  const { baseline, final } = r.evidence;
  const blocks = [
    `**Patchwright** · ${icon} ${r.outcome}: ${outcomeWords[r.outcome]} (job ${jobId}).`,
    prUrl ? `Pull request: ${prUrl}` : 'No pull request was opened.',
    r.question ? `**Question:** ${postable(r.question.slice(0, 4000))}\n\nAnswer with \`/agent <your answer>\`.` : '',
    r.summary ? postable(r.summary.slice(0, 3000)) : '',
    note,
    baseline || final ? `Tests (\`${(final ?? baseline)!.command}\`): before ${t(baseline)} · after ${t(final)}` : '',
    baseline && baseline.exitCode !== 0 && baseline.failures.length === 0 && baseline.passed === null
      ? 'The test command already failed before the change without naming any test (a lint or build step, or a broken setup), so only its exit codes are compared; `/agent doctor` shows its output.'
      : '',
    r.evidence.refused?.length ? `Refused by the harness: ${r.evidence.refused.slice(0, 10).map((x) => postable(x)).join('; ')}` : '',
    egressLines(r.evidence.egressRefused, 10).join('\n'),
    `<sub>${duration(r.evidence.durationMs)} · ${r.evidence.usage.inputTokens + r.evidence.usage.outputTokens} tokens · ${cost}</sub>`,
  ];
  return blocks.filter((b) => b.trim() !== '').join('\n\n');
}
