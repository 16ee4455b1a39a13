import type { Octokit } from '@octokit/rest';
import type { Task } from '../../protocol/task.ts';
import type { RepoConfig } from '../../protocol/repo-config.ts';
import { lookupPermission, meetsMinimum } from '../authorize.ts';

type Octo = Pick<Octokit, 'request'>;

/** What the model is told in place of text it may not see. */
export const WITHHELD =
  "(Not shown to you: its author does not have the permission this repository requires (`issueAuthors: permitted`). Work from the requester's instructions.)";

/**
 * Whether the text of issue or PR `number` may reach the model. With `issueAuthors: any` (the
 * default) it may: someone with `minPermission` labelled it or asked for it. With `permitted`,
 * only when its author has `minPermission` themselves (or is the app). Returns the author too.
 */
export async function issueTextAllowed(
  octokit: Octo,
  task: Task,
  number: number,
  config: RepoConfig,
  appLogin: string,
): Promise<{ allowed: boolean; author: string | null }> {
  if (config.issueAuthors === 'any') return { allowed: true, author: null };
  const { owner, name: repo } = task.repo;
  const issue = await octokit
    .request('GET /repos/{owner}/{repo}/issues/{issue_number}', { owner, repo, issue_number: number })
    .then(
      (r) => r.data,
      () => null,
    );
  const author = issue?.user?.login ?? null;
  if (!author) return { allowed: false, author: null };
  if (author === appLogin) return { allowed: true, author };
  const permission = await lookupPermission(octokit, owner, repo, author).catch(() => 'none' as const);
  return { allowed: meetsMinimum(permission, config.minPermission), author };
}
