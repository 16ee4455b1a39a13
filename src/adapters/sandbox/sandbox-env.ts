import type { RunEnvironment } from '../../protocol/toolchain.ts';

/** Names the app itself holds secrets in: never passed into a sandbox, whatever a config says. */
export const NEVER =
  /^(PRIVATE_KEY.*|WEBHOOK_SECRET|APP_ID|OPENAI_.*|GITHUB_TOKEN|GH_TOKEN|PATCHWRIGHT_.*|REDIS_URL|CLIENT_SECRET|GITHUB_CLIENT_SECRET)$/;

const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** What the repo asks to pass in, what the deployment allows, and where values come from. */
export interface SandboxEnvRequest {
  requested?: string[];
  allowed?: string[];
  parent?: NodeJS.ProcessEnv;
  /** The deployment's own names (`PATCHWRIGHT_SANDBOX_ENV`): package mirrors, proxies; passed to every command. */
  deployment?: string[];
  /** The deployment's setup-only secrets (`PATCHWRIGHT_SETUP_SECRETS`): passed to setup commands and nothing else. */
  setupOnly?: string[];
  /** Values made from the deployment's own files (its pip config, `PATCHWRIGHT_PIP_CONFIG`): passed to every command. */
  values?: Record<string, string>;
}

export type SandboxStage = 'setup' | 'agent';

export interface SandboxEnvOptions {
  home: string;
  tmp: string;
  cache: string;
  /** Names the repo config asks for; passed only if the deployment also allows them. */
  requested?: string[];
  /** The deployment's allow-list (`PATCHWRIGHT_SANDBOX_PASS_ENV`). */
  allowed?: string[];
  parent?: NodeJS.ProcessEnv;
  /** `agent`: the caches are read-only, so build caches that must be written move to the run's temp dir. */
  stage?: SandboxStage;
  deployment?: string[];
  setupOnly?: string[];
  values?: Record<string, string>;
  /** What this run adds: folders first on PATH, the harness's own values (see RunEnvironment). */
  run?: RunEnvironment;
}

/**
 * The whole environment of a sandboxed command, built from an allow-list: nothing of the
 * parent's leaks in except PATH, LANG and names both the repo and the deployment allow.
 */
export function buildSandboxEnv(opts: SandboxEnvOptions): Record<string, string> {
  const parent = opts.parent ?? process.env;
  const env: Record<string, string> = {
    PATH: parent.PATH ?? BASE_PATH,
    LANG: parent.LANG ?? 'C.UTF-8',
    HOME: opts.home,
    TMPDIR: opts.tmp,
    // As on a CI runner: no NO_COLOR or TERM=dumb, which colour libraries' own tests would fail on.
    CI: 'true',
    // A patch that keeps a file's size within the same second would otherwise run stale .pyc.
    PYTHONDONTWRITEBYTECODE: '1',
    npm_config_cache: `${opts.cache}/npm`,
    npm_config_update_notifier: 'false',
    YARN_CACHE_FOLDER: `${opts.cache}/yarn`,
    // pnpm and yarn come through corepack where the host has none: their versions are cached per repository.
    COREPACK_HOME: `${opts.cache}/corepack`,
    COREPACK_ENABLE_DOWNLOAD_PROMPT: '0',
    PIP_CACHE_DIR: `${opts.cache}/pip`,
    UV_CACHE_DIR: `${opts.cache}/uv`,
    CARGO_HOME: `${opts.cache}/cargo`,
    GOPATH: `${opts.cache}/go`,
    GOMODCACHE: `${opts.cache}/go/mod`,
    GOCACHE: `${opts.cache}/go/build`,
    MAVEN_OPTS: `-Dmaven.repo.local=${opts.cache}/m2`,
    GRADLE_USER_HOME: `${opts.cache}/gradle`,
    BUNDLE_PATH: `${opts.cache}/bundle`,
  };
  if (opts.stage !== 'setup') {
    // Go trusts its build cache's contents and Gradle its home: a model that could write them
    // could plant code in the next run's setup. The agent gets fresh ones per run instead.
    env.GOCACHE = `${opts.tmp}/.cache/go-build`;
    env.GRADLE_USER_HOME = `${opts.tmp}/.gradle`;
    env.GRADLE_RO_DEP_CACHE = `${opts.cache}/gradle/caches`;
    env.UV_CACHE_DIR = `${opts.tmp}/.cache/uv`;
  }
  const pass = (name: string) => {
    const value = parent[name];
    if (!NEVER.test(name) && value !== undefined) env[name] = value;
  };
  for (const name of opts.deployment ?? []) pass(name);
  // Made from the deployment's files and names together (see python-index.ts), so they come after its names.
  for (const [name, value] of Object.entries(opts.values ?? {})) if (!NEVER.test(name)) env[name] = value;
  if (opts.stage === 'setup') for (const name of opts.setupOnly ?? []) pass(name);
  const allowed = new Set(opts.allowed ?? []);
  for (const name of opts.requested ?? []) {
    if (NEVER.test(name) || !allowed.has(name)) continue;
    const value = parent[name];
    if (value !== undefined) env[name] = value;
  }
  if (opts.run) {
    for (const [name, value] of Object.entries(opts.run.vars)) if (!NEVER.test(name)) env[name] = value;
    if (opts.run.path.length) env.PATH = [...opts.run.path, env.PATH].join(':');
  }
  return env;
}
