import type { RunRow } from '../adapters/store/run-list.ts';
import { labelledBars, stackedColumns, type Series } from './charts.ts';
import { fmtDuration, fmtUsd, html, outcomeOf, type Html } from './html.ts';
import type { EnergyFactors } from '../protocol/energy.ts';

const GROUPS: Array<{ name: string; tone: string; outcomes: string[] }> = [
  { name: 'succeeded', tone: 'good', outcomes: ['succeeded'] },
  { name: 'tests failing or budget out', tone: 'warn', outcomes: ['tests_failing', 'budget_exhausted'] },
  { name: 'needs input', tone: 'info', outcomes: ['needs_input'] },
  {
    name: 'errors (setup, model, sandbox, crash)',
    tone: 'bad',
    outcomes: ['setup_failed', 'model_error', 'sandbox_error', 'failed'],
  },
  { name: 'no changes or cancelled', tone: 'neutral', outcomes: ['no_changes', 'cancelled', 'done'] },
];

export type { EnergyFactors } from '../protocol/energy.ts';

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

/** The last `days` days of finished runs: what they came to, what they cost, how long to a PR. */
export function overviewPage(rows: RunRow[], days: number, now: Date, energy: EnergyFactors): Html {
  const labels = Array.from({ length: days }, (_, i) =>
    new Date(now.getTime() - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10),
  );
  const dayOf = (r: RunRow) => labels.indexOf((r.finishedAt ?? r.createdAt).slice(0, 10));
  const byOutcome: Series[] = GROUPS.map((g) => ({ name: g.name, tone: g.tone, values: labels.map(() => 0) }));
  const spend = labels.map(() => 0);
  const cpu = labels.map(() => 0);
  const wh = labels.map(() => 0);
  const perRepo = new Map<string, number>();
  const toPr: number[] = [];
  let succeeded = 0;
  for (const r of rows) {
    const d = dayOf(r);
    if (d < 0) continue;
    const o = outcomeOf(r);
    const g = GROUPS.findIndex((x) => x.outcomes.includes(o));
    byOutcome[g < 0 ? GROUPS.length - 1 : g]!.values[d]!++;
    if (o === 'succeeded') succeeded++;
    const s = r.summary;
    if (!s) continue;
    const usd = s.usage.costUsd ?? 0;
    spend[d]! += usd;
    perRepo.set(r.repo, (perRepo.get(r.repo) ?? 0) + usd);
    const cpuSeconds = s.compute?.cpuSeconds ?? 0;
    cpu[d]! += cpuSeconds;
    wh[d]! +=
      (cpuSeconds / 3600) * energy.whPerCpuHour +
      ((s.usage.inputTokens + s.usage.outputTokens) / 1000) * energy.whPerThousandTokens;
    if (s.prUrl && r.finishedAt) toPr.push(Date.parse(r.finishedAt) - Date.parse(r.createdAt));
  }
  const finished = byOutcome.reduce((n, s) => n + s.values.reduce((a, b) => a + b, 0), 0);
  const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return html`<h1>Overview</h1>
  <p class="muted">The last ${days} days, finished runs of the repositories you can see.</p>
  <ul class="stats">
    <li><span class="stat">${finished}</span> runs finished</li>
    <li><span class="stat">${finished ? `${Math.round((100 * succeeded) / finished)}%` : '—'}</span> succeeded</li>
    <li><span class="stat">${fmtDuration(median(toPr))}</span> median time from trigger to pull request</li>
    <li><span class="stat">${fmtUsd(total(spend))}</span> spent on the model</li>
    <li><span class="stat">${(total(cpu) / 3600).toFixed(2)} h</span> of sandboxed CPU</li>
    <li><span class="stat">${total(wh).toFixed(1)} Wh</span> estimated energy</li>
  </ul>
  <div class="charts">
    ${stackedColumns('Runs per day by outcome', labels, byOutcome)}
    ${stackedColumns('Model spend per day (USD)', labels, [{ name: 'USD', tone: 'info', values: spend.map((v) => Math.round(v * 100) / 100) }], ' USD')}
    ${stackedColumns('Sandboxed CPU per day (CPU-seconds)', labels, [{ name: 'CPU-seconds', tone: 'neutral', values: cpu.map((v) => Math.round(v)) }], ' s')}
    ${stackedColumns('Estimated energy per day (Wh)', labels, [{ name: 'Wh', tone: 'warn', values: wh.map((v) => Math.round(v * 10) / 10) }], ' Wh')}
    ${labelledBars(
      'Model spend per repository',
      [...perRepo.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 12)
        .map(([label, value]) => ({ label, value })),
      (v) => fmtUsd(v),
    )}
  </div>
  <p class="muted">Energy is an estimate from stated factors: ${energy.whPerCpuHour} Wh per CPU-hour of the worker (PATCHWRIGHT_WH_PER_CPU_HOUR) and ${energy.whPerThousandTokens} Wh per 1,000 model tokens (PATCHWRIGHT_WH_PER_1K_TOKENS).</p>`;
}
