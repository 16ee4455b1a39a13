import type { Octokit } from '@octokit/rest';
import type { Job } from '../../adapters/store/job-store.ts';
import type { ThreadsPort } from '../../adapters/store/ports.ts';
import { expandBranch, slugify } from '../../repo/conventions/branch-name.ts';
import type { PrHabits } from '../../repo/conventions/pr-habits.ts';
import type { ChangeKind } from '../../repo/conventions/title-style.ts';

type Octo = Pick<Octokit, 'request'>;

/**
 * The branch: a PR's own head; else the one this issue already has (kept from its first push, so
 * an edited title or a newly learned pattern never starts a second PR); else a new name.
 */
export async function branchFor(octokit: Octo, job: Job, threads: ThreadsPort, pattern: string, kinds: PrHabits['branchKinds'], kind: ChangeKind): Promise<{ branch: string; base: string; existing: boolean }> {
  const { task } = job;
  if (task.isPullRequest) {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { owner: task.repo.owner, repo: task.repo.name, pull_number: task.number });
    return { branch: data.head.ref, base: data.base.ref, existing: true };
  }
  const branch = (await threads.branch(`${task.repo.owner}/${task.repo.name}`, task.number)) ?? expandBranch(pattern, { issue: task.number, slug: slugify(task.title), kind, kinds });
  const exists = await octokit
    .request('GET /repos/{owner}/{repo}/branches/{branch}', { owner: task.repo.owner, repo: task.repo.name, branch })
    .then(() => true, () => false);
  return { branch, base: task.repo.defaultBranch, existing: exists };
}
