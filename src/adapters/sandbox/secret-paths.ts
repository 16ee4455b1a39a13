import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where this app's own code is installed (its .env and keys often sit beside it). */
export const APP_DIR = path.resolve(fileURLToPath(new URL('../../../', import.meta.url)));

/**
 * The folders of the host that hold the app's secrets: its own directory, its working directory
 * (where `.env` is read), its home, the private key's folder, the data dir (the SQLite store, the
 * dashboard's session key), and whatever the deployment adds (`PATCHWRIGHT_SANDBOX_HIDE`). A
 * sandbox never sees them, even when they lie inside a folder it sees (bwrap-mounts.ts masks them).
 */
export function appSecretPaths(env: NodeJS.ProcessEnv = process.env, extra: string[] = []): string[] {
  const named = [
    APP_DIR,
    process.cwd(),
    homeOrNone(),
    env.HOME,
    env.PRIVATE_KEY_PATH ? path.dirname(path.resolve(env.PRIVATE_KEY_PATH)) : undefined,
    env.PATCHWRIGHT_DATA_DIR,
    ...extra,
  ];
  const out = new Set<string>();
  for (const p of named) {
    if (!p || !path.isAbsolute(path.resolve(p))) continue;
    const abs = path.resolve(p);
    out.add(abs);
    try {
      out.add(fs.realpathSync(abs));
    } catch {
      // not there: nothing to hide
    }
  }
  out.delete('/');
  return [...out];
}

/** The user's home, or nothing for a user with no passwd entry and no HOME (os.homedir throws there). */
function homeOrNone(): string | undefined {
  try {
    return os.homedir();
  } catch {
    return undefined;
  }
}
