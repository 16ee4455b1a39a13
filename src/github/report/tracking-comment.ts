import type { Octokit } from '@octokit/rest';
import type { ThreadStore } from '../../adapters/store/thread-store.ts';

export const TRACKING_MARKER = '<!-- patchwright:tracking -->';

type RequestOctokit = Pick<Octokit, 'request'>;

export interface Thread {
  owner: string;
  repo: string;
  number: number;
}

/**
 * Creates the one tracking comment for an issue or PR, or edits it in place. If someone deleted
 * it, a new one takes its place.
 */
export async function upsertTrackingComment(
  octokit: RequestOctokit,
  threads: ThreadStore,
  thread: Thread,
  text: string,
): Promise<number> {
  const key = `${thread.owner}/${thread.repo}`;
  const body = `${TRACKING_MARKER}\n${text}`;
  const existing = threads.trackingComment(key, thread.number);
  if (existing !== undefined) {
    try {
      await octokit.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
        owner: thread.owner,
        repo: thread.repo,
        comment_id: existing,
        body,
      });
      return existing;
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
    }
  }
  const { data } = await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    owner: thread.owner,
    repo: thread.repo,
    issue_number: thread.number,
    body,
  });
  const id = Number(data.id);
  threads.setTrackingComment(key, thread.number, id);
  return id;
}
