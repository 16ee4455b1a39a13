import type { Octokit } from '@octokit/rest';
import type { ThreadsPort } from '../../adapters/store/ports.ts';
import type { Task } from '../../protocol/task.ts';
import { expandBranch, slugify } from '../../repo/conventions/branch-name.ts';
import type { PrHabits } from '../../repo/conventions/pr-habits.ts';
import type { ChangeKind } from '../../repo/conventions/title-style.ts';
import type { PullState } from './pull-state.ts';

type Octo = Pick<Octokit, 'request'>;

/**
 * The one branch a job may push to, and where a fresh attempt starts from.
 * - `own`: the branch is recorded as the app's (it pushed it before): pushes continue it, leased
 *   on the commit they started from.
 * - not `own`: a name the app has not used and that is not on the remote; the push must create
 *   it (leased on its absence), and only then is it recorded for `thread`.
 */
export interface BranchPlan {
  branch: string;
  base: string;
  existing: boolean;
  own: boolean;
  /** The issue the PR closes (thread state), or null. */
  closes: number | null;
  /** The human PR the work is proposed into, or null. */
  forPull: number | null;
  /** Whose branch record a first push writes (the issue, or the human PR); null for the app's own PR. */
  thread: number | null;
}

export interface Naming {
  pattern: string;
  kinds: PrHabits['branchKinds'];
  kind: ChangeKind;
}

/** A new branch name gets a `-2`, `-3`… when someone else already has it; past this many, the job says so. */
const MAX_TRIES = 8;

export async function branchFor(
  octokit: Octo,
  task: Task,
  threads: ThreadsPort,
  state: Exclude<PullState, { kind: 'refused' }>,
  naming: Naming,
  taken: Set<string> = new Set(),
): Promise<BranchPlan> {
  const key = `${task.repo.owner}/${task.repo.name}`;
  if (state.kind === 'own')
    return {
      branch: state.branch,
      base: state.base,
      existing: true,
      own: true,
      closes: state.closes,
      forPull: state.forPull,
      thread: null,
    };
  const base = state.kind === 'issue' ? task.repo.defaultBranch : state.base;
  const closes = state.kind === 'issue' ? state.closes : null;
  const forPull = state.kind === 'human' ? state.forPull : null;
  const thread = task.number;
  const stored = await threads.branch(key, thread);
  if (stored && !taken.has(stored))
    return { branch: stored, base, existing: await exists(octokit, task, stored), own: true, closes, forPull, thread };
  const first = expandBranch(naming.pattern, {
    issue: task.number,
    slug: slugify(task.title),
    kind: naming.kind,
    kinds: naming.kinds,
  });
  for (let i = 1; i <= MAX_TRIES; i++) {
    const branch = i === 1 ? first : `${first}-${i}`;
    if (taken.has(branch) || branch === task.repo.defaultBranch || branch === base) continue;
    if (!(await exists(octokit, task, branch)))
      return { branch, base, existing: false, own: false, closes, forPull, thread };
  }
  throw Object.assign(
    new Error(
      `every branch name tried (${first} and ${MAX_TRIES - 1} more) already exists in the repository and was not made by Patchwright; set another \`branch\` pattern in .github/agent.yml`,
    ),
    { code: 'no_branch_name' },
  );
}

async function exists(octokit: Octo, task: Task, branch: string): Promise<boolean> {
  return octokit
    .request('GET /repos/{owner}/{repo}/branches/{branch}', { owner: task.repo.owner, repo: task.repo.name, branch })
    .then(
      () => true,
      (error: { status?: number }) => {
        if (error.status === 404) return false;
        throw error;
      },
    );
}

/**
 * The check before every push: the branch is the plan's, never the default branch or the base,
 * and either still recorded as the app's, or new (not on the remote when the run started, so the
 * push, leased on its absence, creates it). Returns why not, or null.
 */
export async function pushRefusal(
  plan: BranchPlan,
  ws: { branch: string; remoteBranchSha: string | null },
  task: Task,
  threads: ThreadsPort,
): Promise<string | null> {
  const key = `${task.repo.owner}/${task.repo.name}`;
  if (ws.branch !== plan.branch) return `the worktree is on ${ws.branch}, not ${plan.branch}`;
  if (plan.branch === task.repo.defaultBranch || plan.branch === plan.base)
    return `${plan.branch} is the ${plan.branch === task.repo.defaultBranch ? 'default' : 'base'} branch`;
  if (!plan.own)
    return ws.remoteBranchSha === null
      ? null
      : `${plan.branch} already exists in the repository and Patchwright did not make it`;
  const recorded =
    plan.thread === null
      ? (await threads.pullRequest(key, task.number))?.branch
      : await threads.branch(key, plan.thread);
  return recorded === plan.branch
    ? null
    : `${plan.branch} is not the branch Patchwright recorded for #${plan.thread ?? task.number}`;
}
