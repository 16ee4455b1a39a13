import fs from 'node:fs';
import path from 'node:path';

const KEEP_SECTIONS = new Set(['core', 'extensions']);
const DROP_KEYS = /^\s*(fsmonitor|hookspath|sshcommand|editor|pager|askpass|gitproxy|attributesfile|excludesfile)\s*=/i;

/**
 * The git dirs a sandbox reads (the mirror, or the user's own `.git` for `patchwright run`) keep
 * their config, which can hold remote URLs with credentials, credential helpers or includes. The
 * sandbox gets a copy with only what git needs to read the repository: `[core]` (without
 * anything that runs a program) and `[extensions]`.
 */
export function maskedGitConfig(gitDir: string, outDir: string): { source: string; target: string } | null {
  const config = path.join(gitDir, 'config');
  if (!fs.existsSync(path.join(gitDir, 'HEAD')) || !fs.existsSync(config)) return null;
  const kept: string[] = [];
  let keep = false;
  for (const line of fs.readFileSync(config, 'utf8').split('\n')) {
    const section = /^\s*\[\s*([A-Za-z0-9.-]+)/.exec(line);
    if (section) {
      keep = KEEP_SECTIONS.has(section[1]!.toLowerCase()) && !/"/.test(line);
      if (keep) kept.push(line.trim());
      continue;
    }
    if (keep && line.trim() && !DROP_KEYS.test(line)) kept.push(line);
  }
  fs.mkdirSync(outDir, { recursive: true });
  const source = path.join(outDir, `gitconfig-${kept.length}-${Buffer.from(gitDir).toString('hex').slice(-24)}`);
  fs.writeFileSync(source, `${kept.join('\n')}\n`);
  return { source, target: config };
}
