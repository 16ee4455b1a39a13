import type { Task } from '../../protocol/task.ts';
import type { RepoConfig } from '../../protocol/repo-config.ts';
import { parseCommand } from './parse-command.ts';
import { IssueCommentCreated, IssuesLabeled, ReviewSubmitted, type RepositoryPayload } from './payload.ts';
import { statusText } from '../report/status-text.ts';
import type { Posted } from '../publish/posted.ts';

/** Where the 👀 goes: GitHub has no reactions on reviews, so a review is acknowledged on its PR. */
export type ReactionTarget = { type: 'issue'; number: number } | { type: 'comment'; id: number };

export type Classified =
  | { kind: 'ignore'; reason: string }
  /** Asked for, but refused with a plain answer once the sender is known to be allowed (a fork's PR). */
  | { kind: 'refuse'; reason: string; number: number; text: Posted }
  | { kind: 'trigger'; task: Task; sender: string; reactTo: ReactionTarget; isPatchwrightPr: boolean };

export interface ClassifyContext {
  config: RepoConfig;
  /** Our own login, `<slug>[bot]`: PRs it opened are the ones follow-ups act on. */
  botLogin: string;
}

/** Turns one webhook into a typed task, or says why it is ignored. Pure: no I/O. */
export function classifyEvent(name: string, payload: unknown, ctx: ClassifyContext): Classified {
  const sender = (payload as { sender?: { type?: string; login?: string } } | null)?.sender;
  if (sender?.type === 'Bot' || sender?.login === ctx.botLogin) return ignore('sender is a bot');
  if (name === 'issues') return fromLabel(payload, ctx);
  if (name === 'issue_comment') return fromComment(payload, ctx);
  if (name === 'pull_request_review') return fromReview(payload, ctx);
  return ignore(`event ${name} starts nothing`);
}

function fromLabel(payload: unknown, { config }: ClassifyContext): Classified {
  const p = IssuesLabeled.safeParse(payload);
  if (!p.success) return ignore('not an issue label event');
  const { issue, label, sender, repository, installation } = p.data;
  if (label.name.toLowerCase() !== config.label.toLowerCase())
    return ignore(`label ${label.name} is not ${config.label}`);
  const task = baseTask(repository, installation?.id, issue.number, false, issue.title, issue.body, sender.login);
  return {
    kind: 'trigger',
    task: { ...task, action: 'start', trigger: { kind: 'label', label: label.name } },
    sender: sender.login,
    reactTo: { type: 'issue', number: issue.number },
    isPatchwrightPr: false,
  };
}

function fromComment(payload: unknown, { config, botLogin }: ClassifyContext): Classified {
  const p = IssueCommentCreated.safeParse(payload);
  if (!p.success) return ignore('not a new comment');
  const { issue, comment, sender, repository, installation } = p.data;
  const command = parseCommand(comment.body, config.command);
  if (!command) return ignore('no command in the comment');
  const isPr = issue.pull_request !== undefined;
  const ours = isPr && issue.user.login === botLogin;
  if (isPr && !ours && !config.followUp.humanPullRequests) return ignore('pull request was not opened by Patchwright');
  const task = baseTask(repository, installation?.id, issue.number, isPr, issue.title, issue.body, sender.login);
  const action = commandAction(command.verb, isPr);
  return {
    kind: 'trigger',
    task: {
      ...task,
      action,
      instructions: clip(command.text),
      trigger: { kind: 'command', commentId: comment.id, command: command.verb },
    },
    sender: sender.login,
    reactTo: { type: 'comment', id: comment.id },
    isPatchwrightPr: ours,
  };
}

function fromReview(payload: unknown, { config, botLogin }: ClassifyContext): Classified {
  const p = ReviewSubmitted.safeParse(payload);
  if (!p.success) return ignore('not a submitted review');
  const { review, pull_request: pr, sender, repository, installation } = p.data;
  const state = review.state.toLowerCase();
  if (state !== 'commented' && state !== 'changes_requested') return ignore(`review state ${state} starts nothing`);
  const command = parseCommand(review.body, config.command);
  if (pr.head.repo?.full_name !== repository.full_name) {
    // A review on a fork's PR is people talking to each other, unless it asks for the app.
    if (!command) return ignore('pull request comes from a fork');
    return {
      kind: 'refuse',
      reason: 'pull request comes from a fork',
      number: pr.number,
      text: statusText.fork(config.command, pr.head.repo?.full_name ?? null),
    };
  }
  if (pr.user.login !== botLogin) return ignore('pull request was not opened by Patchwright');
  if (config.followUp.mode === 'mention' && !command) return ignore('mention-only mode and no command in the review');
  const task = baseTask(repository, installation?.id, pr.number, true, pr.title, pr.body, sender.login);
  return {
    kind: 'trigger',
    task: {
      ...task,
      action: 'follow_up',
      instructions: clip(command?.text ?? review.body ?? ''),
      trigger: { kind: 'review', reviewId: review.id, state },
    },
    sender: sender.login,
    reactTo: { type: 'issue', number: pr.number },
    isPatchwrightPr: true,
  };
}

function commandAction(verb: string, isPr: boolean): Task['action'] {
  if (verb === 'stop') return 'stop';
  if (verb === 'approve') return 'approve';
  if (verb === 'doctor') return 'doctor';
  if (!isPr) return 'start';
  if (verb === 'retry') return 'retry';
  return 'follow_up';
}

function baseTask(
  repo: RepositoryPayload,
  installationId: number | undefined,
  number: number,
  isPullRequest: boolean,
  title: string,
  body: string | null | undefined,
  requester: string,
): Omit<Task, 'action' | 'trigger'> {
  return {
    repo: { owner: repo.owner.login, name: repo.name, cloneUrl: repo.clone_url, defaultBranch: repo.default_branch },
    installationId: installationId ?? null,
    number,
    isPullRequest,
    title: clip(title, 1024),
    body: clip(body ?? '', MAX_TEXT),
    instructions: '',
    requester,
  };
}

/** GitHub's own limit for an issue or comment body: a longer one is not from GitHub, and is cut. */
const MAX_TEXT = 65_536;

/** Text from a payload, well-formed (no lone surrogates) and at most `max` characters. */
export function clip(text: string, max = MAX_TEXT): string {
  const clean = text.toWellFormed();
  return clean.length > max ? `${clean.slice(0, max)}\n[… ${clean.length - max} characters cut]` : clean;
}

function ignore(reason: string): Classified {
  return { kind: 'ignore', reason };
}
