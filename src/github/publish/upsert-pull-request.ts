import type { Octokit } from '@octokit/rest';

import type { Posted } from './posted.ts';

type RequestOctokit = Pick<Octokit, 'request'>;

export interface PullRequestSpec {
  owner: string;
  repo: string;
  head: string;
  base: string;
  /** The title a new PR gets. */
  title: Posted;
  /** An existing PR keeps its title (a follow-up does not retitle what a human may have edited). */
  keepTitle: boolean;
  body: Posted;
  draft: boolean;
  /** A PR closed without merging gets a successor only on an explicit retry. */
  allowAfterClosed: boolean;
  labels: string[];
  reviewer: string | null;
}

export class ClosedPullRequestError extends Error {
  readonly code = 'pr_closed';
  readonly number: number;
  constructor(number: number) {
    super(`#${number} for this branch was closed without merging; comment \`/agent retry\` on it to open a new one.`);
    this.number = number;
  }
}

/**
 * One PR per branch: an open PR for the head branch is updated in place (body rewritten, never
 * appended), otherwise a new one is opened.
 */
export async function upsertPullRequest(
  octokit: RequestOctokit,
  spec: PullRequestSpec,
  again = false,
): Promise<{ number: number; url: string; created: boolean }> {
  const { data: all } = await octokit.request('GET /repos/{owner}/{repo}/pulls', {
    owner: spec.owner,
    repo: spec.repo,
    head: `${spec.owner}:${spec.head}`,
    state: 'all',
  });
  const existing = all.find((p) => p.state === 'open');
  const closed = all.find((p) => p.state === 'closed' && !p.merged_at);
  if (!existing && closed && !spec.allowAfterClosed) {
    throw new ClosedPullRequestError(closed.number);
  }
  if (existing) {
    await octokit.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', {
      owner: spec.owner,
      repo: spec.repo,
      pull_number: existing.number,
      ...(spec.keepTitle ? {} : { title: spec.title as unknown as string }),
      body: spec.body as unknown as string,
    });
    if (existing.draft && !spec.draft) {
      // REST cannot do this; GitHub's GraphQL API can.
      await octokit.request('POST /graphql', {
        query:
          'mutation($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { isDraft } } }',
        variables: { id: existing.node_id },
      });
    }
    await requestReview(octokit, spec, existing.number);
    return { number: existing.number, url: existing.html_url, created: false };
  }
  const created = await octokit
    .request('POST /repos/{owner}/{repo}/pulls', {
      owner: spec.owner,
      repo: spec.repo,
      head: spec.head,
      base: spec.base,
      title: spec.title as unknown as string,
      body: spec.body as unknown as string,
      draft: spec.draft,
    })
    .catch((error: { status?: number; message?: string }) => {
      // The create went through although its answer was lost (5xx, timeout) and the retry was refused: use that PR.
      if (error.status === 422 && /already exists/i.test(error.message ?? '') && !again) return null;
      throw error;
    });
  if (!created) return upsertPullRequest(octokit, { ...spec, allowAfterClosed: false }, true);
  const { data } = created;
  if (spec.labels.length) {
    await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', {
      owner: spec.owner,
      repo: spec.repo,
      issue_number: data.number,
      labels: spec.labels,
    });
  }
  await requestReview(octokit, spec, data.number);
  return { number: data.number, url: data.html_url, created: true };
}

async function requestReview(octokit: RequestOctokit, spec: PullRequestSpec, number: number): Promise<void> {
  if (!spec.reviewer) return;
  await octokit
    .request('POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', {
      owner: spec.owner,
      repo: spec.repo,
      pull_number: number,
      reviewers: [spec.reviewer],
    })
    .catch(() => {}); // GitHub refuses the PR's author or a non-collaborator: not worth failing the run
}
