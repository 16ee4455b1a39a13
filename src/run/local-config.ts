import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { validateConfig } from '../protocol/validate-config.ts';
import { defaultRepoConfig, type RepoConfig } from '../protocol/repo-config.ts';
import { RepoFiles } from '../repo/repo-files.ts';

/**
 * `.github/agent.yml` of a local checkout, validated the way the app validates it; the defaults
 * when there is none. On your own machine the working copy's file counts, committed or not.
 */
export function readLocalConfig(dir: string): { config: RepoConfig; found: boolean } | { error: string } {
  const file = path.join(dir, '.github', 'agent.yml');
  if (!fs.lstatSync(file, { throwIfNoEntry: false })) return { config: defaultRepoConfig, found: false };
  // The checkout is not trusted: a link out of it (to a key, a config) is never followed.
  const text = new RepoFiles(dir).read('.github/agent.yml');
  if (text === undefined)
    return {
      error:
        '.github/agent.yml is not a readable file inside the checkout (a link out of it, a folder, or too large); it was not read',
    };
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch {
    return { error: '.github/agent.yml is not valid YAML' };
  }
  const res = validateConfig(raw);
  if (!res.ok)
    return {
      error: `.github/agent.yml is invalid:\n${res.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`,
    };
  return { config: res.config, found: true };
}
