import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { validateConfig } from '../github/config/validate-config.ts';
import { defaultRepoConfig, type RepoConfig } from '../protocol/repo-config.ts';

/**
 * `.github/agent.yml` of a local checkout, validated the way the app validates it; the defaults
 * when there is none. On your own machine the working copy's file counts, committed or not.
 */
export function readLocalConfig(dir: string): { config: RepoConfig; found: boolean } | { error: string } {
  const file = path.join(dir, '.github', 'agent.yml');
  if (!fs.existsSync(file)) return { config: defaultRepoConfig, found: false };
  let raw: unknown;
  try {
    raw = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch {
    return { error: '.github/agent.yml is not valid YAML' };
  }
  const res = validateConfig(raw);
  if (!res.ok) return { error: `.github/agent.yml is invalid:\n${res.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}` };
  return { config: res.config, found: true };
}
