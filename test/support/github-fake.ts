import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakePull {
  number: number;
  head: string;
  base: string;
  title: string;
  body: string;
  draft: boolean;
  state: 'open' | 'closed';
  headSha?: string;
}

export interface FakeGithub {
  url: string;
  requests: Array<{ method: string; path: string }>;
  comments: Map<number, { issue: number; body: string; edits: number }>;
  pulls: FakePull[];
  labels: Map<number, string[]>;
  checkRuns: Array<Record<string, unknown>>;
  /** Inline comments served for a review id; set by the test. */
  reviewComments: Map<number, Array<Record<string, unknown>>>;
  replies: Array<{ to: number; body: string }>;
  /** Check runs served for a check suite id; set by the test. */
  suiteRuns: Map<number, Array<Record<string, unknown>>>;
  /** Files the contents API serves (every repository); tests may change them. */
  files: Record<string, string>;
  reviewers: Map<number, string[]>;
  /** Merged PRs by others, served with `state=closed` per repository name; set by the test. */
  merged: Map<string, Array<{ title: string; body: string; branch: string; author: string; bot?: boolean }>>;
  /** Per-login repository permission (`login`, or `owner/repo:login` for one repository); others get the default. */
  permissions: Map<string, string>;
  /** Faults to answer with, first match wins, each `times` times; tests push to it. */
  faults: FaultRule[];
  close(): Promise<void>;
}

export interface FaultRule {
  method?: string;
  path: RegExp;
  times: number;
  status: number;
  headers?: Record<string, string>;
  body?: string | object;
  /** Do what the request asks, then answer with the fault (GitHub did it, but the answer was lost). */
  effect?: boolean;
}

export interface FakeOptions {
  permission?: string;
  token?: string;
  /** Faults for comment creation: every POST waits this long; the first `loseCreates` create the comment but answer 502. */
  commentDelayMs?: number;
  loseCreates?: number;
  /** Each comment create or edit waits a random 0..N ms, so answers come back out of order. */
  commentJitterMs?: number;
  /** The source of that randomness (seeded in tests that must replay the same way). */
  random?: () => number;
  /** Repository files served by the contents API (config). */
  files?: Record<string, string>;
}

/**
 * A local stand-in for the parts of GitHub's REST API the app uses, with state (comments, pull
 * requests), at near-zero latency. Tests that need strict call checking use nock instead.
 */
export async function startGithubFake(opts: FakeOptions | string = {}): Promise<FakeGithub> {
  const o: FakeOptions = typeof opts === 'string' ? { permission: opts } : opts;
  o.files ??= {};
  const requests: FakeGithub['requests'] = [];
  const comments: FakeGithub['comments'] = new Map();
  const pulls: FakePull[] = [];
  const labels = new Map<number, string[]>();
  const checkRuns: Array<Record<string, unknown>> = [];
  const reviewComments = new Map<number, Array<Record<string, unknown>>>();
  const suiteRuns = new Map<number, Array<Record<string, unknown>>>();
  const replies: Array<{ to: number; body: string }> = [];
  const reviewers = new Map<number, string[]>();
  const merged: FakeGithub['merged'] = new Map();
  const permissions: FakeGithub['permissions'] = new Map();
  const faults: FaultRule[] = [];
  let nextId = 1000;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = url.pathname.replace(/^\/api\/v3/, '');
      const method = req.method ?? 'GET';
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>) : {};
      requests.push({ method, path });
      const fault = faults.find((f) => f.times > 0 && (!f.method || f.method === method) && f.path.test(path));
      if (fault) {
        fault.times--;
        const send = () => {
          const text = typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body ?? { message: `fault ${fault.status}` });
          const type = typeof fault.body === 'string' ? 'text/html' : 'application/json; charset=utf-8';
          return origWriteHead.call(res, fault.status, { 'content-type': type, ...fault.headers }).end(text);
        };
        const origWriteHead = res.writeHead;
        if (!fault.effect) return void send();
        // Let the handler below do the work, then swap its answer for the fault.
        res.writeHead = (() => ({ end: () => send() })) as unknown as typeof res.writeHead;
      }
      const json = (status: number, data: unknown) => res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(data));
      let m: RegExpExecArray | null;
      if (method === 'POST' && /\/access_tokens$/.test(path)) return json(201, { token: o.token ?? 'ghs_fake', expires_at: new Date(Date.now() + 3600_000).toISOString() });
      if ((m = /^\/repos\/[^/]+\/[^/]+\/contents\/(.+)$/.exec(path))) {
        const file = o.files?.[decodeURIComponent(m[1]!)];
        return file === undefined ? json(404, { message: 'Not Found' }) : res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(file);
      }
      if ((m = /\/repos\/([^/]+\/[^/]+)\/collaborators\/([^/]+)\/permission$/.exec(path))) {
        const login = decodeURIComponent(m[2]!);
        const p = permissions.get(`${m[1]}:${login}`) ?? permissions.get(login) ?? o.permission ?? 'write';
        return json(200, { permission: p, role_name: p });
      }
      if (/\/reactions$/.test(path)) return json(201, { id: nextId++, content: 'eyes' });
      if (method === 'POST' && (m = /\/issues\/(\d+)\/comments$/.exec(path))) {
        const id = nextId++;
        const issue = Number(m[1]);
        const text = String(body.body);
        const answer = () => {
          comments.set(id, { issue, body: text, edits: 0 });
          if ((o.loseCreates ?? 0) > 0) {
            o.loseCreates!--;
            return void res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>502 Bad Gateway</body></html>');
          }
          json(201, { id });
        };
        const wait = (o.commentDelayMs ?? 0) + (o.random ?? Math.random)() * (o.commentJitterMs ?? 0);
        if (wait) return void setTimeout(answer, wait);
        return answer();
      }
      if (method === 'GET' && (m = /\/issues\/(\d+)\/comments$/.exec(path))) {
        const issue = Number(m[1]);
        return json(200, [...comments.entries()].filter(([, c]) => c.issue === issue).map(([id, c]) => ({ id, body: c.body, user: { login: 'patchwright-test[bot]', type: 'Bot' } })));
      }
      if (method === 'PATCH' && (m = /\/issues\/comments\/(\d+)$/.exec(path))) {
        const c = comments.get(Number(m[1]));
        if (!c) return json(404, { message: 'Not Found' });
        const id = Number(m[1]);
        const apply = () => {
          c.body = String(body.body);
          c.edits++;
          json(200, { id });
        };
        if (o.commentJitterMs) return void setTimeout(apply, (o.random ?? Math.random)() * o.commentJitterMs);
        return apply();
      }
      if ((m = /^\/users\/(.+)$/.exec(path))) return json(200, { login: decodeURIComponent(m[1]!), id: 4000 + decodeURIComponent(m[1]!).length });
      if (/\/branches\//.test(path)) return json(404, { message: 'Branch not found' });
      if (method === 'GET' && /\/pulls$/.test(path)) {
        const head = url.searchParams.get('head')?.split(':')[1];
        const state = url.searchParams.get('state') ?? 'open';
        const others = head || state === 'open' ? [] : (merged.get(path.split('/')[3]!) ?? []).map((p, i) => ({
          ...toApi({ number: 10 + i, head: p.branch, base: 'main', title: p.title, body: p.body, draft: false, state: 'closed' }),
          merged_at: '2026-11-01T00:00:00Z',
          user: { login: p.author, type: p.bot ? 'Bot' : 'User' },
        }));
        return json(200, [...pulls.filter((p) => (!head || p.head === head) && (state === 'all' || p.state === state)).map(toApi), ...others]);
      }
      if (method === 'POST' && /\/pulls$/.test(path) && pulls.some((p) => p.head === String(body.head) && p.state === 'open')) {
        return json(422, { message: 'Validation Failed', errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for octo:${String(body.head)}.` }] });
      }
      if (method === 'POST' && /\/pulls$/.test(path)) {
        const pr: FakePull = { number: 100 + pulls.length, head: String(body.head), base: String(body.base), title: String(body.title), body: String(body.body), draft: body.draft === true, state: 'open' };
        pulls.push(pr);
        return json(201, toApi(pr));
      }
      if (method === 'POST' && (m = /\/issues\/(\d+)\/labels$/.exec(path))) {
        labels.set(Number(m[1]), body.labels as string[]);
        return json(200, []);
      }
      if (method === 'POST' && (m = /\/pulls\/(\d+)\/requested_reviewers$/.exec(path))) {
        reviewers.set(Number(m[1]), body.reviewers as string[]);
        return json(201, {});
      }
      if ((m = /\/reviews\/(\d+)\/comments$/.exec(path))) return json(200, reviewComments.get(Number(m[1])) ?? []);
      if (method === 'GET' && /\/pulls\/\d+\/comments$/.test(path)) return json(200, [...reviewComments.values()].flat());
      if (method === 'GET' && (m = /\/issues\/(\d+)$/.exec(path))) return json(200, { number: Number(m[1]), title: `Issue ${m[1]}`, body: `The original report for #${m[1]}.` });
      if ((m = /\/check-suites\/(\d+)\/check-runs$/.exec(path))) return json(200, { total_count: 1, check_runs: suiteRuns.get(Number(m[1])) ?? [] });
      if (/\/check-runs\/\d+\/annotations$/.test(path)) return json(200, [{ path: 'math.js', start_line: 1, message: 'Missing semicolon style rule' }]);
      if (/\/actions\/jobs\/\d+\/logs$/.test(path)) return res.writeHead(200, { 'content-type': 'text/plain' }).end('##[error] lint: 1 problem in math.js\n');
      if (method === 'POST' && (m = /\/pulls\/\d+\/comments\/(\d+)\/replies$/.exec(path))) {
        replies.push({ to: Number(m[1]), body: String(body.body) });
        return json(201, { id: nextId++ });
      }
      if (method === 'POST' && path === '/graphql' && /markPullRequestReadyForReview/.test(String(body.query))) {
        const pr = pulls.find((p) => `PR_${p.number}` === (body.variables as { id: string }).id);
        if (pr) pr.draft = false;
        return json(200, { data: { markPullRequestReadyForReview: { pullRequest: { isDraft: false } } } });
      }
      if (method === 'POST' && /\/check-runs$/.test(path)) {
        checkRuns.push(body);
        return json(201, { id: nextId++ });
      }
      if ((m = /\/pulls\/(\d+)$/.exec(path))) {
        const pr = pulls.find((p) => p.number === Number(m![1]));
        if (!pr) return json(404, { message: 'Not Found' });
        if (method === 'PATCH') Object.assign(pr, { ...(body.title ? { title: String(body.title) } : {}), ...(body.body ? { body: String(body.body) } : {}) });
        return json(200, toApi(pr));
      }
      return json(404, { message: `fake has no ${method} ${path}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    comments,
    pulls,
    merged,
    permissions,
    faults,
    labels,
    reviewers,
    checkRuns,
    reviewComments,
    replies,
    suiteRuns,
    files: o.files,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function toApi(p: FakePull) {
  return { number: p.number, node_id: `PR_${p.number}`, html_url: `https://github.test/pull/${p.number}`, title: p.title, body: p.body, draft: p.draft, state: p.state, merged_at: null, user: { login: 'patchwright-test[bot]' }, head: { ref: p.head, sha: p.headSha ?? '' }, base: { ref: p.base } };
}
