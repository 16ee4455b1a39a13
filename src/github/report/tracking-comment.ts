import type { Octokit } from '@octokit/rest';
import type { ThreadsPort } from '../../adapters/store/ports.ts';
import { md, type Posted } from '../publish/posted.ts';

export const TRACKING_MARKER = '<!-- patchwright:tracking -->';

/** Stored while a create is on its way, so a lost answer is searched for before anyone creates again. */
const PENDING = 0;

type RequestOctokit = Pick<Octokit, 'request'>;

export interface Thread {
  owner: string;
  repo: string;
  number: number;
}

/**
 * Creates the one tracking comment for an issue or PR, or edits it in place; calls for the same
 * thread run one after another, so whoever comes second edits what the first created. Before
 * creating one (unless `fresh`: the first acknowledgement of a new thread), the thread is searched
 * for an earlier comment of ours, so a create whose answer was lost (a 5xx or a timeout after
 * GitHub made it) is found again instead of duplicated. If someone deleted it, a new one takes
 * its place.
 */
export function upsertTrackingComment(
  octokit: RequestOctokit,
  threads: ThreadsPort,
  thread: Thread,
  text: Posted,
  opts: { fresh?: boolean; skipIf?: () => Promise<boolean> } = {},
): Promise<number | undefined> {
  const key = `${thread.owner}/${thread.repo}`;
  return threads.serialize(key, thread.number, async () => {
    if (await opts.skipIf?.()) return undefined;
    const body = md`<!-- patchwright:tracking -->\n${text}`;
    let existing = await threads.trackingComment(key, thread.number);
    // 0: a create was sent and its answer never came (or said 5xx): GitHub may have made it anyway.
    const attempted = existing === PENDING;
    if (attempted) existing = undefined;
    if (existing === undefined && (!opts.fresh || attempted)) {
      existing = await findOurs(octokit, thread);
      if (existing !== undefined) await threads.setTrackingComment(key, thread.number, existing);
    }
    if (existing !== undefined) {
      try {
        await octokit.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
          owner: thread.owner,
          repo: thread.repo,
          comment_id: existing,
          body: body as unknown as string,
        });
        return existing;
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error;
      }
    }
    await threads.setTrackingComment(key, thread.number, PENDING);
    const { data } = await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: thread.owner,
      repo: thread.repo,
      issue_number: thread.number,
      body: body as unknown as string,
    });
    const id = Number(data.id);
    await threads.setTrackingComment(key, thread.number, id);
    return id;
  });
}

/** Our tracking comment on the thread, if one exists: a bot's comment that starts with the marker. */
async function findOurs(octokit: RequestOctokit, thread: Thread): Promise<number | undefined> {
  for (let page = 1; page <= 5; page++) {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: thread.owner,
      repo: thread.repo,
      issue_number: thread.number,
      per_page: 100,
      page,
    });
    const list = data as Array<{ id: number; body?: string; user?: { type?: string } | null }>;
    const ours = list.find((c) => c.user?.type === 'Bot' && (c.body ?? '').startsWith(TRACKING_MARKER));
    if (ours) return Number(ours.id);
    if (list.length < 100) return undefined;
  }
  return undefined;
}
