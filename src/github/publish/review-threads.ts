import type { Octokit } from '@octokit/rest';
import { fence } from '../../core/prompt/sanitize.ts';
import type { Posted } from './posted.ts';

type RequestOctokit = Pick<Octokit, 'request'>;

export interface ReviewComment {
  id: number;
  /** Earlier comments of the same thread, oldest first (`author: body`). */
  history?: string[];
  path: string;
  line: number | null;
  startLine: number | null;
  diffHunk: string;
  body: string;
}

/** The inline comments of one review: what the follow-up run must address. */
export async function reviewComments(
  octokit: RequestOctokit,
  owner: string,
  repo: string,
  pr: number,
  reviewId: number,
): Promise<ReviewComment[]> {
  const { data } = await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/comments', {
    owner,
    repo,
    pull_number: pr,
    review_id: reviewId,
    per_page: 100,
  });
  return data.map((c) => ({
    id: Number(c.id),
    path: c.path,
    line: c.line ?? c.original_line ?? null,
    startLine: c.start_line ?? null,
    diffHunk: c.diff_hunk,
    body: c.body,
  }));
}

/**
 * Adds each comment's earlier thread messages (it may answer a discussion, not start one). Only
 * messages by people `trusted` accepts (write access, or the app itself) reach the model; the
 * others are left out and counted, never shown.
 */
export async function withThreadHistory(
  octokit: RequestOctokit,
  owner: string,
  repo: string,
  pr: number,
  comments: ReviewComment[],
  trusted: (login: string) => Promise<boolean>,
): Promise<ReviewComment[]> {
  if (!comments.length) return comments;
  const { data: all } = await octokit
    .request('GET /repos/{owner}/{repo}/pulls/{pull_number}/comments', { owner, repo, pull_number: pr, per_page: 100 })
    .catch(() => ({
      data: [] as Array<{
        id: number | bigint;
        in_reply_to_id?: number | bigint;
        user?: { login: string } | null;
        body: string;
      }>,
    }));
  const byId = new Map(all.map((c) => [Number(c.id), c]));
  const verdicts = new Map<string, Promise<boolean>>();
  const ok = (login: string | undefined) => {
    if (!login) return Promise.resolve(false);
    if (!verdicts.has(login))
      verdicts.set(
        login,
        trusted(login).catch(() => false),
      );
    return verdicts.get(login)!;
  };
  return Promise.all(
    comments.map(async (c) => {
      const parent = byId.get(c.id)?.in_reply_to_id;
      if (parent === undefined) return c;
      const root = Number(parent);
      const thread = all.filter(
        (x) =>
          (Number(x.id) === root || Number(x.in_reply_to_id) === root) && Number(x.id) !== c.id && Number(x.id) < c.id,
      );
      const kept = await Promise.all(
        thread.map(async (x) => ((await ok(x.user?.login)) ? `${x.user!.login}: ${x.body}` : null)),
      );
      const shown = kept.filter((x): x is string => x !== null);
      const hidden = kept.length - shown.length;
      return {
        ...c,
        history: hidden ? [...shown, `(${hidden} message(s) by people without write access left out)`] : shown,
      };
    }),
  );
}

/** The review as the follow-up's instructions, each comment fenced as data with its place in the code. */
export function reviewInstructions(body: string, comments: ReviewComment[]): string {
  const parts = ['Address this code review on your pull request, on the same branch.'];
  if (body.trim()) parts.push(fence('Review summary', body));
  comments.forEach((c, i) => {
    const where =
      c.startLine && c.line && c.startLine !== c.line ? `lines ${c.startLine}-${c.line}` : `line ${c.line ?? '?'}`;
    const history = c.history?.length ? `\n${fence('Earlier in this thread', c.history.join('\n\n'), 8000)}` : '';
    parts.push(
      `Comment ${i + 1} on ${c.path} ${where}:\n${fence('Diff hunk', c.diffHunk, 4000)}${history}\n${fence('Comment', c.body, 8000)}`,
    );
  });
  return parts.join('\n\n');
}

/** A reply in every review thread: what changed (with the commit), or why nothing did. */
export async function replyToThreads(
  octokit: RequestOctokit,
  owner: string,
  repo: string,
  pr: number,
  comments: ReviewComment[],
  text: Posted,
): Promise<void> {
  for (const c of comments) {
    await octokit.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies', {
      owner,
      repo,
      pull_number: pr,
      comment_id: c.id,
      body: text as unknown as string,
    });
  }
}
