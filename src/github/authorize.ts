import type { Octokit } from '@octokit/rest';

const RANK: Record<string, number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

export const PERMISSIONS = ['none', 'read', 'triage', 'write', 'maintain', 'admin'] as const;
export type Permission = (typeof PERMISSIONS)[number];

type PermissionOctokit = Pick<Octokit, 'request'>;

/**
 * Asks GitHub for the sender's permission on the repo (never trusts `author_association`).
 * `role_name` distinguishes maintain and triage, which `permission` folds into write and read.
 */
export async function lookupPermission(
  octokit: PermissionOctokit,
  owner: string,
  repo: string,
  username: string,
): Promise<Permission> {
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/collaborators/{username}/permission', {
      owner,
      repo,
      username,
    });
    return strongest(data.role_name, data.permission);
  } catch (error) {
    if ((error as { status?: number }).status === 404) return 'none';
    throw error;
  }
}

export function meetsMinimum(permission: Permission, minimum: Permission): boolean {
  return (RANK[permission] ?? 0) >= (RANK[minimum] ?? RANK.write!);
}

function strongest(...names: Array<string | undefined>): Permission {
  let best: Permission = 'none';
  for (const name of names) {
    if (name && (RANK[name] ?? -1) > RANK[best]!) best = name as Permission;
  }
  return best;
}
