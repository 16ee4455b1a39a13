import type { EnergyFactors } from '../protocol/energy.ts';
import type { EvalReport, EvalRun, EvalTask, ModelSummary } from '../protocol/eval.ts';

export interface ReportInput {
  repo: EvalReport['repo'];
  models: string[];
  attempts: number;
  energy: EnergyFactors;
  examined: number;
  tasks: EvalTask[];
  skipped: EvalReport['candidates']['skipped'];
  runs: EvalRun[];
  pending: number;
  /** Why the search for tasks stopped before it found enough, when it did. */
  stopped?: string;
}

/** The eval's answer: how often each model resolves this repository's own fixes, how its runs end, and what they cost. */
export function buildReport(i: ReportInput): EvalReport {
  return {
    version: 1,
    repo: i.repo,
    generatedAt: new Date().toISOString(),
    models: i.models,
    attempts: i.attempts,
    candidates: {
      examined: i.examined,
      validated: i.tasks.length,
      skipped: i.skipped,
      ...(i.stopped ? { stopped: i.stopped } : {}),
    },
    tasks: i.tasks.map((t) => ({
      sha: t.sha,
      subject: t.text.title,
      kind: t.kind,
      pr: t.pr,
      granularity: t.granularity,
      failToPass: t.failToPass.length,
      passToPass: t.passToPass.length,
    })),
    // Each scored test by name stays in the run's own file; the report keeps the verdict's lists.
    runs: i.runs.map((r) => (r.scored ? { ...r, scored: { ...r.scored, statuses: null } } : r)),
    byModel: i.models.map((m) =>
      summarise(
        m,
        i.runs.filter((r) => r.model === m),
      ),
    ),
    energy: i.energy,
    pending: i.pending,
  };
}

export function summarise(model: string, runs: EvalRun[]): ModelSummary {
  const resolved = runs.filter((r) => r.verdict.resolved);
  const outcomes: Record<string, number> = {};
  for (const r of runs) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  const sum = (f: (r: EvalRun) => number) => runs.reduce((s, r) => s + f(r), 0);
  const peaks = runs.map((r) => r.compute?.peakMemoryMb).filter((p): p is number => typeof p === 'number');
  return {
    model,
    runs: runs.length,
    resolved: resolved.length,
    resolvedShare: runs.length ? resolved.length / runs.length : 0,
    tasksResolved: new Set(resolved.map((r) => r.task)).size,
    tasks: new Set(runs.map((r) => r.task)).size,
    outcomes,
    succeededUnresolved: runs.filter((r) => r.outcome === 'succeeded' && !r.verdict.resolved).length,
    resolvedNotSucceeded: resolved.filter((r) => r.outcome !== 'succeeded').length,
    turns: { total: sum((r) => r.turns), median: median(runs.map((r) => r.turns)) },
    tokens: {
      input: sum((r) => r.usage.inputTokens),
      cachedInput: sum((r) => r.usage.cachedInputTokens),
      output: sum((r) => r.usage.outputTokens),
    },
    costUsd: runs.some((r) => r.usage.costUsd === null) ? null : sum((r) => r.usage.costUsd ?? 0),
    cpuSeconds: Math.round(sum((r) => r.compute?.cpuSeconds ?? 0) * 1000) / 1000,
    peakMemoryMb: peaks.length ? Math.max(...peaks) : null,
    wh: sum((r) => r.wh),
    wallMs: { total: sum((r) => r.wallMs), median: median(runs.map((r) => r.wallMs)) },
  };
}

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
