import fs from 'node:fs';
import path from 'node:path';
import type { Settings } from '../../adapters/env/read-settings.ts';
import type { PreparedWorkspace } from '../../adapters/git/workspaces.ts';
import { createSandbox, deploymentSandboxOptions } from '../../adapters/sandbox/create-sandbox.ts';
import type { RunDirs } from '../../adapters/sandbox/run-dirs.ts';
import { egressFirewall } from '../../adapters/egress/egress-policy.ts';
import type { SandboxUserLease, SandboxUsers } from '../../adapters/sandbox/sandbox-users.ts';
import { deploymentToolchains, type DeploymentToolchains } from '../../adapters/toolchain/deployment-toolchains.ts';
import type { Sandbox } from '../../core/ports.ts';
import type { RepoConfig } from '../../protocol/repo-config.ts';
import type { Task } from '../../protocol/task.ts';

/**
 * The sandbox of one job: its worktree, the repository's caches, the deployment's limits and
 * names, and (when the app is root) a host user of its own while it runs: `release()` when the
 * job ends. A branch run (a follow-up on a branch a model wrote) gets a cache of its own
 * (`dirs.privateCache`) and never the repository's: a base run's setup never runs what it left.
 * `fresh` makes the sandboxes of the verdict's clean checkouts the same way, as branch runs
 * (model-written code is set up there): their own cache, no setup secret.
 */
export function jobSandbox(
  kind: 'bwrap' | 'docker' | 'none',
  settings: Settings,
  users: SandboxUsers,
  config: RepoConfig,
  task: Task,
  ws: PreparedWorkspace,
  dirs: RunDirs,
  startFrom: 'base' | 'branch',
): {
  sandbox: Sandbox;
  release: () => void;
  fresh: (layout: { worktree: string; runTmp: string; cacheDir: string; hostDir: string }) => Sandbox;
} & Pick<DeploymentToolchains, 'python' | 'toolchains'> {
  const provided = deploymentToolchains(settings);
  const cacheDir = path.join(settings.dataDir, 'cache', `${task.repo.owner}--${task.repo.name}`);
  const user: SandboxUserLease = users.lease(`${task.repo.owner}/${task.repo.name}`, ownerOf(cacheDir));
  const make = (
    layout: { worktree: string; runTmp: string; privateCache: string | undefined; gitLink?: string | undefined },
    hostDir: string,
    setupOnly: string[],
  ) =>
    createSandbox(kind, {
      layout: {
        worktree: layout.worktree,
        runTmp: layout.runTmp,
        cacheDir,
        ...(layout.privateCache ? { privateCache: layout.privateCache } : {}),
        readOnly: [ws.mirror, provided.dir, ...settings.sandboxPaths],
        ...(layout.gitLink !== undefined ? { gitLink: layout.gitLink } : {}),
      },
      env: {
        values: provided.python.values,
        requested: config.sandbox.env,
        allowed: settings.sandboxPassEnv,
        deployment: settings.sandboxEnv,
        setupOnly,
      },
      ...deploymentSandboxOptions(settings),
      ...dockerChoice(settings, config.sandbox.image),
      hostUid: user.uid,
      hostDir,
      egress: egressFirewall(settings.egress, config.sandbox.egress),
    });
  const branch = startFrom === 'branch';
  // On a branch a model wrote (a follow-up), setup runs its install scripts: no secret for them.
  const sandbox = make(
    {
      worktree: ws.dir,
      runTmp: dirs.runTmp,
      privateCache: branch ? dirs.privateCache : undefined,
      gitLink: ws.gitLink,
    },
    dirs.hostDir,
    branch ? [] : settings.setupSecrets,
  );
  return {
    sandbox,
    release: user.release,
    python: provided.python,
    toolchains: provided.toolchains,
    fresh: (l) => make({ worktree: l.worktree, runTmp: l.runTmp, privateCache: l.cacheDir }, l.hostDir, []),
  };
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
export function dockerChoice(
  settings: Settings,
  asked: string | undefined,
): { dockerImage: string; dockerCli: string; dockerRuntime: string | undefined } {
  const image = asked && settings.docker.approvedImages.includes(asked) ? asked : settings.docker.image;
  return { dockerImage: image, dockerCli: settings.docker.cli, dockerRuntime: settings.docker.runtime };
}
