import type { RunCompleted } from '../../core/loop/run-agent.ts';
import type { TestSummary } from '../../protocol/run-event.ts';
import type { PrTemplate } from '../../repo/conventions/pr-template.ts';
import { computeLine, type EnergyFactors } from '../../protocol/energy.ts';
import { fillTemplate } from './fill-template.ts';
import { block, clipped, joined, literal, md, name, type Posted } from './posted.ts';
import { egressLines } from '../report/egress-text.ts';

const counts = (t: TestSummary | null) =>
  t
    ? `passed ${t.passed ?? '?'}, failed ${t.failed ?? '?'}, skipped ${t.skipped ?? '?'} (exit ${t.exitCode ?? 'timeout'})`
    : 'not run';

/**
 * The PR body: the template filled with what changed, the issue it closes, and the evidence.
 * `issueNumber` is the issue the job was made for (thread state, never read back from posted
 * text): the only reference the body links, with the repository's own closing keyword. A PR
 * made for someone's pull request (`forPull`) closes nothing and says what it is for.
 */
export function prBody(
  issueNumber: number | null,
  result: RunCompleted,
  template: PrTemplate | null = null,
  closingKeyword = 'Closes',
  energy: EnergyFactors = DEFAULT_ENERGY,
  forPull: number | null = null,
): Posted {
  const summary = result.summary.trim();
  const cut =
    summary.length > SUMMARY_MAX
      ? md`\n\n[… ${summary.length - SUMMARY_MAX} more characters of the summary left out]`
      : literal('');
  const keyword = closingKeyword === 'Fixes' || closingKeyword === 'Resolves' ? closingKeyword : 'Closes';
  const body = fillTemplate(template, {
    summary: summary ? md`${block(summary.slice(0, SUMMARY_MAX))}${cut}` : literal('Changes made by Patchwright.'),
    // The one reference the app links: the job's own issue (a number, and the repository's own word).
    closes:
      issueNumber !== null
        ? md`${literal(keyword)} #${issueNumber}`
        : forPull !== null
          ? md`Changes for #${forPull}, on top of its branch.`
          : literal(''),
    evidence: evidenceText(result, energy),
    testsPassed: result.outcome === 'succeeded' && result.evidence.final?.exitCode === 0,
    filesChanged: result.evidence.filesChanged,
  });
  // GitHub refuses bodies over 65,536 characters; a template can be long too.
  return clipped(body, BODY_MAX, md`[… body cut at ${BODY_MAX} characters]`);
}

const SUMMARY_MAX = 20_000;
const BODY_MAX = 65_000;

/** The exact commands, results before and after, pre-existing failures, time, tokens and cost. */
/** The stated factors of the energy estimate when the deployment sets none (see PATCHWRIGHT_WH_PER_*). */
export const DEFAULT_ENERGY: EnergyFactors = { whPerCpuHour: 12, whPerThousandTokens: 0.3 };

export function evidenceText(result: RunCompleted, energy: EnergyFactors = DEFAULT_ENERGY): Posted {
  const e = result.evidence;
  // A test that failed before and passes now was fixed; one that fails in both runs was left as it was.
  const after = new Set(e.final?.failures ?? []);
  const settled = e.final !== null && (e.final.exitCode === 0 || e.final.failures.length > 0);
  const still = settled ? e.preExistingFailures.filter((f) => after.has(f)) : e.preExistingFailures;
  const fixed = settled ? e.preExistingFailures.filter((f) => !after.has(f)) : [];
  const cost = e.usage.costUsd === null ? 'unknown (no price for this model)' : `$${e.usage.costUsd.toFixed(4)}`;
  const blank = literal('');
  return joined(
    [
      ...(e.setupCommands?.length ? [md`Setup: ${names(e.setupCommands)}`] : []),
      // A toolchain the app fetched for the run (the Node the repository asks for): what the tests ran on.
      ...(e.provided?.length
        ? [
            md`Toolchain: ${joined(
              e.provided.slice(0, 10).map((p) => md`${p.slice(0, 300)}`),
              '; ',
            )}`,
          ]
        : []),
      e.testCommand
        ? md`Test command: ${name(e.testCommand)}`
        : literal(
            '**Nothing verified this change:** no test command was found for this repository (set `test:` in `.github/agent.yml`).',
          ),
      blank,
      md`- Before the change: ${counts(e.baseline)}`,
      ...(e.baseline && e.baseline.exitCode !== 0 && e.baseline.failures.length === 0 && e.baseline.passed === null
        ? [
            literal(
              '  (the test command already failed before the change without naming any test: the comparison is of exit codes only)',
            ),
          ]
        : []),
      md`- After the change: ${counts(e.final)}`,
      ...(fixed.length ? [md`- Fixed by this change (failing before it): ${names(fixed)}`] : []),
      ...(still.length ? [md`- Still failing, as before the change (not caused by it): ${names(still)}`] : []),
      ...(e.testConcerns?.length
        ? [
            blank,
            md`**Not accepted as a fix:** ${joined(
              e.testConcerns.slice(0, 20).map((c) => md`${c.slice(0, 1000)}`),
              '; ',
            )}.`,
            blank,
          ]
        : []),
      ...(e.refused?.length
        ? [
            blank,
            literal('**Refused by the harness during this run:**'),
            ...e.refused.slice(0, 20).map((r) => md`- ${r.slice(0, 1000)}`),
            blank,
          ]
        : []),
      ...(e.egressRefused?.length ? [blank, ...egressLines(e.egressRefused, 20), blank] : []),
      md`- Files changed: ${e.filesChanged.length ? names(e.filesChanged.slice(0, 200)) : 'none'}${e.filesChanged.length > 200 ? ` and ${e.filesChanged.length - 200} more` : ''}`,
      md`- Run: ${duration(e.durationMs)}, ${e.usage.inputTokens} input tokens (${e.usage.cachedInputTokens} cached), ${e.usage.outputTokens} output tokens, ${cost}; compute: ${computeLine(e, energy)}`,
    ],
    '\n',
  );
}

/** File or test names, each fenced as code (a backtick or a mention in a name stays inside it). */
const names = (xs: string[]) =>
  joined(
    xs.slice(0, 200).map((x) => name(x.slice(0, 300))),
    ', ',
  );

/** `42 s` under a minute, else `3.4 min`. */
export function duration(ms: number): string {
  return ms < 60_000 ? `${Math.max(1, Math.round(ms / 1000))} s` : `${(ms / 60_000).toFixed(1)} min`;
}
