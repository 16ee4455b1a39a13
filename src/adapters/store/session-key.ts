import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The key that signs dashboard sessions: made once, kept in the data dir (0600), so sessions survive a restart. */
export function dashboardSessionKey(dataDir: string): Buffer {
  const file = path.join(dataDir, 'dashboard-session.key');
  try {
    const key = fs.readFileSync(file);
    if (key.length >= 32) return key;
  } catch {
    // made below
  }
  const key = crypto.randomBytes(32);
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, key, { mode: 0o600 });
  return key;
}
