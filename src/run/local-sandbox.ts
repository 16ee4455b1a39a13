import crypto from 'node:crypto';
import path from 'node:path';
import type { Settings } from '../adapters/env/read-settings.ts';
import { egressFirewall } from '../adapters/egress/egress-policy.ts';
import {
  createSandbox,
  deploymentSandboxOptions,
  NONE_WARNING,
  probeSandboxes,
  resolveSandboxKind,
} from '../adapters/sandbox/create-sandbox.ts';
import type { RunDirs } from '../adapters/sandbox/run-dirs.ts';
import { deploymentToolchains, type DeploymentToolchains } from '../adapters/toolchain/deployment-toolchains.ts';
import type { Sandbox } from '../core/ports.ts';

/**
 * The sandbox of a CLI command on a local worktree: the checkout's git dir read-only, caches per
 * checkout. On your own machine you are the deployment: the names you allow are the names passed.
 * `dirs.privateCache` (a branch run: a checkout a model may have written, as the app server's, or
 * the verdict's clean checkout) keeps its setup out of the checkout's shared cache, and gets no setup secret.
 */
export async function localSandbox(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  ws: { dir: string; mirror: string; commonDir: string; gitLink?: string },
  dirs: RunDirs,
  resolved?: 'bwrap' | 'docker' | 'none',
  /** The host user when root (default: the first, `PATCHWRIGHT_SANDBOX_UID`). */
  hostUid = settings.sandboxUid,
  /** The checkout's `.github/agent.yml` `sandbox.egress`: narrows the deployment's egress allow-list. */
  egressNarrowing?: string[],
): Promise<Sandbox> {
  return (await localSandboxWith(settings, env, ws, dirs, resolved, hostUid, egressNarrowing)).sandbox;
}

/** The same, with what the deployment provides besides (its pip settings, the toolchains the app fetches). */
export async function localSandboxWith(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  ws: { dir: string; mirror: string; commonDir: string; gitLink?: string },
  dirs: RunDirs,
  resolved?: 'bwrap' | 'docker' | 'none',
  hostUid = settings.sandboxUid,
  egressNarrowing?: string[],
): Promise<{ sandbox: Sandbox } & DeploymentToolchains> {
  const kind = resolved ?? (await resolveSandboxKind(settings.sandbox, () => probeSandboxes(settings.docker.cli)));
  if (kind === 'none' && !resolved) process.stderr.write(`${NONE_WARNING}\n`);
  const repoKey = crypto.createHash('sha256').update(ws.mirror).digest('hex').slice(0, 12);
  const provided = deploymentToolchains(settings, env);
  const sandbox = createSandbox(kind, {
    layout: {
      worktree: ws.dir,
      runTmp: dirs.runTmp,
      cacheDir: path.join(settings.dataDir, 'cache', repoKey),
      ...(dirs.privateCache ? { privateCache: dirs.privateCache } : {}),
      readOnly: [ws.commonDir, provided.dir, ...settings.sandboxPaths],
      ...(ws.gitLink !== undefined ? { gitLink: ws.gitLink } : {}),
    },
    env: {
      values: provided.python.values,
      requested: settings.sandboxPassEnv,
      allowed: settings.sandboxPassEnv,
      parent: env,
      deployment: settings.sandboxEnv,
      setupOnly: dirs.privateCache ? [] : settings.setupSecrets,
    },
    ...deploymentSandboxOptions(settings),
    dockerImage: settings.docker.image,
    dockerCli: settings.docker.cli,
    dockerRuntime: settings.docker.runtime,
    hostUid,
    hostDir: dirs.hostDir,
    egress: egressFirewall(settings.egress, egressNarrowing),
  });
  return { sandbox, ...provided };
}
