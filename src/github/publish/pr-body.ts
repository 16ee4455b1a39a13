import type { RunCompleted } from '../../core/loop/run-agent.ts';
import type { TestSummary } from '../../protocol/run-event.ts';
import type { PrTemplate } from '../../repo/conventions/pr-template.ts';
import { computeLine, type EnergyFactors } from '../../protocol/energy.ts';
import { fillTemplate } from './fill-template.ts';
import { postable } from './postable.ts';

const counts = (t: TestSummary | null) =>
  t ? `passed ${t.passed ?? '?'}, failed ${t.failed ?? '?'}, skipped ${t.skipped ?? '?'} (exit ${t.exitCode ?? 'timeout'})` : 'not run';

/** The PR body: the template filled with what changed, the issue it closes, and the evidence. */
export function prBody(issueNumber: number | null, result: RunCompleted, template: PrTemplate | null = null, closingKeyword = 'Closes', energy: EnergyFactors = DEFAULT_ENERGY): string {
  const summary = result.summary.trim();
  const body = fillTemplate(template, {
    summary: postable(summary.length > SUMMARY_MAX ? `${summary.slice(0, SUMMARY_MAX)}\n\n[… ${summary.length - SUMMARY_MAX} more characters of the summary left out]` : summary) || 'Changes made by Patchwright.',
    closes: issueNumber === null ? '' : `${closingKeyword} #${issueNumber}`,
    evidence: evidenceText(result, energy),
    testsPassed: result.outcome === 'succeeded' && result.evidence.final?.exitCode === 0,
    filesChanged: result.evidence.filesChanged,
  });
  // GitHub refuses bodies over 65,536 characters; a template can be long too.
  return body.length > BODY_MAX ? `${body.slice(0, BODY_MAX)}\n\n[… body cut at ${BODY_MAX} characters]` : body;
}

const SUMMARY_MAX = 20_000;
const BODY_MAX = 65_000;

/** The exact commands, results before and after, pre-existing failures, time, tokens and cost. */
/** The stated factors of the energy estimate when the deployment sets none (see PATCHWRIGHT_WH_PER_*). */
export const DEFAULT_ENERGY: EnergyFactors = { whPerCpuHour: 12, whPerThousandTokens: 0.3 };

export function evidenceText(result: RunCompleted, energy: EnergyFactors = DEFAULT_ENERGY): string {
  const e = result.evidence;
  // A test that failed before and passes now was fixed; one that fails in both runs was left as it was.
  const after = new Set(e.final?.failures ?? []);
  const settled = e.final !== null && (e.final.exitCode === 0 || e.final.failures.length > 0);
  const still = settled ? e.preExistingFailures.filter((f) => after.has(f)) : e.preExistingFailures;
  const fixed = settled ? e.preExistingFailures.filter((f) => !after.has(f)) : [];
  const cost = e.usage.costUsd === null ? 'unknown (no price for this model)' : `$${e.usage.costUsd.toFixed(4)}`;
  return [
    ...(e.setupCommands?.length ? [`Setup: ${e.setupCommands.map((c) => `\`${c}\``).join(', ')}`] : []),
    // A toolchain the app fetched for the run (the Node the repository asks for): what the tests ran on.
    ...(e.provided?.length ? [`Toolchain: ${e.provided.map(postable).join('; ')}`] : []),
    e.testCommand
      ? `Test command: \`${e.testCommand}\``
      : '**Nothing verified this change:** no test command was found for this repository (set `test:` in `.github/agent.yml`).',
    '',
    `- Before the change: ${counts(e.baseline)}`,
    ...(e.baseline && e.baseline.exitCode !== 0 && e.baseline.failures.length === 0 && e.baseline.passed === null
      ? ['  (the test command already failed before the change without naming any test: the comparison is of exit codes only)']
      : []),
    `- After the change: ${counts(e.final)}`,
    ...(fixed.length ? [`- Fixed by this change (failing before it): ${names(fixed)}`] : []),
    ...(still.length ? [`- Still failing, as before the change (not caused by it): ${names(still)}`] : []),
    ...(e.testConcerns?.length ? ['', `**Not accepted as a fix:** ${e.testConcerns.map(postable).join('; ')}.`, ''] : []),
    ...(e.refused?.length ? ['', '**Refused by the harness during this run:**', ...e.refused.slice(0, 20).map((r) => `- ${postable(r)}`), ''] : []),
    `- Files changed: ${e.filesChanged.map((f) => `\`${f}\``).join(', ') || 'none'}`,
    `- Run: ${duration(e.durationMs)}, ${e.usage.inputTokens} input tokens (${e.usage.cachedInputTokens} cached), ${e.usage.outputTokens} output tokens, ${cost}; compute: ${computeLine(e, energy)}`,
  ].join('\n');
}

const names = (xs: string[]) => xs.map((f) => `\`${f}\``).join(', ');

/** `42 s` under a minute, else `3.4 min`. */
export function duration(ms: number): string {
  return ms < 60_000 ? `${Math.max(1, Math.round(ms / 1000))} s` : `${(ms / 60_000).toFixed(1)} min`;
}
