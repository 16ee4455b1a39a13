import type { RunCompleted } from '../../core/loop/run-agent.ts';
import { outcomeWords } from '../../protocol/outcome.ts';
import type { TestSummary } from '../../protocol/run-event.ts';
import { duration } from '../publish/pr-body.ts';
import type { ProgressState } from './progress-reporter.ts';
import { block, joined, link, md, name, type Posted } from '../publish/posted.ts';
import { egressLines } from './egress-text.ts';

/** The live tracking comment: the model's plan steps and commands are untrusted, each kept to one line. */
export function renderProgress(jobId: number, s: ProgressState, now = Date.now()): Posted {
  const elapsed = Math.round((now - s.startedAt) / 1000);
  const lines = [md`**Patchwright** · 🛠️ ${s.phase} (job ${jobId}, ${Math.floor(elapsed / 60)}m ${elapsed % 60}s)`];
  if (s.plan.length)
    lines.push(
      md``,
      ...s.plan
        .slice(0, 50)
        .map(
          (p) =>
            md`- [${p.status === 'completed' ? 'x' : ' '}] ${p.text.slice(0, 500)}${p.status === 'in_progress' ? ' ⏳' : ''}`,
        ),
    );
  if (s.command) lines.push(md``, md`Running: ${name(s.command.slice(0, 200))}`);
  if (s.tests) lines.push(md``, md`Tests: ${s.tests}`);
  return joined(lines, '\n');
}

export function renderFinal(jobId: number, r: RunCompleted, prUrl: string | null, note: Posted | null = null): Posted {
  const icon =
    r.outcome === 'succeeded' ? '✅' : r.outcome === 'needs_input' ? '❓' : r.outcome === 'cancelled' ? '⏹️' : '⚠️';
  const cost = r.evidence.usage.costUsd === null ? 'cost unknown' : `$${r.evidence.usage.costUsd.toFixed(4)}`;
  const t = (x: TestSummary | null) => (x ? `passed ${x.passed ?? '?'}, failed ${x.failed ?? '?'}` : 'not run');
  const { baseline, final } = r.evidence;
  const blocks: Array<Posted | null> = [
    md`**Patchwright** · ${icon} ${r.outcome}: ${outcomeWords[r.outcome]} (job ${jobId}).`,
    prUrl ? md`Pull request: ${prLink(prUrl)}` : md`No pull request was opened.`,
    r.question
      ? md`**Question:**\n\n${block(r.question.slice(0, 4000))}\n\nAnswer with \`/agent <your answer>\`.`
      : null,
    r.summary ? block(r.summary.slice(0, 3000)) : null,
    note,
    baseline || final
      ? md`Tests (${name((final ?? baseline)!.command)}): before ${t(baseline)} · after ${t(final)}`
      : null,
    baseline && baseline.exitCode !== 0 && baseline.failures.length === 0 && baseline.passed === null
      ? md`The test command already failed before the change without naming any test (a lint or build step, or a broken setup), so only its exit codes are compared; \`/agent doctor\` shows its output.`
      : null,
    r.evidence.refused?.length
      ? md`Refused by the harness: ${joined(
          r.evidence.refused.slice(0, 10).map((x) => md`${x.slice(0, 500)}`),
          '; ',
        )}`
      : null,
    r.evidence.egressRefused?.length ? joined(egressLines(r.evidence.egressRefused, 10), '\n') : null,
    md`${duration(r.evidence.durationMs)} · ${r.evidence.usage.inputTokens + r.evidence.usage.outputTokens} tokens · ${cost}`,
  ];
  return joined(
    blocks.filter((b): b is Posted => b !== null && b.text.trim() !== ''),
    '\n\n',
  );
}

/** The PR's address as GitHub's answer gave it: a link the app means (anything odd is shown as a name). */
export function prLink(url: string): Posted {
  return link(url);
}
