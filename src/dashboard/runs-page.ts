import type { RunRow } from '../adapters/store/run-list.ts';
import { energyWh, type EnergyFactors } from '../protocol/energy.ts';
import {
  fmtDuration,
  fmtTime,
  fmtTokens,
  fmtUsd,
  html,
  outcomeBadge,
  outcomeOf,
  OUTCOME_NAMES,
  type Html,
} from './html.ts';

export const PAGE_SIZE = 25;

export interface ListQuery {
  repo?: string | undefined;
  outcome?: string | undefined;
  person?: string | undefined;
  page: number;
}

export function runDuration(r: RunRow): number | null {
  if (r.summary) return r.summary.durationMs;
  if (!r.startedAt) return null;
  return Date.parse(r.finishedAt ?? new Date().toISOString()) - Date.parse(r.startedAt);
}

/** A run as JSON for the API: what the list shows, nothing secret (the task's text stays on its page). */
export function runJson(r: RunRow, energy?: EnergyFactors): Record<string, unknown> {
  return {
    id: r.id,
    repo: r.repo,
    number: r.number,
    kind: r.isPullRequest ? 'pull_request' : 'issue',
    title: r.title,
    trigger: r.trigger,
    requester: r.requester,
    state: r.state,
    outcome: outcomeOf(r),
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    durationMs: runDuration(r),
    model: r.summary?.model ?? null,
    tokens: r.summary ? { input: r.summary.usage.inputTokens, output: r.summary.usage.outputTokens } : null,
    costUsd: r.summary?.usage.costUsd ?? null,
    prUrl: r.summary?.prUrl ?? null,
    compute: r.summary?.compute ?? null,
    energyWh:
      r.summary && energy
        ? Math.round(
            energyWh(
              {
                usage: r.summary.usage,
                compute: r.summary.compute ? { ...r.summary.compute, measured: r.summary.compute.commands } : undefined,
              },
              energy,
            ).total * 1000,
          ) / 1000
        : null,
  };
}

function row(r: RunRow): Html {
  const tokens = r.summary ? fmtTokens(r.summary.usage.inputTokens + r.summary.usage.outputTokens) : '—';
  return html`<tr data-run="${r.id}">
    <td><a href="/dashboard/runs/${r.id}">#${r.id}</a></td>
    <td class="wrap">${r.repo}</td>
    <td class="wrap"><span class="muted">${r.isPullRequest ? 'PR' : 'issue'} #${r.number}</span> ${r.title}</td>
    <td>${r.trigger} · @${r.requester}</td>
    <td>${outcomeBadge(outcomeOf(r))}</td>
    <td>${fmtTime(r.startedAt ?? r.createdAt)}</td>
    <td>${fmtDuration(runDuration(r))}</td>
    <td>${r.summary?.model ?? '—'}</td>
    <td>${tokens}</td>
    <td>${r.summary ? fmtUsd(r.summary.usage.costUsd) : '—'}</td>
  </tr>`;
}

function select(name: string, label: string, options: string[], value: string | undefined): Html {
  return html`<label>${label} <select name="${name}"><option value="">all</option>${options.map((o) => html`<option value="${o}"${o === value ? html` selected` : ''}>${o.replace(/_/g, ' ')}</option>`)}</select></label>`;
}

export function runsPage(rows: RunRow[], total: number, q: ListQuery, repos: string[], people: string[]): Html {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const link = (page: number) =>
    `/dashboard?${new URLSearchParams({ ...(q.repo ? { repo: q.repo } : {}), ...(q.outcome ? { outcome: q.outcome } : {}), ...(q.person ? { person: q.person } : {}), page: String(page) })}`;
  return html`<h1>Runs</h1>
  <form class="filters" method="get" action="/dashboard" aria-label="Filter runs">
    ${select('repo', 'Repository', repos, q.repo)}
    ${select('outcome', 'Outcome', OUTCOME_NAMES, q.outcome)}
    ${select('person', 'Person', people, q.person)}
    <button type="submit">Filter</button>
  </form>
  <p class="muted" aria-live="polite" id="live-note">${total} run${total === 1 ? '' : 's'}; the list updates as runs start and end.</p>
  <div class="table-wrap"><table class="runs" data-live="list">
    <caption class="sr-only">Runs, newest first</caption>
    <thead><tr><th scope="col">Run</th><th scope="col">Repository</th><th scope="col">Issue or PR</th><th scope="col">Trigger</th><th scope="col">Outcome</th><th scope="col">Started</th><th scope="col">Duration</th><th scope="col">Model</th><th scope="col">Tokens</th><th scope="col">Cost</th></tr></thead>
    <tbody>${rows.map(row)}</tbody>
  </table></div>
  ${rows.length === 0 ? html`<p>No runs match.</p>` : ''}
  <nav class="pager" aria-label="Pages">${q.page > 1 ? html`<a href="${link(q.page - 1)}" rel="prev">Newer</a>` : ''}<span>Page ${q.page} of ${pages}</span>${q.page < pages ? html`<a href="${link(q.page + 1)}" rel="next">Older</a>` : ''}</nav>`;
}
