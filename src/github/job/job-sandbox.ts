import fs from 'node:fs';
import path from 'node:path';
import type { Settings } from '../../adapters/env/read-settings.ts';
import type { PreparedWorkspace } from '../../adapters/git/workspaces.ts';
import { createSandbox } from '../../adapters/sandbox/create-sandbox.ts';
import type { SandboxUserLease, SandboxUsers } from '../../adapters/sandbox/sandbox-users.ts';
import { deploymentToolchains, type DeploymentToolchains } from '../../adapters/toolchain/deployment-toolchains.ts';
import type { Sandbox } from '../../core/ports.ts';
import type { RepoConfig } from '../../protocol/repo-config.ts';
import type { Task } from '../../protocol/task.ts';

/**
 * The sandbox of one job: its worktree, the repository's caches, the deployment's limits and
 * names, and (when the app is root) a host user of its own while it runs: `release()` when the
 * job ends.
 */
export function jobSandbox(
  kind: 'bwrap' | 'docker' | 'none',
  settings: Settings,
  users: SandboxUsers,
  config: RepoConfig,
  task: Task,
  ws: PreparedWorkspace,
  runTmp: string,
  startFrom: 'base' | 'branch',
): { sandbox: Sandbox; release: () => void } & Pick<DeploymentToolchains, 'python' | 'toolchains'> {
  const provided = deploymentToolchains(settings);
  const cacheDir = path.join(settings.dataDir, 'cache', `${task.repo.owner}--${task.repo.name}`);
  const user: SandboxUserLease = users.lease(`${task.repo.owner}/${task.repo.name}`, ownerOf(cacheDir));
  const sandbox = createSandbox(kind, {
    layout: { worktree: ws.dir, runTmp, cacheDir, readOnly: [ws.mirror, provided.dir, ...settings.sandboxPaths] },
    env: {
      values: provided.python.values,
      requested: config.sandbox.env,
      allowed: settings.sandboxPassEnv,
      deployment: settings.sandboxEnv,
      // On a branch a model wrote (a follow-up), setup runs its install scripts: no secret for them.
      setupOnly: startFrom === 'base' ? settings.setupSecrets : [],
    },
    limits: settings.sandboxLimits,
    ...dockerChoice(settings, config.sandbox.image),
    hostUid: user.uid,
    minFreeBytes: settings.minFreeDiskBytes,
  });
  return { sandbox, release: user.release, python: provided.python, toolchains: provided.toolchains };
}

/** Who owns the repository's caches now (the user its last job ran as), if they exist. */
function ownerOf(dir: string): number | undefined {
  try {
    return fs.statSync(dir).uid;
  } catch {
    return undefined;
  }
}

/** The docker backend's image: the repository's pick if the deployment approves it, else the deployment's default. */
export function dockerChoice(settings: Settings, asked: string | undefined): { dockerImage: string; dockerCli: string; dockerRuntime: string | undefined } {
  const image = asked && settings.docker.approvedImages.includes(asked) ? asked : settings.docker.image;
  return { dockerImage: image, dockerCli: settings.docker.cli, dockerRuntime: settings.docker.runtime };
}
