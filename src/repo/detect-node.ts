import { at, type EcosystemFinding } from './detection.ts';
import type { RepoFiles } from './repo-files.ts';

const NPM_DEFAULT_TEST = /no test specified/;

/** Node: the package manager from lockfiles or `packageManager`, commands from package.json scripts. */
export function detectNode(repo: RepoFiles): EcosystemFinding | undefined {
  const text = repo.read('package.json');
  if (text === undefined) return undefined;
  let pkg: { scripts?: Record<string, string>; packageManager?: string; workspaces?: unknown };
  try {
    pkg = JSON.parse(text) as typeof pkg;
  } catch {
    return { language: 'javascript', packageManager: null, setup: [], test: null, lint: null, testReason: 'package.json is not valid JSON' };
  }
  const pm = packageManager(repo, pkg.packageManager);
  const language = repo.exists('tsconfig.json') ? 'typescript' : 'javascript';
  const scripts = pkg.scripts ?? {};
  const run = (script: string) => (pm === 'npm' ? (script === 'test' ? 'npm test' : `npm run ${script}`) : `${pm} ${script === 'test' ? 'test' : `run ${script}`}`);
  const line = (key: string) => repo.lineOf('package.json', new RegExp(`"${key}"\\s*:`));

  const setup = [at(installCommand(repo, pm), lockfileOf(repo, pm) ?? 'package.json', 1, `${pm} lockfile`)];
  const testScript = ['test', 'test:unit', 'tests'].find((s) => scripts[s] && !NPM_DEFAULT_TEST.test(scripts[s]!));
  const test = testScript ? at(run(testScript), 'package.json', line(testScript), `scripts.${testScript}`) : null;
  const lintScript = ['lint', 'check:lint', 'eslint'].find((s) => scripts[s]);
  const lint = lintScript ? at(run(lintScript), 'package.json', line(lintScript), `scripts.${lintScript}`) : null;
  return {
    language,
    packageManager: pm,
    setup,
    test,
    lint,
    ...(test ? {} : { testReason: scripts.test ? 'scripts.test is npm’s placeholder' : 'package.json has no test script' }),
  };
}

function packageManager(repo: RepoFiles, field: string | undefined): string {
  const named = field?.split('@')[0];
  if (named && ['npm', 'yarn', 'pnpm', 'bun'].includes(named)) return named;
  if (repo.exists('pnpm-lock.yaml')) return 'pnpm';
  if (repo.exists('yarn.lock')) return 'yarn';
  if (repo.exists('bun.lockb') || repo.exists('bun.lock')) return 'bun';
  return 'npm';
}

function lockfileOf(repo: RepoFiles, pm: string): string | undefined {
  const candidates: Record<string, string[]> = {
    npm: ['package-lock.json', 'npm-shrinkwrap.json'],
    pnpm: ['pnpm-lock.yaml'],
    yarn: ['yarn.lock'],
    bun: ['bun.lock', 'bun.lockb'],
  };
  return (candidates[pm] ?? []).find((f) => repo.exists(f));
}

function installCommand(repo: RepoFiles, pm: string): string {
  const locked = lockfileOf(repo, pm) !== undefined;
  if (pm === 'npm') return locked ? 'npm ci' : 'npm install';
  if (pm === 'pnpm') return locked ? 'pnpm install --frozen-lockfile' : 'pnpm install';
  if (pm === 'yarn') {
    const berry = repo.exists('.yarnrc.yml');
    return locked ? (berry ? 'yarn install --immutable' : 'yarn install --frozen-lockfile') : 'yarn install';
  }
  return locked ? 'bun install --frozen-lockfile' : 'bun install';
}
