import crypto from 'node:crypto';
import nock from 'nock';
import { INSTALLATION_ID } from './payloads.ts';

export const API = 'https://api.github.com';

/** Installation token and the config file lookups every trigger makes. */
export function mockInstallation(scope = nock(API)): nock.Scope {
  return scope.post(`/app/installations/${INSTALLATION_ID}/access_tokens`).reply(201, {
    token: `ghs_${crypto.randomBytes(18).toString('hex')}`,
    expires_at: new Date(Date.now() + 3600_000).toISOString(),
    permissions: {},
  });
}

export function mockConfig(
  scope: nock.Scope,
  owner: string,
  repo: string,
  yaml: string | null,
  orgYaml: string | null = null,
): nock.Scope {
  const file = `/repos/${owner}/${repo}/contents/.github%2Fagent.yml`;
  if (yaml !== null) return scope.get(file).reply(200, yaml, { 'content-type': 'text/plain; charset=utf-8' });
  scope.get(file).reply(404, { message: 'Not Found' });
  const orgFile = `/repos/${owner}/.github/contents/.github%2Fagent.yml`;
  return orgYaml === null
    ? scope.get(orgFile).reply(404, { message: 'Not Found' })
    : scope.get(orgFile).reply(200, orgYaml, { 'content-type': 'text/plain; charset=utf-8' });
}

export function mockPermission(
  scope: nock.Scope,
  owner: string,
  repo: string,
  user: string,
  permission: string,
  role = permission,
): nock.Scope {
  return scope
    .get(`/repos/${owner}/${repo}/collaborators/${encodeURIComponent(user)}/permission`)
    .reply(200, { permission, role_name: role, user: { login: user } });
}
