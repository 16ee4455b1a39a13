import type { Octokit } from '@octokit/rest';
import type { AppPullRequest, ThreadsPort } from '../../adapters/store/ports.ts';
import type { Task } from '../../protocol/task.ts';
import type { RepoConfig } from '../../protocol/repo-config.ts';
import { md, name, type Posted } from '../publish/posted.ts';
import { statusText } from '../report/status-text.ts';

type Octo = Pick<Octokit, 'request'>;

/**
 * What a job works on, from state the app set itself:
 * - `issue`: an issue; its PR will close it.
 * - `own`: a PR the app opened; its branch and the issue it closes are the thread store's.
 * - `human`: someone's PR in this repository (`followUp.humanPullRequests`): the work goes on a
 *   branch of the app's own, proposed as a PR into theirs; their branch is never pushed to.
 * - `refused`: a fork's PR, or a PR the app has no record of making, with the answer to post.
 */
export type PullState =
  | { kind: 'issue'; closes: number }
  | ({ kind: 'own'; base: string } & AppPullRequest)
  | { kind: 'human'; base: string; forPull: number }
  | { kind: 'refused'; text: Posted; reason: string };

export async function pullState(
  octokit: Octo,
  task: Task,
  threads: ThreadsPort,
  config: RepoConfig,
  botLogin: string,
): Promise<PullState> {
  if (!task.isPullRequest) return { kind: 'issue', closes: task.number };
  const key = `${task.repo.owner}/${task.repo.name}`;
  const { data: pr } = await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
    owner: task.repo.owner,
    repo: task.repo.name,
    pull_number: task.number,
  });
  const headRepo = pr.head.repo?.full_name ?? null;
  const sameRepo = headRepo !== null && headRepo.toLowerCase() === key.toLowerCase();
  const record =
    (await threads.pullRequest(key, task.number)) ??
    (sameRepo && pr.user?.login === botLogin
      ? await adoptEarlier(threads, key, task.number, pr.head.ref, pr.body ?? '')
      : undefined);
  if (record) {
    if (!sameRepo || pr.head.ref !== record.branch) {
      return {
        kind: 'refused',
        reason: 'the PR head is not the branch the app made',
        text: md`**Patchwright** · ⚠️ this pull request's head (${name(`${headRepo ?? '(deleted)'}:${pr.head.ref}`)}) is not the branch Patchwright made for it (${name(record.branch)}), so nothing was pushed. Comment \`/${config.command} retry\` on the issue's own pull request, or label the issue again.`,
      };
    }
    return { kind: 'own', base: pr.base.ref, ...record };
  }
  if (!sameRepo)
    return {
      kind: 'refused',
      reason: 'pull request comes from a fork',
      text: statusText.fork(config.command, headRepo),
    };
  if (!config.followUp.humanPullRequests) {
    return {
      kind: 'refused',
      reason: 'pull request was not opened by Patchwright',
      text: md`**Patchwright** · ⚠️ Patchwright did not open this pull request and has no branch of its own for it, so nothing was done. Set \`followUp.humanPullRequests: true\` in \`.github/agent.yml\` to have \`/${config.command}\` work on pull requests people opened (on a branch of its own, proposed into theirs).`,
    };
  }
  return { kind: 'human', base: pr.head.ref, forPull: task.number };
}

/**
 * A PR the app opened before it kept a record of its PRs: it is the app's when its head is the
 * branch the app recorded for one of the issues its body names, and then that issue is the
 * one it closes. Recorded, so this is asked once; the body is never read again.
 */
async function adoptEarlier(
  threads: ThreadsPort,
  key: string,
  number: number,
  head: string,
  body: string,
): Promise<AppPullRequest | undefined> {
  const named = [...body.matchAll(/\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+#(\d+)\b/gi)].map((m) =>
    Number(m[1]),
  );
  for (const issue of new Set(named)) {
    if ((await threads.branch(key, issue)) !== head) continue;
    const record = { branch: head, closes: issue, forPull: null };
    await threads.setPullRequest(key, number, record);
    return record;
  }
  return undefined;
}
