import type { Probot, ProbotOctokit } from 'probot';

/** What a job may do with one repository, in GitHub's permission names (`POST /app/installations/{id}/access_tokens`). */
export type Permissions = Partial<
  Record<'contents' | 'issues' | 'pull_requests' | 'checks' | 'actions' | 'metadata', 'read' | 'write'>
>;

/** A run: push the branch (git), open the PR, comment, report the check run, read CI logs (API). */
export const RUN_PERMISSIONS = {
  api: {
    contents: 'read',
    issues: 'write',
    pull_requests: 'write',
    checks: 'write',
    actions: 'read',
    metadata: 'read',
  },
  git: { contents: 'write', metadata: 'read' },
} as const satisfies Record<string, Permissions>;

/** `/agent doctor`: read the code, say what it found. */
export const DOCTOR_PERMISSIONS = {
  api: { contents: 'read', issues: 'write', pull_requests: 'write', metadata: 'read' },
  git: { contents: 'read', metadata: 'read' },
} as const satisfies Record<string, Permissions>;

/** Reading `.github/agent.yml` follows the org's `.github` repository and `_extends`: every repository, read only. */
export const CONFIG_PERMISSIONS: Permissions = { contents: 'read', metadata: 'read' };

type AppAuth = (options: Record<string, unknown>) => Promise<unknown>;

/** A token is minted again when it has less than this left (GitHub's last an hour). */
const REFRESH_MS = 5 * 60_000;

/**
 * A client whose every request carries an installation token minted for `repositories` only
 * (null: every repository of the installation) with `permissions` only, asked of GitHub by the
 * app itself (`POST /app/installations/{id}/access_tokens`, signed with its key) and minted
 * again before it runs out, so a job that runs for an hour keeps working. GitHub refuses the
 * mint (422) when the installation does not own a repository asked for: nothing else is tried.
 */
export async function scopedClient(
  probot: Probot,
  installationId: number,
  repositories: string[] | null,
  permissions: Permissions,
): Promise<{ octokit: ProbotOctokit; token: () => Promise<string> }> {
  const app = (await probot.auth()) as unknown as { auth: AppAuth; request: ProbotOctokit['request'] };
  let current: Promise<{ token: string; expiresAt: number }> | undefined;
  const mint = async () => {
    const { data } = await app.request('POST /app/installations/{installation_id}/access_tokens', {
      installation_id: installationId,
      ...(repositories ? { repositories } : {}),
      permissions,
    });
    return { token: data.token, expiresAt: Date.parse(data.expires_at) };
  };
  const token = async () => {
    const held = current ? await current.catch(() => undefined) : undefined;
    if (!held || held.expiresAt - Date.now() < REFRESH_MS) {
      current = mint();
      return (await current).token;
    }
    return held.token;
  };
  await token();
  const octokit = (await app.auth({
    type: 'installation',
    installationId,
    factory: ({
      octokit,
      octokitOptions,
    }: {
      octokit: { constructor: new (o: object) => ProbotOctokit };
      octokitOptions: Record<string, unknown>;
    }) =>
      new octokit.constructor({
        ...octokitOptions,
        log: probot.log.child({ name: 'github' }),
        throttle: (octokitOptions.throttle as { enabled?: boolean } | undefined)?.enabled
          ? { ...(octokitOptions.throttle as object), id: String(installationId) }
          : { enabled: false },
        authStrategy: tokenStrategy,
        auth: { token },
      }),
  })) as ProbotOctokit;
  return { octokit, token };
}

type Request = ((options: object) => Promise<unknown>) & {
  endpoint: { merge: (route: unknown, parameters?: unknown) => { headers: Record<string, string> } };
};

/** An Octokit auth strategy that asks `token()` for the token of each request. */
function tokenStrategy(options: { token: () => Promise<string> }) {
  const auth = async () => ({ type: 'token', tokenType: 'installation', token: await options.token() });
  return Object.assign(auth, {
    hook: async (request: Request, route: unknown, parameters?: unknown) => {
      const endpoint = request.endpoint.merge(route, parameters);
      endpoint.headers.authorization = `token ${await options.token()}`;
      return request(endpoint);
    },
  });
}
