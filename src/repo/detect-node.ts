import { SPECIAL_QUALIFIER } from './test-commands.ts';
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
    return {
      language: 'javascript',
      packageManager: null,
      setup: [],
      test: null,
      lint: null,
      testReason: 'package.json is not valid JSON',
    };
  }
  const pm = packageManager(repo, pkg.packageManager);
  const language = repo.exists('tsconfig.json') ? 'typescript' : 'javascript';
  const scripts = pkg.scripts ?? {};
  // `bun test` is bun's own test runner, not the script: bun always gets `bun run`.
  const run = (script: string) =>
    pm === 'npm'
      ? script === 'test'
        ? 'npm test'
        : `npm run ${script}`
      : `${pm} ${script === 'test' && pm !== 'bun' ? 'test' : `run ${script}`}`;
  const line = (key: string) => repo.lineOf('package.json', new RegExp(`"${key}"\\s*:`));

  const setup = [at(installCommand(repo, pm), lockfileOf(repo, pm) ?? 'package.json', 1, `${pm} lockfile`)];
  const testScript = ['test', 'test:unit', 'tests'].find((s) => scripts[s] && !NPM_DEFAULT_TEST.test(scripts[s]!));
  const split = testScript ? withoutLint(scripts[testScript]!) : null;
  const monorepo = testScript ? null : monorepoTest(repo, pm);
  const test = !testScript
    ? monorepo
    : split
      ? at(
          split.test,
          'package.json',
          line(testScript),
          `scripts.${testScript} without its lint step (${split.lint})${split.special.length ? ` and its special-purpose runs (${split.special.join(', ')})` : ''}, so a lint error never hides the tests`,
        )
      : at(run(testScript), 'package.json', line(testScript), `scripts.${testScript}`);
  const lintScript = ['lint', 'check:lint', 'eslint'].find((s) => scripts[s]);
  const lint = lintScript
    ? at(run(lintScript), 'package.json', line(lintScript), `scripts.${lintScript}`)
    : split
      ? at(split.lint, 'package.json', line(testScript!), `the lint step of scripts.${testScript}`)
      : null;
  return {
    language,
    packageManager: pm,
    setup,
    test,
    lint,
    ...(test
      ? {}
      : {
          testReason: scripts.test
            ? 'scripts.test is npm’s placeholder'
            : 'package.json has no test script, and no turbo or nx test task',
        }),
  };
}

/** A monorepo whose root has no test script: turbo's or nx's `test` task across the packages. */
function monorepoTest(repo: RepoFiles, pm: string): ReturnType<typeof at> | null {
  const exec = pm === 'npm' ? 'npx' : `${pm} exec`;
  const turbo = repo.read('turbo.json');
  if (turbo && /"test"\s*:/.test(turbo))
    return at(`${exec} turbo run test`, 'turbo.json', repo.lineOf('turbo.json', /"test"\s*:/), 'turbo test task');
  const nx = repo.read('nx.json');
  if (nx && /"test"\s*:/.test(nx))
    return at(`${exec} nx run-many -t test`, 'nx.json', repo.lineOf('nx.json', /"test"\s*:/), 'nx test target');
  return null;
}

const LINT_STEP =
  /^(xo|eslint|standard|tslint|stylelint|prettier\s+(--check|-c|--list-different|-l)|biome\s+(check|lint|ci)|oxlint|(npm|pnpm|yarn|bun)\s+(run\s+)?([\w:-]*(lint|prettier|format:check|check:format|stylelint)[\w:-]*))(\s|$)/;
const RUNNER = /^(npm|pnpm|yarn|bun|npx|node|bunx)(\s|$)|^\.{0,2}\//;

/**
 * A test script that lints first (`xo && ava`, `npm run lint && vitest run`): the tests without the
 * lint step, run with the package's own binaries on PATH, and the lint step on its own.
 */
export function withoutLint(script: string): { test: string; lint: string; special: string[] } | null {
  const parts = script
    .split('&&')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length < 2) return null;
  const lint = parts.filter((p) => LINT_STEP.test(p));
  // `npm run test:node && npm run test:browser && npm run lint`: the browser run is special-purpose too.
  const special = parts.filter(
    (p) => !LINT_STEP.test(p) && SPECIAL_QUALIFIER.test(/^(npm|pnpm|yarn|bun)\s+(run\s+)?(\S+)$/.exec(p)?.[3] ?? ''),
  );
  const rest = parts.filter((p) => !LINT_STEP.test(p) && !special.includes(p));
  // Only a script that lints is split: `ava && tsd`, `test:nodejs && test:edge` are the team's whole suite.
  if (!lint.length || !rest.length) return null;
  const bins = (p: string) => (RUNNER.test(p) ? p : `PATH="$PWD/node_modules/.bin:$PATH" ${p}`);
  return { test: rest.map(bins).join(' && '), lint: lint.map(bins).join(' && '), special };
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
