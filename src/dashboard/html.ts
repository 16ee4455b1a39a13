/** HTML built from strings: every value goes through `esc`, so text from GitHub or a model stays text. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A pre-escaped fragment. */
export class Html {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

/** Tagged template: interpolated values are escaped unless they are `Html` (or arrays of it). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

function render(v: unknown): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === null || v === undefined || v === false) return '';
  return esc(v);
}

export interface Viewer {
  login: string;
  kind: 'github' | 'token' | 'local';
  csrf: string;
}

const OUTCOMES: Record<string, { words: string; tone: string }> = {
  succeeded: { words: 'succeeded', tone: 'good' },
  tests_failing: { words: 'tests failing', tone: 'warn' },
  no_changes: { words: 'no changes', tone: 'neutral' },
  needs_input: { words: 'needs input', tone: 'info' },
  setup_failed: { words: 'setup failed', tone: 'bad' },
  budget_exhausted: { words: 'budget exhausted', tone: 'warn' },
  model_error: { words: 'model error', tone: 'bad' },
  sandbox_error: { words: 'sandbox error', tone: 'bad' },
  cancelled: { words: 'cancelled', tone: 'neutral' },
  failed: { words: 'failed', tone: 'bad' },
  running: { words: 'running', tone: 'info' },
  queued: { words: 'queued', tone: 'neutral' },
  done: { words: 'done', tone: 'neutral' },
};

/** What a run came to, as words and a colour: its outcome, or its state while it has none. */
export function outcomeOf(r: { outcome: string | null; state: string }): string {
  return r.outcome ?? (r.state === 'done' ? 'done' : r.state);
}

export function outcomeBadge(outcome: string): Html {
  const o = outcomeLook(outcome);
  return html`<span class="badge ${o.tone}">${o.words}</span>`;
}

/** An outcome's words and colour, as its badge shows them. */
export function outcomeLook(outcome: string): { words: string; tone: string } {
  return OUTCOMES[outcome] ?? { words: outcome.replace(/_/g, ' '), tone: 'neutral' };
}

export const OUTCOME_NAMES = Object.keys(OUTCOMES);

export function layout(title: string, viewer: Viewer | null, body: Html, notice?: string): string {
  const nav = viewer
    ? html`<nav aria-label="Dashboard"><a href="/dashboard">Runs</a><a href="/dashboard/overview">Overview</a>${viewer.kind !== 'github' ? html`<a href="/dashboard/evals">Evals</a>` : ''}
        <span class="who">${viewer.kind === 'github' ? `@${viewer.login}` : viewer.kind === 'token' ? 'signed in with the token' : 'this machine'}</span>
        ${viewer.kind !== 'local' ? html`<form method="post" action="/dashboard/signout"><input type="hidden" name="csrf" value="${viewer.csrf}"><button type="submit" class="link">Sign out</button></form>` : ''}</nav>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Patchwright</title><link rel="stylesheet" href="/dashboard/assets/app.css"></head>
<body><a class="skip" href="#main">Skip to content</a><header><a class="brand" href="/dashboard">Patchwright</a>${nav}</header>
${notice ? `<p class="notice" role="status">${esc(notice)}</p>` : ''}
<main id="main">${body}</main><script src="/dashboard/assets/app.js" defer></script></body></html>`;
}

export function fmtDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function fmtUsd(usd: number | null | undefined): string {
  return usd == null ? 'unknown' : `$${usd < 0.01 && usd > 0 ? usd.toFixed(4) : usd.toFixed(2)}`;
}

export function fmtTokens(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);
}

export function fmtTime(iso: string | null): Html {
  if (!iso) return html`—`;
  return html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
}
