import type { RunRow } from '../adapters/store/run-list.ts';
import type { Item, RunEvent, TestSummary } from '../protocol/run-event.ts';
import { diffView } from './diff-view.ts';
import {
  fmtDuration,
  fmtTime,
  fmtTokens,
  fmtUsd,
  html,
  outcomeBadge,
  outcomeOf,
  type Html,
  type Viewer,
} from './html.ts';
import { runDuration } from './runs-page.ts';
import { computeLine, type EnergyFactors } from '../protocol/energy.ts';

const PHASES = ['queued', 'preparing', 'setup', 'baseline', 'working', 'verifying', 'publishing'];

function testLine(t: TestSummary): Html {
  const counts =
    t.passed != null
      ? `${t.passed} passed, ${t.failed ?? 0} failed${t.skipped ? `, ${t.skipped} skipped` : ''}`
      : `exit ${t.exitCode ?? 'none (stopped)'}`;
  return html`<code>${t.command}</code>: ${counts} (${fmtDuration(t.durationMs)})${t.failures.length ? html`<br><span class="muted">failing:</span> ${t.failures.slice(0, 30).join(', ')}` : ''}`;
}

/** One event as a timeline entry; the same markup goes to the page and, live, down the event stream. */
export function renderEvent(e: RunEvent): Html | null {
  if (e.type !== 'item.completed')
    return e.type === 'run.phase' ? html`<li class="ev phase">Phase: <strong>${e.phase}</strong></li>` : null;
  return renderItem(e.item);
}

function renderItem(i: Item): Html | null {
  switch (i.kind) {
    case 'agent_message':
      return html`<li class="ev msg"><span class="who">Model</span><p class="text">${i.text}</p></li>`;
    case 'reasoning_summary':
      return html`<li class="ev note"><span class="who">Harness</span> ${i.text}</li>`;
    case 'command_execution':
      return html`<li class="ev cmd"><details><summary><code>$ ${i.command}</code> <span class="${i.exitCode === 0 ? 'ok' : 'fail'}">${i.declined ? 'declined' : `exit ${i.exitCode ?? 'none'}`}</span> · ${fmtDuration(i.durationMs)}</summary><pre>${i.output || '(no output)'}</pre></details></li>`;
    case 'file_change':
      return html`<li class="ev change"><span class="who">Edited</span> ${i.changes.map((c, n) => html`${n ? ', ' : ''}<code>${c.path}</code> (${c.kind})`)}</li>`;
    case 'test_run':
      return html`<li class="ev tests"><span class="who">Tests</span> ${testLine(i)}</li>`;
    case 'error':
      return html`<li class="ev err"><span class="who">Refused</span> ${i.message}</li>`;
    case 'plan':
      return html`<li class="ev plan"><span class="who">Plan</span> ${i.steps.length} step${i.steps.length === 1 ? '' : 's'}</li>`;
  }
}

export interface RunPageFacts {
  row: RunRow;
  events: RunEvent[];
  viewer: Viewer;
  /** Which buttons this viewer may use on this run (the permission the /agent commands need). */
  may: boolean;
  issueUrl: string;
  diffMode: 'unified' | 'split';
  energy: EnergyFactors;
}

export function runPage(f: RunPageFacts): Html {
  const { row: r, events } = f;
  const phases = events.filter((e) => e.type === 'run.phase').map((e) => (e as { phase: string }).phase);
  const current = r.state === 'running' ? phases.at(-1) : undefined;
  const plan = [...events].reverse().find((e) => e.type === 'item.completed' && e.item.kind === 'plan') as
    | { item: Extract<Item, { kind: 'plan' }> }
    | undefined;
  const done = events.find((e) => e.type === 'run.completed') as
    | Extract<RunEvent, { type: 'run.completed' }>
    | undefined;
  const diff =
    (
      [...events].reverse().find((e) => e.type === 'diff.updated') as
        | Extract<RunEvent, { type: 'diff.updated' }>
        | undefined
    )?.diff ?? '';
  const usage =
    done?.evidence.usage ??
    (
      [...events].reverse().find((e) => e.type === 'usage.updated') as
        | Extract<RunEvent, { type: 'usage.updated' }>
        | undefined
    )?.usage;
  const timeline = events.map(renderEvent).filter((x): x is Html => x !== null);
  // Live until the engine's last event; publishing after it needs no stream (a reload shows the PR).
  const live = (r.state === 'running' || r.state === 'queued') && !done;
  const outcome = outcomeOf(r);
  const prUrl = done?.prUrl ?? r.summary?.prUrl;
  const button = (action: string, label: string) =>
    html`<form method="post" action="/dashboard/runs/${r.id}/${action}"><input type="hidden" name="csrf" value="${f.viewer.csrf}"><button type="submit">${label}</button></form>`;
  return html`<h1><span class="muted">${r.repo}</span> ${r.isPullRequest ? 'PR' : 'issue'} #${r.number}: ${r.title}</h1>
  <p class="meta">${outcomeBadge(outcome)} · run #${r.id} · ${r.trigger} by @${r.requester} · started ${fmtTime(r.startedAt ?? r.createdAt)} · ${fmtDuration(runDuration(r))}
    · <a href="${f.issueUrl}">on GitHub</a>${prUrl ? html` · <a href="${prUrl}">pull request</a>` : ''}</p>
  ${r.reason && !done ? html`<p class="notice">${r.reason}</p>` : ''}
  ${
    f.may
      ? html`<div class="actions" aria-label="Actions">${r.state === 'running' || r.state === 'queued' ? button('stop', 'Stop') : ''}${button('retry', 'Retry')}${outcome === 'needs_input' ? button('approve', 'Approve plan') : ''}</div>`
      : ''
  }
  <section aria-labelledby="h-phases"><h2 id="h-phases">Phases</h2><ol class="phases">${PHASES.map((p) => html`<li class="${p === current ? 'current' : phases.includes(p) ? 'seen' : ''}"${p === current ? html` aria-current="step"` : ''}>${p}</li>`)}</ol></section>
  ${plan ? html`<section aria-labelledby="h-plan"><h2 id="h-plan">Plan</h2><ul class="plan">${plan.item.steps.map((s) => html`<li class="${s.status}"><span class="sr-only">${s.status.replace('_', ' ')}: </span>${s.text}</li>`)}</ul></section>` : ''}
  ${
    done
      ? html`<section aria-labelledby="h-result"><h2 id="h-result">Result</h2><p>${done.summary}</p>${done.question ? html`<p><strong>Question:</strong> ${done.question}</p>` : ''}
        <ul><li>Before the change: ${done.evidence.baseline ? testLine(done.evidence.baseline) : 'no test run'}</li><li>After the change: ${done.evidence.final ? testLine(done.evidence.final) : 'no test run'}</li>
        ${done.evidence.filesChanged.length ? html`<li>Files changed: ${done.evidence.filesChanged.map((p, n) => html`${n ? ', ' : ''}<code>${p}</code>`)}</li>` : ''}</ul></section>`
      : ''
  }
  <section aria-labelledby="h-cost"><h2 id="h-cost">Cost</h2><p>${usage ? html`${fmtTokens(usage.inputTokens)} input tokens (${fmtTokens(usage.cachedInputTokens)} cached), ${fmtTokens(usage.outputTokens)} output; ${fmtUsd(usage.costUsd)} with model ${r.summary?.model ?? '—'}` : 'nothing spent yet'}</p>
    ${done ? html`<p>Compute: ${computeLine(done.evidence, f.energy)}</p>` : ''}</section>
  <section aria-labelledby="h-events"><h2 id="h-events">What it did</h2>
    <ol class="events" id="events" data-run="${r.id}" data-from="${events.length}"${live ? html` data-live="run"` : ''} aria-live="polite">${timeline}</ol>
    ${live ? html`<p class="muted" id="stream-note">Live: new steps appear as they happen.</p>` : ''}</section>
  <section aria-labelledby="h-diff" id="diff"><h2 id="h-diff">Diff</h2>${diffView(diff, f.diffMode, `/dashboard/runs/${r.id}`)}</section>`;
}
