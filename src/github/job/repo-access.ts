import type { ProbotOctokit } from 'probot';
import type { Task } from '../../protocol/task.ts';
import type { GithubAccess } from '../app-runtime.ts';
import { CONFIG_PERMISSIONS, DOCTOR_PERMISSIONS, RUN_PERMISSIONS } from '../repository-token.ts';

export interface RepoAccess {
  /** The job's client: its token reaches this one repository, with what the job needs. */
  octokit: ProbotOctokit;
  /** For git (clone, fetch, push): this repository's contents only. */
  gitToken: () => Promise<string>;
  /** Reads `.github/agent.yml` here, in the org's `.github` and where `_extends` points: contents, read only. */
  config: ProbotOctokit;
}

/**
 * Before any token goes anywhere: the installation must own the job's repository (GitHub
 * refuses to mint a token for it otherwise), and the job's clone URL must be the one GitHub
 * gives for that owner/name. A job is a row in the store (or Redis): one written by anyone but
 * this app's web process could name any URL, and the token would follow it.
 */
export async function repoAccess(
  github: GithubAccess,
  task: Task & { installationId: number },
): Promise<RepoAccess | { refused: string }> {
  const full = `${task.repo.owner}/${task.repo.name}`;
  const perms = task.action === 'doctor' ? DOCTOR_PERMISSIONS : RUN_PERMISSIONS;
  const api = await github
    .scoped(task.installationId, [task.repo.name], perms.api)
    .catch((error: { status?: number; message?: string }) => error);
  if (api instanceof Error || !('octokit' in api)) {
    const status = (api as { status?: number }).status;
    return {
      refused: `installation ${task.installationId} has no access to ${full} (GitHub answered ${status ?? 'no status'}: ${(api as Error).message}), so nothing was done`,
    };
  }
  const repo = await api.octokit
    .request('GET /repos/{owner}/{repo}', { owner: task.repo.owner, repo: task.repo.name })
    .then(
      (r) => r.data,
      () => null,
    );
  if (!repo || repo.full_name.toLowerCase() !== full.toLowerCase())
    return { refused: `GitHub does not show ${full} to installation ${task.installationId}, so nothing was done` };
  if (repo.clone_url !== task.repo.cloneUrl) {
    return {
      refused: `the job's clone URL is not GitHub's URL for ${full} (${repo.clone_url}): this app did not make that job, so no token was sent anywhere`,
    };
  }
  const git = await github.scoped(task.installationId, [task.repo.name], perms.git);
  const config = await github.scoped(task.installationId, null, CONFIG_PERMISSIONS);
  return { octokit: api.octokit, gitToken: git.token, config: config.octokit };
}
