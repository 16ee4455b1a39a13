import crypto from 'node:crypto';
import type http from 'node:http';
import type { EventsPort, RunsPort } from '../adapters/store/ports.ts';
import type { RunEvent } from '../protocol/run-event.ts';
import type { RunRow } from '../adapters/store/run-list.ts';
import { APP_CSS, APP_JS } from './assets.ts';
import { html, layout, type Viewer } from './html.ts';
import { overviewPage, type EnergyFactors } from './overview-page.ts';
import { evalListPage, evalPage } from './eval-page.ts';
import type { EvalReport } from '../protocol/eval.ts';
import { renderEvent, runPage } from './run-page.ts';
import { PAGE_SIZE, runJson, runsPage } from './runs-page.ts';
import { readCookie, sameToken, Sessions } from './session.ts';
import { signinPage } from './signin-page.ts';
import { readForm, redirect, send, sendJson } from './http-util.ts';

/** GitHub, as the dashboard needs it (implemented in src/github/dashboard-github.ts). */
export interface DashboardGithub {
  mayView(repo: string, login: string, minimum: string): Promise<boolean>;
  mayAct(repo: string, login: string): Promise<boolean>;
  stop(jobId: number, login: string): Promise<void>;
  retry(jobId: number, login: string): Promise<number | null>;
  approve(jobId: number, login: string): Promise<number | null>;
}

export interface OAuthSettings {
  clientId: string;
  clientSecret: string;
  /** Where people sign in (https://github.com, or a GitHub Enterprise host). */
  webUrl: string;
  apiUrl: string;
}

export interface DashboardOptions {
  runs: RunsPort;
  events: EventsPort;
  /** Job changes (stored, started, ended), for the live runs list; absent, only run events refresh it. */
  jobChanges?: (fn: (jobId: number) => void) => () => void;
  /** Absent for `patchwright dashboard` (local runs): no buttons, no GitHub. */
  github?: DashboardGithub;
  token?: string | undefined;
  oauth?: OAuthSettings | undefined;
  sessionKey: Buffer;
  secureCookies: boolean;
  /** The least permission on a repository that shows its runs. */
  viewPermission: string;
  energy: EnergyFactors;
  /** Links to issues: https://github.com or the Enterprise host. */
  webUrl: string;
  /** The app's public address (`PATCHWRIGHT_PUBLIC_URL`), for the OAuth callback; else the request's Host. */
  publicUrl?: string | undefined;
  /** `patchwright eval`'s reports in the data dir (`patchwright dashboard` only: they belong to the machine, not to a repository's permissions). */
  evals?: EvalReports;
}

export interface EvalReports {
  list(): Array<{ key: string; report: EvalReport }>;
  get(key: string): EvalReport | null;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;

/** `/dashboard`: the runs, live, for people signed in with GitHub or the deployment's token. */
export function createDashboard(o: DashboardOptions): Handler {
  const sessions = new Sessions(o.sessionKey, o.secureCookies);
  const signInConfigured = !!(o.token || o.oauth);
  const localCsrf = crypto.randomBytes(18).toString('base64url');

  const viewer = (req: http.IncomingMessage): Viewer | null => {
    if (!signInConfigured) return isLoopback(req) ? { login: 'local', kind: 'local', csrf: localCsrf } : null;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer && o.token && sameToken(bearer, o.token)) return { login: 'token', kind: 'token', csrf: '' };
    const s = sessions.read(req);
    return s ? { login: s.login, kind: s.kind, csrf: s.csrf } : null;
  };
  /** The repositories a viewer sees; null for all (the token, or this machine when nobody signs in). */
  const visibleRepos = async (v: Viewer): Promise<string[] | null> => {
    if (v.kind !== 'github' || !o.github) return null;
    const repos = await o.runs.repos();
    const allowed = await Promise.all(repos.map((r) => o.github!.mayView(r, v.login, o.viewPermission)));
    return repos.filter((_, i) => allowed[i]);
  };
  const mayAct = async (v: Viewer, row: RunRow) =>
    !!o.github && (v.kind !== 'github' || (await o.github.mayAct(row.repo, v.login)));
  const visibleRun = async (v: Viewer, id: number): Promise<RunRow | null> => {
    const row = Number.isInteger(id) ? await o.runs.get(id) : undefined;
    if (!row) return null;
    const repos = await visibleRepos(v);
    return repos && !repos.includes(row.repo) ? null : row;
  };
  const notice = signInConfigured
    ? undefined
    : "No sign-in is configured: the dashboard answers only on this machine (loopback). Set PATCHWRIGHT_DASHBOARD_TOKEN or the GitHub App's OAuth client to open it to others.";

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const p = url.pathname;
    if (p !== '/dashboard' && !p.startsWith('/dashboard/')) return false;
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'same-origin');
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader(
      'content-security-policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'",
    );
    if (p === '/dashboard/assets/app.css') return send(res, 200, APP_CSS, 'text/css; charset=utf-8', true);
    if (p === '/dashboard/assets/app.js') return send(res, 200, APP_JS, 'text/javascript; charset=utf-8', true);
    if (!signInConfigured && !isLoopback(req))
      return send(
        res,
        403,
        'No sign-in is configured for this dashboard, so it answers only on this machine.\n',
        'text/plain',
      );
    if (req.method === 'POST' && !sameOrigin(req))
      return send(res, 403, 'Refused: a request from another site.\n', 'text/plain');

    if (p === '/dashboard/signin') {
      if (req.method === 'POST') {
        const form = await readForm(req);
        if (o.token && sameToken(form.get('token') ?? '', o.token)) {
          const { cookie } = sessions.create('token', 'token');
          return redirect(res, '/dashboard', [cookie]);
        }
        return send(
          res,
          401,
          layout('Sign in', null, signinPage(!!o.token, !!o.oauth, 'That token is not right.')),
          'text/html; charset=utf-8',
        );
      }
      return send(res, 200, layout('Sign in', null, signinPage(!!o.token, !!o.oauth)), 'text/html; charset=utf-8');
    }
    if (p === '/dashboard/oauth/start' && o.oauth) {
      const state = crypto.randomBytes(18).toString('base64url');
      const target = `${o.oauth.webUrl}/login/oauth/authorize?${new URLSearchParams({ client_id: o.oauth.clientId, redirect_uri: `${publicBase(req, o.publicUrl)}/dashboard/oauth/callback`, state, allow_signup: 'false' })}`;
      return redirect(res, target, [sessions.cookie('pw_oauth_state', state, 600)]);
    }
    if (p === '/dashboard/oauth/callback' && o.oauth) {
      const state = url.searchParams.get('state') ?? '';
      const expected = readCookie(req, 'pw_oauth_state') ?? '';
      if (!state || !expected || !sameToken(state, expected))
        return send(
          res,
          400,
          'The sign-in did not start here (state mismatch). Start again from the sign-in page.\n',
          'text/plain',
        );
      const login = await githubLogin(
        o.oauth,
        url.searchParams.get('code') ?? '',
        `${publicBase(req, o.publicUrl)}/dashboard/oauth/callback`,
      ).catch(() => null);
      if (!login)
        return send(
          res,
          401,
          layout('Sign in', null, signinPage(!!o.token, true, 'GitHub did not confirm who you are. Try again.')),
          'text/html; charset=utf-8',
        );
      const { cookie } = sessions.create(login, 'github');
      return redirect(res, '/dashboard', [cookie, sessions.cookie('pw_oauth_state', '', 0)]);
    }

    const v = viewer(req);
    const api = p.startsWith('/dashboard/api/');
    if (!v)
      return api
        ? sendJson(res, 401, {
            error: 'sign in first: a session cookie, or Authorization: Bearer <PATCHWRIGHT_DASHBOARD_TOKEN>',
          })
        : redirect(res, '/dashboard/signin');

    if (p === '/dashboard/signout' && req.method === 'POST') {
      const form = await readForm(req);
      if (!csrfOk(v, form.get('csrf')))
        return send(res, 403, 'Refused: the form is stale (CSRF token).\n', 'text/plain');
      return redirect(res, '/dashboard/signin', [sessions.clear()]);
    }
    const filters = {
      repo: url.searchParams.get('repo') || undefined,
      outcome: url.searchParams.get('outcome') || undefined,
      person: url.searchParams.get('person') || undefined,
    };
    const pageNo = Math.max(1, Number(url.searchParams.get('page')) || 1);
    if (p === '/dashboard' || p === '/dashboard/' || p === '/dashboard/api/runs') {
      const repos = await visibleRepos(v);
      const { rows, total } = await o.runs.page({ repos, ...filters }, PAGE_SIZE, (pageNo - 1) * PAGE_SIZE);
      if (api)
        return sendJson(res, 200, {
          runs: rows.map((r) => runJson(r, o.energy)),
          total,
          page: pageNo,
          pageSize: PAGE_SIZE,
        });
      const people = [...new Set((await o.runs.page({ repos }, 500, 0)).rows.map((r) => r.requester))].sort();
      return send(
        res,
        200,
        layout(
          'Runs',
          v,
          runsPage(rows, total, { ...filters, page: pageNo }, repos ?? (await o.runs.repos()), people),
          notice,
        ),
        'text/html; charset=utf-8',
      );
    }
    if (p === '/dashboard/overview') {
      const repos = await visibleRepos(v);
      const days = 14;
      const since = new Date(Date.now() - days * 86_400_000).toISOString();
      return send(
        res,
        200,
        layout(
          'Overview',
          v,
          overviewPage(await o.runs.finishedSince(since, repos), days, new Date(), o.energy),
          notice,
        ),
        'text/html; charset=utf-8',
      );
    }
    if (p === '/dashboard/api/stream') return streamList(req, res, o.events, o.jobChanges);
    const ev = /^\/dashboard\/(api\/)?evals(?:\/([\w.-]+))?$/.exec(p);
    // Evals are this machine's: someone signed in with GitHub sees only the repositories GitHub lets them see.
    if (ev && v.kind !== 'github') {
      const report = ev[2] ? (o.evals?.get(ev[2]) ?? null) : null;
      if (ev[2] && !report)
        return api
          ? sendJson(res, 404, { error: 'no such eval' })
          : send(
              res,
              404,
              layout('Not found', v, html`<h1>Not found</h1><p>There is no eval by that name in this data dir.</p>`),
              'text/html; charset=utf-8',
            );
      if (api)
        return sendJson(
          res,
          200,
          report ?? {
            evals: (o.evals?.list() ?? []).map(({ key, report: r }) => ({
              key,
              repo: r.repo,
              generatedAt: r.generatedAt,
              pending: r.pending,
              byModel: r.byModel,
            })),
          },
        );
      return send(
        res,
        200,
        layout(
          report ? `Eval of ${report.repo.name}` : 'Evals',
          v,
          report ? evalPage(report) : evalListPage(o.evals ? o.evals.list() : null),
          notice,
        ),
        'text/html; charset=utf-8',
      );
    }
    const m = /^\/dashboard\/(api\/)?runs\/(\d+)(?:\/(events|stop|retry|approve))?$/.exec(p);
    if (m) {
      const row = await visibleRun(v, Number(m[2]));
      const action = m[3];
      // Someone who may not see a run learns nothing about it, not even that it exists; its buttons are simply not theirs.
      if (!row && action && action !== 'events') return send(res, 403, 'Not allowed.\n', 'text/plain');
      if (!row)
        return api
          ? sendJson(res, 404, { error: 'no such run' })
          : send(
              res,
              404,
              layout('Not found', v, html`<h1>Not found</h1><p>There is no run with that number that you can see.</p>`),
              'text/html; charset=utf-8',
            );
      if (action === 'events') return streamRun(req, res, o.events, row.id, Number(url.searchParams.get('from')) || 0);
      if (action) {
        if (req.method !== 'POST') return send(res, 405, 'Use the button.\n', 'text/plain');
        const form = await readForm(req);
        if (!csrfOk(v, form.get('csrf')))
          return send(res, 403, 'Refused: the form is stale (CSRF token).\n', 'text/plain');
        if (!(await mayAct(v, row)))
          return send(
            res,
            403,
            layout(
              'Not allowed',
              v,
              html`<h1>Not allowed</h1><p>Stopping, retrying and approving need the permission the <code>/agent</code> commands need on ${row.repo}.</p>`,
            ),
            'text/html; charset=utf-8',
          );
        const who = v.kind === 'github' ? v.login : 'dashboard-token';
        if (action === 'stop') await o.github!.stop(row.id, who);
        const next =
          action === 'retry'
            ? await o.github!.retry(row.id, who)
            : action === 'approve'
              ? await o.github!.approve(row.id, who)
              : null;
        return redirect(res, `/dashboard/runs/${next ?? row.id}`);
      }
      const events = await o.events.list(row.id);
      if (api) return sendJson(res, 200, { run: runJson(row, o.energy), events });
      const diffMode = url.searchParams.get('diff') === 'split' ? 'split' : 'unified';
      const issueUrl = `${o.webUrl}/${row.repo}/${row.isPullRequest ? 'pull' : 'issues'}/${row.number}`;
      return send(
        res,
        200,
        layout(
          `Run ${row.id}`,
          v,
          runPage({ row, events, viewer: v, may: await mayAct(v, row), issueUrl, diffMode, energy: o.energy }),
          notice,
        ),
        'text/html; charset=utf-8',
      );
    }
    return api
      ? sendJson(res, 404, { error: 'not found' })
      : send(res, 404, layout('Not found', v, html`<h1>Not found</h1>`), 'text/html; charset=utf-8');
  };
}

function csrfOk(v: Viewer, given: string | undefined): boolean {
  return !!v.csrf && !!given && sameToken(given, v.csrf);
}

function isLoopback(req: http.IncomingMessage): boolean {
  const a = req.socket.remoteAddress ?? '';
  return a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:127.');
}

/** A state-changing request must come from this site: browsers send Origin with every POST. */
function sameOrigin(req: http.IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (req.headers['sec-fetch-site'] === 'cross-site') return false;
  if (!origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function publicBase(req: http.IncomingMessage, publicUrl: string | undefined): string {
  return publicUrl ?? `http://${req.headers.host ?? 'localhost'}`;
}

async function githubLogin(oauth: OAuthSettings, code: string, redirectUri: string): Promise<string | null> {
  if (!code) return null;
  const tokenRes = await fetch(`${oauth.webUrl}/login/oauth/access_token`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify({
      client_id: oauth.clientId,
      client_secret: oauth.clientSecret,
      code,
      redirect_uri: redirectUri,
    }),
  });
  const token = ((await tokenRes.json()) as { access_token?: string }).access_token;
  if (!token) return null;
  // The person's token is used for this one question and then dropped: nothing of it is kept.
  const user = await fetch(`${oauth.apiUrl}/user`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json' },
  });
  return user.ok ? (((await user.json()) as { login?: string }).login ?? null) : null;
}

function sse(res: http.ServerResponse): (event: string, data: unknown) => void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
  res.write(': live\n\n');
  return (event, data) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/**
 * A run's events from `from` on (what the page already has is skipped), then live until it ends.
 * Live events that arrive while the log is read wait; each kept event carries its place in the
 * log, so none is sent twice or skipped whichever came first.
 */
function streamRun(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  log: EventsPort,
  jobId: number,
  from: number,
): true {
  const send = sse(res);
  let seq = from;
  const deliver = (e: RunEvent, at?: number) => {
    if (e.type === 'item.delta') return send('delta', { itemId: e.itemId, delta: e.delta });
    const place = at ?? seq + 1;
    if (place <= seq) return;
    seq = place;
    const fragment = renderEvent(e);
    if (fragment) send('item', { html: fragment.text, seq });
    if (e.type === 'run.completed') send('done', { seq });
  };
  let waiting: Array<[RunEvent, number | undefined]> | null = [];
  const stop = log.listen((id, e, at) => {
    if (id !== jobId) return;
    if (waiting) waiting.push([e, at]);
    else deliver(e, at);
  });
  const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
  req.on('close', () => (stop(), clearInterval(ping)));
  void Promise.resolve(log.list(jobId)).then(
    (past) => {
      past.forEach((e, i) => i >= from && deliver(e, i + 1));
      if (past.some((e) => e.type === 'run.completed')) send('done', { seq });
      for (const [e, at] of waiting ?? []) deliver(e, at);
      waiting = null;
    },
    () => res.end(),
  );
  return true;
}

function streamList(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  log: EventsPort,
  jobChanges?: DashboardOptions['jobChanges'],
): true {
  const send = sse(res);
  const stop = log.listen((jobId, e) => {
    if (e.type === 'run.phase') send('changed', { jobId, type: e.type });
  });
  const stopJobs = jobChanges?.((jobId) => send('changed', { jobId, type: 'job' }));
  const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
  req.on('close', () => (stop(), stopJobs?.(), clearInterval(ping)));
  return true;
}
