import type { Octokit } from '@octokit/rest';
import type { Job } from '../../adapters/store/job-store.ts';
import type { RepoConfig } from '../../protocol/repo-config.ts';
import type { Subject } from '../../repo/conventions/commit-style.ts';
import { detectConventions } from '../../repo/conventions/detect-conventions.ts';
import type { MergedPull } from '../../repo/conventions/pr-habits.ts';
import { titleBrief } from '../../repo/conventions/title-brief.ts';
import type { ChangeKind } from '../../repo/conventions/title-style.ts';
import { habitTemplate, type PublishInput } from '../publish/publish-run.ts';

/** How this team writes: conventions from the checkout, its history and merged PRs, and the title brief. */
export function teamVoice(
  dir: string,
  history: Subject[],
  pulls: MergedPull[],
  config: RepoConfig,
  task: Job['task'],
  kind: ChangeKind,
  issueNumber: number | null,
): PublishInput['voice'] {
  const { template, ...conv } = detectConventions(dir, history, pulls, config.branch, kind, config.conventions);
  const followUp = task.isPullRequest && task.action !== 'retry';
  const prTitles = pulls.filter((p) => !p.bot).map((p) => ({ subject: p.title, bot: false }));
  const brief = titleBrief({
    style: followUp ? conv.commitStyle : conv.prTitleStyle,
    recent: followUp || prTitles.length < 5 ? history : prTitles,
    issueTitle: task.title,
    kind,
    what: followUp ? 'commit subject' : 'pull request title',
    issueBody: task.body,
    issueNumber,
  });
  return { conv, template: template ?? habitTemplate(conv), brief, kind, followUp };
}

/** A login's GitHub noreply address, so commits are linked to the account. */
export async function noreplyIdentity(
  octokit: Pick<Octokit, 'request'>,
  login: string,
): Promise<{ name: string; email: string }> {
  const id = await octokit.request('GET /users/{username}', { username: login }).then(
    (r) => r.data.id,
    () => null,
  );
  return { name: login, email: id ? `${id}+${login}@users.noreply.github.com` : `${login}@users.noreply.github.com` };
}
