import { RepoConfig } from './repo-config.ts';

export interface ConfigProblem {
  path: string;
  message: string;
}

export type ConfigResult = { ok: true; config: RepoConfig } | { ok: false; problems: ConfigProblem[] };

/** Validates raw `.github/agent.yml` content; returns every problem instead of throwing. */
export function validateConfig(raw: unknown): ConfigResult {
  const input = raw ?? {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, problems: [{ path: '(root)', message: 'must be a mapping of keys to values' }] };
  }
  const parsed = RepoConfig.safeParse(input);
  if (parsed.success) return { ok: true, config: parsed.data };
  const problems = parsed.error.issues.map((issue) => {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => (base ? `${base}.${k}` : k));
      return { path: keys.join(', '), message: 'is not a known key' };
    }
    return { path: base || '(root)', message: issue.message };
  });
  return { ok: false, problems };
}
