import fs from 'node:fs';
import path from 'node:path';
import type { Settings } from '../env/read-settings.ts';
import { pythonIndex, type PythonIndex } from '../env/python-index.ts';
import type { ToolchainSource } from '../../core/ports.ts';
import { NpmNodeToolchains } from './npm-node.ts';

export interface DeploymentToolchains {
  /** The deployment's package index settings for Python (values for every command, folders the sandbox must see). */
  python: PythonIndex;
  /** Toolchain versions the app fetches when a repository asks for one the worker lacks; undefined when the deployment turned it off. */
  toolchains: ToolchainSource | undefined;
  /** The app's toolchain folder, mounted read-only in the sandbox. */
  dir: string;
}

/**
 * What the deployment provides every sandbox besides its own paths: the toolchain folder (Node
 * versions the app fetched, copies of the files its pip settings name), written only by the app.
 */
export function deploymentToolchains(settings: Settings, env: NodeJS.ProcessEnv = process.env): DeploymentToolchains {
  const dir = settings.toolchainDir;
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  return {
    python: pythonIndex(settings.pipConfig, env, settings.sandboxEnv, path.join(dir, 'files')),
    toolchains: settings.nodeRegistry ? new NpmNodeToolchains({ dir, registry: settings.nodeRegistry }) : undefined,
    dir,
  };
}
