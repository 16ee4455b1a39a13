import type { EvalReport, EvalRun, ModelSummary } from '../protocol/eval.ts';
import { segmentedBars } from './eval-charts.ts';
import { fmtDuration, fmtTime, fmtTokens, fmtUsd, html, outcomeBadge, outcomeLook, type Html } from './html.ts';

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** Every repository's last eval: which models, how many tasks, how often each model resolved them. */
export function evalListPage(items: Array<{ key: string; report: EvalReport }> | null): Html {
  if (!items)
    return html`<h1>Evals</h1><p>Evals are shown by <code>patchwright dashboard</code> on the machine whose data dir holds them (<code>patchwright eval</code> stores its results there).</p>`;
  return html`<h1>Evals</h1>
  <p class="muted">The last <code>patchwright eval</code> of each repository in this data dir: its own merged fixes, replayed with their tests hidden.</p>
  ${
    items.length
      ? html`<div class="table-wrap"><table><caption class="sr-only">Evals, newest first</caption>
    <thead><tr><th scope="col">Repository</th><th scope="col">Commit</th><th scope="col">Tasks</th><th scope="col">Resolved, by model</th><th scope="col">Finished</th></tr></thead>
    <tbody>${items.map(
      ({ key, report: r }) => html`<tr>
      <td><a href="/dashboard/evals/${key}">${r.repo.name}</a></td><td><code>${r.repo.head.slice(0, 10)}</code></td>
      <td>${r.candidates.validated} of ${r.candidates.examined} candidates${r.pending ? html` <span class="badge warn">${r.pending} to do</span>` : ''}</td>
      <td class="wrap">${r.byModel.map((m) => `${m.model} ${m.resolved}/${m.runs} (${pct(m.resolvedShare)})`).join('; ')}</td>
      <td>${fmtTime(r.generatedAt)}</td></tr>`,
    )}</tbody></table></div>`
      : html`<p>No eval yet. Run <code>patchwright eval DIR --from-history 10</code> on a checkout.</p>`
  }`;
}

/** One eval: the resolved share and the failure modes by model (charts), what it cost, each run, and what was set aside. */
export function evalPage(r: EvalReport): Html {
  const subject = new Map(r.tasks.map((t) => [t.sha, t.subject]));
  const outcomes = [...new Set(r.runs.map((x) => x.outcome))];
  return html`<h1>Eval of ${r.repo.name} at <code>${r.repo.head.slice(0, 10)}</code></h1>
  <p class="muted">${fmtTime(r.generatedAt)}: ${r.candidates.validated} task(s) from ${r.candidates.examined} candidate fix(es) in the history, ${r.models.length} model(s) × ${r.attempts} attempt(s).${r.pending ? html` <strong>${r.pending} run(s) still to do</strong>: go on with <code>patchwright eval --resume</code>.` : ''}</p>
  <ul class="stats">${r.byModel.map((m) => html`<li><span class="stat">${pct(m.resolvedShare)}</span> resolved by ${m.model} (${m.resolved} of ${m.runs} runs)</li>`)}</ul>
  <div class="charts">
    ${segmentedBars(
      'Runs resolved, by model',
      r.byModel.map((m) => ({
        label: m.model,
        segments: [
          { name: 'resolved', tone: 'good', value: m.resolved },
          { name: 'unresolved', tone: 'bad', value: m.runs - m.resolved },
        ],
      })),
    )}
    ${segmentedBars(
      'How the runs ended (outcome), by model',
      r.byModel.map((m) => ({
        label: m.model,
        segments: outcomes.map((o) => ({
          name: outcomeLook(o).words,
          tone: outcomeLook(o).tone,
          value: m.outcomes[o] ?? 0,
        })),
      })),
    )}
  </div>
  <h2>By model</h2>
  <div class="table-wrap"><table><caption class="sr-only">Each model's runs, summed</caption>
  <thead><tr><th scope="col">Model</th><th scope="col">Resolved</th><th scope="col">Tasks resolved</th><th scope="col">Succeeded but unresolved</th><th scope="col">Turns</th><th scope="col">Tokens in / out</th><th scope="col">Cost</th><th scope="col">CPU</th><th scope="col">Peak memory</th><th scope="col">Energy</th><th scope="col">Time</th></tr></thead>
  <tbody>${r.byModel.map(modelRow)}</tbody></table></div>
  <h2>Runs</h2>
  <div class="table-wrap"><table><caption class="sr-only">Every run, task by task</caption>
  <thead><tr><th scope="col">Task</th><th scope="col">Model</th><th scope="col">Attempt</th><th scope="col">Outcome</th><th scope="col">Verdict</th><th scope="col">FAIL_TO_PASS</th><th scope="col">PASS_TO_PASS broken</th><th scope="col">Turns</th><th scope="col">Tokens</th><th scope="col">Cost</th><th scope="col">CPU</th><th scope="col">Time</th></tr></thead>
  <tbody>${r.runs.map((x) => runRow(x, subject.get(x.task) ?? ''))}</tbody></table></div>
  ${r.candidates.stopped ? html`<p class="notice" role="status">Stopped looking for tasks: ${r.candidates.stopped}.</p>` : ''}
  ${
    r.candidates.skipped.length
      ? html`<h2>Set aside</h2><p class="muted">Candidates whose tests do not fail before the fix and pass after it (checked in the sandbox), or that are no task for a model.</p>
  <div class="table-wrap"><table><caption class="sr-only">Candidates set aside, and why</caption><thead><tr><th scope="col">Commit</th><th scope="col">Subject</th><th scope="col">Why</th></tr></thead>
  <tbody>${r.candidates.skipped.map((s) => html`<tr><td><code>${s.sha.slice(0, 10)}</code></td><td class="wrap">${s.subject}</td><td class="wrap">${s.message} <span class="muted">(${s.code})</span></td></tr>`)}</tbody></table></div>`
      : ''
  }
  <p class="muted">Energy is an estimate from stated factors: ${r.energy.whPerCpuHour} Wh per CPU-hour of the sandboxed commands and ${r.energy.whPerThousandTokens} Wh per 1,000 model tokens. CPU, memory and time are the agent's runs; the harness's own validation and scoring runs are not counted.</p>`;
}

function modelRow(m: ModelSummary): Html {
  return html`<tr><th scope="row">${m.model}</th><td>${m.resolved}/${m.runs} (${pct(m.resolvedShare)})</td><td>${m.tasksResolved}/${m.tasks}</td><td>${m.succeededUnresolved}</td>
    <td>${m.turns.total}${m.turns.median === null ? '' : ` (median ${m.turns.median})`}</td><td>${fmtTokens(m.tokens.input)} / ${fmtTokens(m.tokens.output)}</td><td>${fmtUsd(m.costUsd)}</td>
    <td>${m.cpuSeconds.toFixed(1)} s</td><td>${m.peakMemoryMb === null ? '—' : `${Math.round(m.peakMemoryMb)} MB`}</td><td>${m.wh.toFixed(2)} Wh</td><td>${fmtDuration(m.wallMs.total)}</td></tr>`;
}

function runRow(x: EvalRun, subject: string): Html {
  const verdict = x.verdict.resolved
    ? html`<span class="badge good">resolved</span>`
    : html`<span class="badge bad">unresolved</span>`;
  return html`<tr>
    <td class="wrap"><code>${x.task.slice(0, 10)}</code> ${subject}</td><td>${x.model}</td><td>${x.attempt}</td>
    <td>${x.jobId === null ? outcomeBadge(x.outcome) : html`<a href="/dashboard/runs/${x.jobId}">${outcomeBadge(x.outcome)}</a>`}</td>
    <td title="${x.verdict.reason}">${verdict}${x.verdict.error ? html` <span class="muted">${x.verdict.error.code}</span>` : ''}</td>
    <td>${x.verdict.failToPass.passed}/${x.verdict.failToPass.total}</td><td>${x.verdict.passToPass.broken.length}/${x.verdict.passToPass.total}</td>
    <td>${x.turns}</td><td>${fmtTokens(x.usage.inputTokens + x.usage.outputTokens)}</td><td>${fmtUsd(x.usage.costUsd)}</td><td>${(x.compute?.cpuSeconds ?? 0).toFixed(1)} s</td><td>${fmtDuration(x.wallMs)}</td></tr>`;
}
