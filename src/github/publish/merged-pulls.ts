import type { Octokit } from '@octokit/rest';
import type { Subject } from '../../repo/conventions/commit-style.ts';

/** Titles of recently merged pull requests by humans: what the team's PR titles look like. */
export async function mergedPullTitles(octokit: Pick<Octokit, 'request'>, owner: string, repo: string): Promise<Subject[]> {
  const { data } = await octokit
    .request('GET /repos/{owner}/{repo}/pulls', { owner, repo, state: 'closed', sort: 'updated', direction: 'desc', per_page: 60 })
    .catch(() => ({ data: [] as Array<{ merged_at: string | null; title: string; user: { type?: string; login: string } | null }> }));
  return data
    .filter((p) => p.merged_at)
    .map((p) => ({ subject: p.title, bot: p.user?.type === 'Bot' || /\[bot\]$/.test(p.user?.login ?? '') }));
}
