import type { Octokit } from '@octokit/rest';

const RANK: Record<string, number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

export type Permission = 'none' | 'read' | 'triage' | 'write' | 'maintain' | 'admin';

export interface Authorization {
  allowed: boolean;
  permission: Permission;
}

type PermissionOctokit = Pick<Octokit, 'request'>;

/**
 * Asks GitHub for the sender's permission on the repo (never trusts `author_association`).
 * `role_name` distinguishes maintain and triage, which `permission` folds into write and read.
 */
export async function authorize(
  octokit: PermissionOctokit,
  owner: string,
  repo: string,
  username: string,
  minimum: Permission,
): Promise<Authorization> {
  let permission: Permission = 'none';
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/collaborators/{username}/permission', {
      owner,
      repo,
      username,
    });
    permission = strongest(data.role_name, data.permission);
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
  }
  return { allowed: (RANK[permission] ?? 0) >= (RANK[minimum] ?? 3), permission };
}

function strongest(...names: Array<string | undefined>): Permission {
  let best: Permission = 'none';
  for (const name of names) {
    if (name && (RANK[name] ?? -1) > RANK[best]!) best = name as Permission;
  }
  return best;
}
