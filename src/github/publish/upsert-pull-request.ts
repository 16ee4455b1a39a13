import type { Octokit } from '@octokit/rest';

type RequestOctokit = Pick<Octokit, 'request'>;

export interface PullRequestSpec {
  owner: string;
  repo: string;
  head: string;
  base: string;
  title: string;
  body: string;
  draft: boolean;
}

/**
 * One PR per branch: an open PR for the head branch is updated in place (body rewritten, never
 * appended), otherwise a new one is opened.
 */
export async function upsertPullRequest(octokit: RequestOctokit, spec: PullRequestSpec): Promise<{ number: number; url: string; created: boolean }> {
  const { data: open } = await octokit.request('GET /repos/{owner}/{repo}/pulls', {
    owner: spec.owner,
    repo: spec.repo,
    head: `${spec.owner}:${spec.head}`,
    state: 'open',
  });
  const existing = open[0];
  if (existing) {
    await octokit.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', {
      owner: spec.owner,
      repo: spec.repo,
      pull_number: existing.number,
      title: spec.title,
      body: spec.body,
    });
    return { number: existing.number, url: existing.html_url, created: false };
  }
  const { data } = await octokit.request('POST /repos/{owner}/{repo}/pulls', {
    owner: spec.owner,
    repo: spec.repo,
    head: spec.head,
    base: spec.base,
    title: spec.title,
    body: spec.body,
    draft: spec.draft,
  });
  return { number: data.number, url: data.html_url, created: true };
}
