import crypto from 'node:crypto';
import path from 'node:path';
import type { Settings } from '../adapters/env/read-settings.ts';
import { createSandbox, NONE_WARNING, probeSandboxes, resolveSandboxKind } from '../adapters/sandbox/create-sandbox.ts';
import type { Sandbox } from '../core/ports.ts';
import { deploymentToolchains, type DeploymentToolchains } from '../adapters/toolchain/deployment-toolchains.ts';

/**
 * The sandbox of a CLI command on a local worktree: the checkout's git dir read-only, caches per
 * checkout. On your own machine you are the deployment: the names you allow are the names passed.
 */
export async function localSandbox(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  ws: { dir: string; mirror: string; commonDir: string },
  runTmp: string,
  resolved?: 'bwrap' | 'docker' | 'none',
  /** The host user when root (default: the first, `PATCHWRIGHT_SANDBOX_UID`). */
  hostUid = settings.sandboxUid,
): Promise<Sandbox> {
  return (await localSandboxWith(settings, env, ws, runTmp, resolved, hostUid)).sandbox;
}

/** The same, with what the deployment provides besides (its pip settings, the toolchains the app fetches). */
export async function localSandboxWith(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  ws: { dir: string; mirror: string; commonDir: string },
  runTmp: string,
  resolved?: 'bwrap' | 'docker' | 'none',
  hostUid = settings.sandboxUid,
): Promise<{ sandbox: Sandbox } & DeploymentToolchains> {
  const kind = resolved ?? (await resolveSandboxKind(settings.sandbox, () => probeSandboxes(settings.docker.cli)));
  if (kind === 'none' && !resolved) process.stderr.write(`${NONE_WARNING}\n`);
  const repoKey = crypto.createHash('sha256').update(ws.mirror).digest('hex').slice(0, 12);
  const provided = deploymentToolchains(settings, env);
  const sandbox = createSandbox(kind, {
    layout: { worktree: ws.dir, runTmp, cacheDir: path.join(settings.dataDir, 'cache', repoKey), readOnly: [ws.commonDir, provided.dir, ...settings.sandboxPaths] },
    env: { values: provided.python.values, requested: settings.sandboxPassEnv, allowed: settings.sandboxPassEnv, parent: env, deployment: settings.sandboxEnv, setupOnly: settings.setupSecrets },
    limits: settings.sandboxLimits,
    dockerImage: settings.docker.image,
    dockerCli: settings.docker.cli,
    dockerRuntime: settings.docker.runtime,
    hostUid,
    minFreeBytes: settings.minFreeDiskBytes,
  });
  return { sandbox, ...provided };
}
