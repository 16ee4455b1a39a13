import type { RepoFiles } from '../repo-files.ts';

/**
 * Files that state the commit or PR title convention outright: they win over history.
 * Returns the file that says so, or undefined.
 */
export function explicitConventional(repo: RepoFiles): string | undefined {
  const configs = [
    'commitlint.config.js',
    'commitlint.config.cjs',
    'commitlint.config.mjs',
    'commitlint.config.ts',
    '.commitlintrc',
    '.commitlintrc.json',
    '.commitlintrc.yml',
    '.commitlintrc.yaml',
    '.commitlintrc.js',
    '.commitlintrc.cjs',
    '.github/semantic.yml',
    'release-please-config.json',
    '.release-please-manifest.json',
  ];
  const found = configs.find((f) => repo.exists(f));
  if (found) return found;
  if (/"commitlint"\s*:/.test(repo.read('package.json') ?? '')) return 'package.json';
  for (const name of repo.list('.github/workflows')) {
    const file = `.github/workflows/${name}`;
    if (/amannn\/action-semantic-pull-request|semantic-pull-request|commitlint/.test(repo.read(file) ?? ''))
      return file;
  }
  return undefined;
}
