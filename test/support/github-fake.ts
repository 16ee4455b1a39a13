import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

/**
 * The repositories GitHub knows, as the test's deliveries describe them (app-harness's `deliver`
 * tells every delivery's repository and installation here): what `GET /repos/{owner}/{repo}`
 * answers, and which installation may have a token for which repository.
 */
export const knownRepositories = new Map<
  string,
  { id: number; owner: string; name: string; cloneUrl: string; defaultBranch: string; installationId: number | null }
>();

export function rememberRepository(payload: unknown): void {
  const p = payload as {
    repository?: {
      id?: number;
      name?: string;
      full_name?: string;
      clone_url?: string;
      default_branch?: string;
      owner?: { login?: string };
    };
    installation?: { id?: number };
  } | null;
  const r = p?.repository;
  if (!r?.clone_url || !r.name || !r.owner?.login) return;
  // The app names a repository by its owner's login and its name (as GitHub's API paths do).
  knownRepositories.set(`${r.owner.login}/${r.name}`.toLowerCase(), {
    id: r.id ?? 1_000_000 + knownRepositories.size,
    owner: r.owner.login,
    name: r.name,
    cloneUrl: r.clone_url,
    defaultBranch: r.default_branch ?? 'main',
    installationId: p?.installation?.id ?? null,
  });
}

/**
 * The body of POST /app/installations/{installation_id}/access_tokens, read from @octokit/openapi's
 * description of GitHub's API (apps/create-installation-access-token): its fields, and for
 * `permissions` every permission name and the levels each may take (app-permissions).
 */
const AccessTokenRequest = (() => {
  type Schema = {
    properties: Record<string, { type?: string; items?: { type: string }; $ref?: string; enum?: string[] }>;
  };
  const spec = createRequire(import.meta.url)('@octokit/openapi/generated/api.github.com.json') as {
    paths: Record<string, { post: { requestBody: { content: Record<string, { schema: Schema }> } } }>;
    components: { schemas: Record<string, Schema> };
  };
  const body =
    spec.paths['/app/installations/{installation_id}/access_tokens']!.post.requestBody.content['application/json']!
      .schema;
  const permissions = spec.components.schemas['app-permissions']!.properties;
  const shape: Record<string, z.ZodType> = {};
  for (const [name, field] of Object.entries(body.properties)) {
    if (field.$ref?.endsWith('/app-permissions')) {
      shape[name] = z
        .strictObject(
          Object.fromEntries(
            Object.entries(permissions).map(([p, v]) => [p, z.enum(v.enum as [string, ...string[]]).optional()]),
          ),
        )
        .optional();
    } else if (field.type === 'array')
      shape[name] = z.array(field.items!.type === 'integer' ? z.number().int() : z.string()).optional();
  }
  return z.strictObject(shape) as z.ZodType<{
    repositories?: string[];
    repository_ids?: number[];
    permissions?: Record<string, string>;
  }>;
})();

/** A token the fake issued, and what it may reach (null: the whole installation, every permission). */
export interface IssuedToken {
  token: string;
  installationId: number;
  repositories: string[] | null;
  permissions: Record<string, string> | null;
}

export interface FakePull {
  number: number;
  head: string;
  /** Where the head branch lives (`owner/repo`); unset: the repository itself. A fork's PR names another. */
  headRepo?: string;
  /** Who opened it; unset: the app's bot. */
  author?: string;
  base: string;
  title: string;
  body: string;
  draft: boolean;
  state: 'open' | 'closed';
  headSha?: string;
}

export interface FakeGithub {
  url: string;
  /** Every request, with its JSON body (what the app wrote) and the token it came with. */
  requests: Array<{ method: string; path: string; body: Record<string, unknown>; token: string | null }>;
  /** Every installation token minted, with the repositories and permissions it was asked for. */
  tokens: IssuedToken[];
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
  /** Issues as `GET /repos/{owner}/{repo}/issues/{n}` answers them (unset: a stock title and body, by `maintainer`). */
  issues: Map<number, { title: string; body: string; author: string }>;
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
  /**
   * A token of its own for each mint, honoured like GitHub does: a request for a repository the
   * token was not minted for is answered 404, a write it has no permission for 403. Unset: every
   * mint answers `token` (one token the git server also knows).
   */
  scopedTokens?: boolean;
}

/** The permission a write needs, by route (what GitHub's docs list for installation tokens). */
function permissionFor(method: string, path: string): [string, 'read' | 'write'] | null {
  if (/\/check-runs$/.test(path) && method === 'POST') return ['checks', 'write'];
  if (/\/pulls(\/\d+)?$/.test(path) && method !== 'GET') return ['pull_requests', 'write'];
  if (/\/pulls\/\d+\/(comments\/\d+\/replies|requested_reviewers)$/.test(path)) return ['pull_requests', 'write'];
  if (
    /\/issues\/(\d+\/)?(comments|labels|reactions)(\/\d+)?$|\/issues\/comments\/\d+(\/reactions)?$/.test(path) &&
    method !== 'GET'
  )
    return ['issues', 'write'];
  if (/\/contents\//.test(path)) return ['contents', 'read'];
  return null;
}

/**
 * A local stand-in for the parts of GitHub's REST API the app uses, with state (comments, pull
 * requests), at near-zero latency. Tests that need strict call checking use nock instead.
 */
export async function startGithubFake(opts: FakeOptions | string = {}): Promise<FakeGithub> {
  const o: FakeOptions = typeof opts === 'string' ? { permission: opts } : opts;
  o.files ??= {};
  const requests: FakeGithub['requests'] = [];
  const tokens: IssuedToken[] = [];
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
  const issues: FakeGithub['issues'] = new Map();
  let nextId = 1000;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = url.pathname.replace(/^\/api\/v3/, '');
      const method = req.method ?? 'GET';
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>) : {};
      const presented = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? null;
      requests.push({ method, path, body, token: presented });
      const fault = faults.find((f) => f.times > 0 && (!f.method || f.method === method) && f.path.test(path));
      if (fault) {
        fault.times--;
        const send = () => {
          const text =
            typeof fault.body === 'string'
              ? fault.body
              : JSON.stringify(fault.body ?? { message: `fault ${fault.status}` });
          const type = typeof fault.body === 'string' ? 'text/html' : 'application/json; charset=utf-8';
          return origWriteHead.call(res, fault.status, { 'content-type': type, ...fault.headers }).end(text);
        };
        const origWriteHead = res.writeHead;
        if (!fault.effect) return void send();
        // Let the handler below do the work, then swap its answer for the fault.
        res.writeHead = (() => ({ end: () => send() })) as unknown as typeof res.writeHead;
      }
      const json = (status: number, data: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(data));
      let m: RegExpExecArray | null;
      if (method === 'POST' && (m = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path))) {
        const installationId = Number(m[1]);
        const asked = AccessTokenRequest.safeParse(body);
        if (!asked.success)
          return json(422, { message: 'Invalid request.', errors: asked.error.issues.map((i) => i.message) });
        const mine = [...knownRepositories.values()].filter((r) => r.installationId === installationId);
        const wanted = [
          ...(asked.data.repositories ?? []).map((n) => mine.find((r) => r.name.toLowerCase() === n.toLowerCase())),
          ...(asked.data.repository_ids ?? []).map((id) => mine.find((r) => r.id === id)),
        ];
        if (wanted.some((r) => r === undefined))
          return json(422, {
            message:
              'There is at least one repository that does not exist or is not accessible to the parent installation.',
          });
        const scoped = asked.data.repositories !== undefined || asked.data.repository_ids !== undefined;
        const token = o.scopedTokens ? `${o.token ?? 'ghs_fake'}_${tokens.length + 1}` : (o.token ?? 'ghs_fake');
        tokens.push({
          token,
          installationId,
          repositories: scoped ? wanted.map((r) => r!.name.toLowerCase()) : null,
          permissions: asked.data.permissions ?? null,
        });
        return json(201, {
          token,
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
          permissions: asked.data.permissions ?? {
            contents: 'write',
            issues: 'write',
            pull_requests: 'write',
            checks: 'write',
            metadata: 'read',
          },
          repository_selection: scoped ? 'selected' : 'all',
          ...(scoped
            ? { repositories: wanted.map((r) => ({ id: r!.id, name: r!.name, full_name: `${r!.owner}/${r!.name}` })) }
            : {}),
        });
      }
      const issued = o.scopedTokens && presented ? tokens.find((t) => t.token === presented) : undefined;
      const repoOfPath = /^\/repos\/([^/]+)\/([^/]+)/.exec(path);
      if (
        issued &&
        repoOfPath &&
        issued.repositories &&
        !issued.repositories.includes(decodeURIComponent(repoOfPath[2]!).toLowerCase())
      )
        return json(404, { message: 'Not Found' });
      const needs = permissionFor(method, path);
      if (
        issued?.permissions &&
        needs &&
        !(
          issued.permissions[needs[0]] === 'write' ||
          issued.permissions[needs[0]] === 'admin' ||
          (needs[1] === 'read' && issued.permissions[needs[0]] === 'read')
        )
      ) {
        return json(403, { message: 'Resource not accessible by integration' });
      }
      if (method === 'GET' && (m = /^\/repos\/([^/]+)\/([^/]+)$/.exec(path))) {
        const r = knownRepositories.get(`${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`.toLowerCase());
        if (!r) return json(404, { message: 'Not Found' });
        return json(200, {
          id: r.id,
          name: r.name,
          full_name: `${r.owner}/${r.name}`,
          owner: { login: r.owner },
          clone_url: r.cloneUrl,
          default_branch: r.defaultBranch,
          private: true,
        });
      }
      if ((m = /^\/repos\/[^/]+\/[^/]+\/contents\/(.+)$/.exec(path))) {
        const file = o.files?.[decodeURIComponent(m[1]!)];
        return file === undefined
          ? json(404, { message: 'Not Found' })
          : res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(file);
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
            return void res
              .writeHead(502, { 'content-type': 'text/html' })
              .end('<html><body>502 Bad Gateway</body></html>');
          }
          json(201, { id });
        };
        const wait = (o.commentDelayMs ?? 0) + (o.random ?? Math.random)() * (o.commentJitterMs ?? 0);
        if (wait) return void setTimeout(answer, wait);
        return answer();
      }
      if (method === 'GET' && (m = /\/issues\/(\d+)\/comments$/.exec(path))) {
        const issue = Number(m[1]);
        return json(
          200,
          [...comments.entries()]
            .filter(([, c]) => c.issue === issue)
            .map(([id, c]) => ({ id, body: c.body, user: { login: 'patchwright-test[bot]', type: 'Bot' } })),
        );
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
      if ((m = /^\/users\/(.+)$/.exec(path)))
        return json(200, { login: decodeURIComponent(m[1]!), id: 4000 + decodeURIComponent(m[1]!).length });
      if (/\/branches\//.test(path)) return json(404, { message: 'Branch not found' });
      if (method === 'GET' && /\/pulls$/.test(path)) {
        const head = url.searchParams.get('head')?.split(':')[1];
        const state = url.searchParams.get('state') ?? 'open';
        const others =
          head || state === 'open'
            ? []
            : (merged.get(path.split('/')[3]!) ?? []).map((p, i) => ({
                ...toApi({
                  number: 10 + i,
                  head: p.branch,
                  base: 'main',
                  title: p.title,
                  body: p.body,
                  draft: false,
                  state: 'closed',
                }),
                merged_at: '2026-11-01T00:00:00Z',
                user: { login: p.author, type: p.bot ? 'Bot' : 'User' },
              }));
        return json(200, [
          ...pulls
            .filter((p) => (!head || (p.head === head && !p.headRepo)) && (state === 'all' || p.state === state))
            .map((p) => toApi(p, repoPath(path))),
          ...others,
        ]);
      }
      if (
        method === 'POST' &&
        /\/pulls$/.test(path) &&
        pulls.some((p) => p.head === String(body.head) && p.state === 'open')
      ) {
        return json(422, {
          message: 'Validation Failed',
          errors: [
            {
              resource: 'PullRequest',
              code: 'custom',
              message: `A pull request already exists for octo:${String(body.head)}.`,
            },
          ],
        });
      }
      if (method === 'POST' && /\/pulls$/.test(path)) {
        const pr: FakePull = {
          number: 100 + pulls.length,
          head: String(body.head),
          base: String(body.base),
          title: String(body.title),
          body: String(body.body),
          draft: body.draft === true,
          state: 'open',
        };
        pulls.push(pr);
        return json(201, toApi(pr, repoPath(path)));
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
      if (method === 'GET' && /\/pulls\/\d+\/comments$/.test(path))
        return json(200, [...reviewComments.values()].flat());
      if (method === 'GET' && (m = /\/issues\/(\d+)$/.exec(path))) {
        const known = issues.get(Number(m[1]));
        return json(200, {
          number: Number(m[1]),
          title: known?.title ?? `Issue ${m[1]}`,
          body: known?.body ?? `The original report for #${m[1]}.`,
          user: { login: known?.author ?? 'maintainer', type: 'User' },
        });
      }
      if ((m = /\/check-suites\/(\d+)\/check-runs$/.exec(path)))
        return json(200, { total_count: 1, check_runs: suiteRuns.get(Number(m[1])) ?? [] });
      if (/\/check-runs\/\d+\/annotations$/.test(path))
        return json(200, [{ path: 'math.js', start_line: 1, message: 'Missing semicolon style rule' }]);
      if (/\/actions\/jobs\/\d+\/logs$/.test(path))
        return res.writeHead(200, { 'content-type': 'text/plain' }).end('##[error] lint: 1 problem in math.js\n');
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
      if ((m = /^\/repos\/([^/]+\/[^/]+)\/pulls\/(\d+)$/.exec(path))) {
        const pr = pulls.find((p) => p.number === Number(m![2]));
        if (!pr) return json(404, { message: 'Not Found' });
        if (method === 'PATCH')
          Object.assign(pr, {
            ...(body.title ? { title: String(body.title) } : {}),
            ...(body.body ? { body: String(body.body) } : {}),
          });
        return json(200, toApi(pr, m[1]));
      }
      return json(404, { message: `fake has no ${method} ${path}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    tokens,
    comments,
    pulls,
    merged,
    permissions,
    issues,
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

function repoPath(path: string): string {
  return /^\/repos\/([^/]+\/[^/]+)/.exec(path)?.[1] ?? 'octo-org/widgets';
}

function toApi(p: FakePull, fullName = 'octo-org/widgets') {
  const author = p.author ?? 'patchwright-test[bot]';
  return {
    number: p.number,
    node_id: `PR_${p.number}`,
    html_url: `https://github.test/pull/${p.number}`,
    title: p.title,
    body: p.body,
    draft: p.draft,
    state: p.state,
    merged_at: null,
    user: { login: author, type: author.endsWith('[bot]') ? 'Bot' : 'User' },
    head: { ref: p.head, sha: p.headSha ?? '', repo: { full_name: p.headRepo ?? decodeURIComponent(fullName) } },
    base: { ref: p.base, repo: { full_name: decodeURIComponent(fullName) } },
  };
}
