import path from 'node:path';
import type { Settings } from '../../adapters/env/read-settings.ts';
import type { PreparedWorkspace } from '../../adapters/git/workspaces.ts';
import { createSandbox } from '../../adapters/sandbox/create-sandbox.ts';
import type { Sandbox } from '../../core/ports.ts';
import type { RepoConfig } from '../../protocol/repo-config.ts';
import type { Task } from '../../protocol/task.ts';

/** The sandbox of one job: its worktree, the repository's caches, the deployment's limits and names. */
export function jobSandbox(kind: 'bwrap' | 'docker' | 'none', settings: Settings, config: RepoConfig, task: Task, ws: PreparedWorkspace, runTmp: string, startFrom: 'base' | 'branch'): Sandbox {
  return createSandbox(kind, {
    layout: {
      worktree: ws.dir,
      runTmp,
      cacheDir: path.join(settings.dataDir, 'cache', `${task.repo.owner}--${task.repo.name}`),
      readOnly: [ws.mirror, ...settings.sandboxPaths],
    },
    env: {
      requested: config.sandbox.env,
      allowed: settings.sandboxPassEnv,
      deployment: settings.sandboxEnv,
      // On a branch a model wrote (a follow-up), setup runs its install scripts: no secret for them.
      setupOnly: startFrom === 'base' ? settings.setupSecrets : [],
    },
    limits: settings.sandboxLimits,
    ...dockerChoice(settings, config.sandbox.image),
    hostUid: settings.sandboxUid,
    minFreeBytes: settings.minFreeDiskBytes,
  });
}

/** The docker backend's image: the repository's pick if the deployment approves it, else the deployment's default. */
export function dockerChoice(settings: Settings, asked: string | undefined): { dockerImage: string; dockerCli: string; dockerRuntime: string | undefined } {
  const image = asked && settings.docker.approvedImages.includes(asked) ? asked : settings.docker.image;
  return { dockerImage: image, dockerCli: settings.docker.cli, dockerRuntime: settings.docker.runtime };
}
