import type { Octokit } from '@octokit/rest';
import type { MergedPull } from '../../repo/conventions/pr-habits.ts';

type PullRow = {
  merged_at: string | null;
  title: string;
  body: string | null;
  head: { ref: string };
  user: { type?: string; login: string } | null;
};

/** Recently merged pull requests, bots marked: how the team titles, describes and names its PRs. */
export async function mergedPulls(
  octokit: Pick<Octokit, 'request'>,
  owner: string,
  repo: string,
): Promise<MergedPull[]> {
  const { data } = await octokit
    .request('GET /repos/{owner}/{repo}/pulls', {
      owner,
      repo,
      state: 'closed',
      sort: 'updated',
      direction: 'desc',
      per_page: 60,
    })
    .catch(() => ({ data: [] as PullRow[] }));
  return (data as PullRow[])
    .filter((p) => p.merged_at)
    .map((p) => ({
      title: p.title,
      body: (p.body ?? '').slice(0, 20_000),
      branch: p.head.ref,
      author: p.user?.login ?? '',
      bot: p.user?.type === 'Bot' || /\[bot\]$/.test(p.user?.login ?? ''),
    }));
}
