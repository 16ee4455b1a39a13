import type { EvalReport, ModelSummary } from '../protocol/eval.ts';

/** The report for a terminal: one line per model, one per run, then the candidates set aside and why. */
export function renderReport(r: EvalReport): string {
  const out: string[] = [];
  const runs = r.runs.length;
  out.push(
    `patchwright eval: ${r.repo.name} at ${r.repo.head.slice(0, 10)}: ${r.candidates.validated} task(s) from ${r.candidates.examined} candidate(s), ${r.models.length} model(s) × ${r.attempts} attempt(s), ${runs} run(s)${r.pending ? `, ${r.pending} still to do (run again with --resume)` : ''}`,
  );
  out.push('');
  out.push(
    table(
      ['Model', 'Resolved', 'Tasks', 'Outcomes', 'Turns', 'Tokens in/out', 'USD', 'CPU-s', 'Peak MB', 'Wh', 'Time'],
      r.byModel.map((m) => [
        m.model,
        `${m.resolved}/${m.runs} ${pct(m.resolvedShare)}`,
        `${m.tasksResolved}/${m.tasks}`,
        outcomes(m),
        m.turns.median === null ? '—' : `${m.turns.total} (median ${m.turns.median})`,
        `${tokens(m.tokens.input)}/${tokens(m.tokens.output)}`,
        m.costUsd === null ? 'unknown' : usd(m.costUsd),
        m.cpuSeconds.toFixed(1),
        m.peakMemoryMb === null ? '—' : String(Math.round(m.peakMemoryMb)),
        m.wh.toFixed(2),
        duration(m.wallMs.total),
      ]),
    ),
  );
  const mismatch = r.byModel.filter((m) => m.succeededUnresolved || m.resolvedNotSucceeded);
  for (const m of mismatch)
    out.push(
      `${m.model}: ${m.succeededUnresolved} run(s) ended succeeded but the fix's tests did not accept the change; ${m.resolvedNotSucceeded} resolved without ending succeeded`,
    );
  if (runs) {
    const subject = new Map(r.tasks.map((t) => [t.sha, t.subject]));
    out.push('', 'Runs');
    out.push(
      table(
        [
          'Task',
          'Subject',
          'Model',
          '#',
          'Outcome',
          'Resolved',
          'FAIL_TO_PASS',
          'PASS_TO_PASS broken',
          'Turns',
          'Tokens',
          'USD',
          'CPU-s',
          'Time',
        ],
        r.runs.map((x) => [
          x.task.slice(0, 10),
          clip(subject.get(x.task) ?? '', 44),
          x.model,
          String(x.attempt),
          x.outcome,
          x.verdict.resolved ? 'yes' : x.verdict.error ? `no (${x.verdict.error.code})` : 'no',
          `${x.verdict.failToPass.passed}/${x.verdict.failToPass.total}`,
          `${x.verdict.passToPass.broken.length}/${x.verdict.passToPass.total}`,
          String(x.turns),
          tokens(x.usage.inputTokens + x.usage.outputTokens),
          x.usage.costUsd === null ? '?' : usd(x.usage.costUsd),
          (x.compute?.cpuSeconds ?? 0).toFixed(1),
          duration(x.wallMs),
        ]),
      ),
    );
  }
  if (r.candidates.stopped) out.push('', `Stopped looking: ${r.candidates.stopped}.`);
  if (r.candidates.skipped.length) {
    out.push('', `Set aside (${r.candidates.skipped.length} of ${r.candidates.examined} candidates)`);
    for (const s of r.candidates.skipped)
      out.push(
        `  ${s.sha.slice(0, 10)}  ${clip(s.subject, 60)}: ${clip(s.message.replace(/\s+/g, ' '), 140)} [${s.code}]`,
      );
  }
  out.push(
    '',
    `Energy is an estimate from stated factors: ${r.energy.whPerCpuHour} Wh per CPU-hour, ${r.energy.whPerThousandTokens} Wh per 1,000 model tokens.`,
  );
  return `${out.join('\n')}\n`;
}

function outcomes(m: ModelSummary): string {
  return Object.entries(m.outcomes)
    .sort((a, b) => b[1] - a[1])
    .map(([o, n]) => `${o} ${n}`)
    .join(', ');
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const usd = (x: number) => `$${x > 0 && x < 0.01 ? x.toFixed(4) : x.toFixed(2)}`;
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const tokens = (n: number) =>
  n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m ${s % 60}s` : `${Math.floor(m / 60)}h ${m % 60}m`;
}
