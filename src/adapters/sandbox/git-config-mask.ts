import fs from 'node:fs';
import path from 'node:path';
import { openNoFollow } from './host-only.ts';

const KEEP_SECTIONS = new Set(['core', 'extensions']);
const DROP_KEYS = /^\s*(fsmonitor|hookspath|sshcommand|editor|pager|askpass|gitproxy|attributesfile|excludesfile)\s*=/i;

/**
 * The git dirs a sandbox reads (the mirror, or the user's own `.git` for `patchwright run`) keep
 * their config, which can hold remote URLs with credentials, credential helpers or includes. The
 * sandbox gets, at the config's place, a copy with only what git needs to read the repository:
 * `[core]` (without anything that runs a program) and `[extensions]`. The copy is content handed
 * to bwrap through a pipe (never a file a sandbox could swap for a link).
 */
export function maskedGitConfig(gitDir: string): { dest: string; data: string } | null {
  const config = path.join(gitDir, 'config');
  if (!fs.existsSync(path.join(gitDir, 'HEAD')) || !fs.existsSync(config)) return null;
  const kept: string[] = [];
  let keep = false;
  for (const line of readConfig(fs.realpathSync(config)).split('\n')) {
    const section = /^\s*\[\s*([A-Za-z0-9.-]+)/.exec(line);
    if (section) {
      keep = KEEP_SECTIONS.has(section[1]!.toLowerCase()) && !/"/.test(line);
      if (keep) kept.push(line.trim());
      continue;
    }
    if (keep && line.trim() && !DROP_KEYS.test(line)) kept.push(line);
  }
  return { dest: config, data: `${kept.join('\n')}\n` };
}

/** The config, read without following a link and at most 1 MB of it. */
function readConfig(file: string): string {
  const fd = openNoFollow(file, 'file');
  try {
    const buf = Buffer.alloc(Math.min(fs.fstatSync(fd).size, 1024 * 1024));
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}
