import crypto from 'node:crypto';
import path from 'node:path';
import type { Settings } from '../adapters/env/read-settings.ts';
import { createSandbox, NONE_WARNING, probeSandboxes, resolveSandboxKind } from '../adapters/sandbox/create-sandbox.ts';
import type { Sandbox } from '../core/ports.ts';

/**
 * The sandbox of a CLI command on a local worktree: the checkout's git dir read-only, caches per
 * checkout. On your own machine you are the deployment: the names you allow are the names passed.
 */
export async function localSandbox(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  /** `cacheDir`: the dependency caches, when not the checkout's own (per mirror) in the data dir. */
  ws: { dir: string; mirror: string; commonDir: string; cacheDir?: string | undefined },
  runTmp: string,
  resolved?: 'bwrap' | 'docker' | 'none',
  /** The host user when root (default: the first, `PATCHWRIGHT_SANDBOX_UID`). */
  hostUid = settings.sandboxUid,
): Promise<Sandbox> {
  const kind = resolved ?? (await resolveSandboxKind(settings.sandbox, () => probeSandboxes(settings.docker.cli)));
  if (kind === 'none' && !resolved) process.stderr.write(`${NONE_WARNING}\n`);
  const repoKey = crypto.createHash('sha256').update(ws.mirror).digest('hex').slice(0, 12);
  return createSandbox(kind, {
    layout: { worktree: ws.dir, runTmp, cacheDir: ws.cacheDir ?? path.join(settings.dataDir, 'cache', repoKey), readOnly: [ws.commonDir, ...settings.sandboxPaths] },
    env: { requested: settings.sandboxPassEnv, allowed: settings.sandboxPassEnv, parent: env, deployment: settings.sandboxEnv, setupOnly: settings.setupSecrets },
    limits: settings.sandboxLimits,
    dockerImage: settings.docker.image,
    dockerCli: settings.docker.cli,
    dockerRuntime: settings.docker.runtime,
    hostUid,
    minFreeBytes: settings.minFreeDiskBytes,
  });
}
