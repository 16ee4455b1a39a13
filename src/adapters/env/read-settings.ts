import fs from 'node:fs';
import path from 'node:path';
import { defaultLimits, type ResourceLimits } from '../sandbox/limits.ts';
import { NEVER } from '../sandbox/sandbox-env.ts';
import { AllowListError } from '../egress/allow-list.ts';
import { egressSettingsFrom, type EgressSettings } from '../egress/egress-policy.ts';
import { SettingsSchema } from './settings-schema.ts';

export type Settings = {
  dataDir: string;
  sandbox: 'auto' | 'bwrap' | 'docker' | 'none';
  concurrency: number;
  appSlug: string | undefined;
  model: string;
  modelApi: 'responses' | 'chat';
  reasoningEffort: 'minimal' | 'low' | 'medium' | 'high' | undefined;
  pricesFile: string | undefined;
  ceilings: { maxTurns: number; maxTokens: number; maxCostUsd: number; maxMinutes: number };
  mirrorBudgetBytes: number;
  openaiBaseUrl: string | undefined;
  /** Variable names repositories may ask to pass into the sandbox. */
  sandboxPassEnv: string[];
  /** The model's context window, for compaction. */
  contextTokens: number;
  /** Names of the deployment's variables passed to every sandboxed command (mirrors, proxies). */
  sandboxEnv: string[];
  /** Names of the deployment's variables passed to setup commands only (a private registry's token). */
  setupSecrets: string[];
  /** Extra read-only host paths inside the sandbox (toolchains outside /usr and /opt). */
  sandboxPaths: string[];
  /** The deployment's pip config files, whose index settings every sandboxed command gets (PIP_* and UV_*). */
  pipConfig: string[];
  /** Toolchains the app fetched (Node versions), and copies of the deployment's files commands need: written by the app, read-only in the sandbox. */
  toolchainDir: string;
  /** The npm registry Node versions a repository asks for are fetched from; null: never fetched. */
  nodeRegistry: string | null;
  /** Ceilings for one command of the agent (and tests) and one setup step. */
  commandTimeoutMs: number;
  setupTimeoutMs: number;
  /** Per-command limits inside the sandbox. */
  sandboxLimits: ResourceLimits;
  /** The unprivileged host user sandboxed commands run as when the app runs as root. */
  sandboxUid: number;
  /** Whether a repository's `sandbox.network: true` is honoured for the agent loop (a hostile model with the host's network reaches internal services). */
  agentNetwork: boolean;
  /** The egress firewall: what sandboxed commands with network may reach (`PATCHWRIGHT_EGRESS_ALLOW`), and the app's listeners they never may. */
  egress: EgressSettings;
  /** How long running jobs may take to finish on SIGTERM before they are requeued. */
  shutdownGraceSeconds: number;
  /** Free disk space a sandboxed command may not take the host below. */
  minFreeDiskBytes: number;
  /** Free inodes likewise (the run's temp dir and the worktree are on the data disk). */
  minFreeInodes: number;
  /** The size of each tmpfs in the sandbox (/dev/shm, /run, /var/tmp). */
  sandboxTmpfsBytes: number;
  /** Host folders the sandbox never sees, besides the app's own (its directory, cwd, home, data dir, key folder). */
  sandboxHide: string[];
  /** A cgroup folder delegated to the app (each command gets a child of it with the memory limit), or `off`. */
  sandboxCgroup: string | undefined;
  /** Stated factors for the energy estimate of a run (shown with every figure made from them). */
  energy: { whPerCpuHour: number; whPerThousandTokens: number };
  /** The docker backend: a Docker-compatible CLI, its OCI runtime, the default image and the images repositories may pick. */
  docker: { cli: string; runtime: string | undefined; image: string; approvedImages: string[] };
  /** Scale-out mode (`PATCHWRIGHT_REDIS_URL`): jobs through BullMQ, shared state in Redis; null: SQLite, one process. */
  redis: { url: string; prefix: string; lockMs: number; insecure?: boolean } | null;
  /** What `patchwright serve` does: take webhooks, run jobs, or both. */
  role: 'web' | 'worker' | 'all';
  /** Where `serve` listens, and how much it logs. */
  server: {
    host: string;
    port: number;
    logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
    metricsToken: string | undefined;
  };
  /** GitHub's web and API addresses (github.com, or GitHub Enterprise Server's). */
  github: { webUrl: string; apiUrl: string };
  /** The dashboard's sign-in and who sees what (see docs/operations/dashboard.md). */
  dashboard: {
    token: string | undefined;
    oauth: { clientId: string; clientSecret: string } | undefined;
    viewPermission: 'read' | 'triage' | 'write' | 'maintain' | 'admin';
    publicUrl: string | undefined;
  };
  /** `serve --app-server`'s defaults. */
  appServer: { listen: string | undefined; tokenFile: string | undefined };
};

export class SettingsError extends Error {
  readonly code = 'invalid_settings';
}

/** A comma-separated list of variable names; the app's own secrets are refused by name. */
function names(setting: string, raw: string): string[] {
  const list = raw
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  for (const n of list) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new SettingsError(`${setting}: ${n} is not a variable name`);
    if (NEVER.test(n))
      throw new SettingsError(`${setting}: ${n} is one of the app's own secrets and never enters the sandbox`);
  }
  return list;
}

/**
 * Scale-out's Redis, with its password: in the URL (`redis://:PASSWORD@host:6379`) or in the file
 * `PATCHWRIGHT_REDIS_PASSWORD_FILE` names (a compose secret). Whoever can write to Redis can queue
 * jobs for any repository the app is installed on, so a Redis without a password is refused
 * unless `PATCHWRIGHT_REDIS_INSECURE=1` says that is meant.
 */
function redisSettings(
  raw: string,
  passwordFile: string | undefined,
  insecure: boolean,
  prefix: string,
  lockSeconds: number,
): NonNullable<Settings['redis']> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SettingsError('PATCHWRIGHT_REDIS_URL: not a URL (redis://[:PASSWORD@]HOST:PORT[/DB])');
  }
  if (passwordFile !== undefined) {
    if (url.password)
      throw new SettingsError(
        'PATCHWRIGHT_REDIS_URL carries a password and PATCHWRIGHT_REDIS_PASSWORD_FILE names another: keep one of them',
      );
    let password: string;
    try {
      password = fs.readFileSync(passwordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new SettingsError(
        `PATCHWRIGHT_REDIS_PASSWORD_FILE: ${passwordFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); it holds the Redis password, one line`,
      );
    }
    if (!password)
      throw new SettingsError(
        `PATCHWRIGHT_REDIS_PASSWORD_FILE: ${passwordFile} is empty; it holds the Redis password, one line`,
      );
    url.password = encodeURIComponent(password);
  }
  if (!url.password && !insecure) {
    throw new SettingsError(
      'PATCHWRIGHT_REDIS_URL has no password: whoever can reach that Redis could queue jobs for any repository the app is installed on, cancel runs and read their logs. ' +
        'Give Redis a password (requirepass; compose.yaml reads one from the secret redis-password) and put it in the URL (redis://:PASSWORD@HOST:6379) or in a file named by PATCHWRIGHT_REDIS_PASSWORD_FILE; ' +
        'or set PATCHWRIGHT_REDIS_INSECURE=1 to run without one (a test machine only).',
    );
  }
  return { url: url.toString(), prefix, lockMs: lockSeconds * 1000, ...(insecure ? { insecure } : {}) };
}

function egressSettings(env: NodeJS.ProcessEnv): EgressSettings {
  try {
    return egressSettingsFrom(env);
  } catch (e) {
    if (e instanceof AllowListError) throw new SettingsError(`PATCHWRIGHT_EGRESS_ALLOW: ${e.message}`);
    throw e;
  }
}

/** A comma-separated list of absolute host paths. */
function absolutePaths(setting: string, raw: string): string[] {
  return raw
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)
    .map((p) => {
      if (!path.isAbsolute(p)) throw new SettingsError(`${setting}: ${p} is not an absolute path`);
      return path.resolve(p);
    });
}

/** `off` (or `none`), or the registry's URL; by default npm's own. */
function nodeRegistry(raw: string | undefined): string | null {
  const value = raw?.trim() || 'https://registry.npmjs.org/';
  if (/^(off|none|false|0)$/i.test(value)) return null;
  if (!/^https?:\/\/[^\s/]+/.test(value))
    throw new SettingsError(
      `PATCHWRIGHT_NODE_REGISTRY: ${value} is not an http(s) URL; use the registry's URL, or off`,
    );
  return value.endsWith('/') ? value : `${value}/`;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const blankless = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = SettingsSchema.safeParse(blankless);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new SettingsError(`Invalid environment: ${lines.join('; ')}`);
  }
  const s = parsed.data;
  const dataDir = path.resolve(s.PATCHWRIGHT_DATA_DIR);
  const sandboxPaths = absolutePaths('PATCHWRIGHT_SANDBOX_PATHS', s.PATCHWRIGHT_SANDBOX_PATHS);
  for (const p of sandboxPaths) {
    // What sandboxes write (worktrees, run dirs, caches) is never a mount source: a command could swap it for a link.
    const under = ['worktrees', 'runs', 'cache']
      .map((d) => path.join(dataDir, d))
      .find((d) => p === d || p.startsWith(d + path.sep));
    if (under)
      throw new SettingsError(
        `PATCHWRIGHT_SANDBOX_PATHS: ${p} is inside ${under}, which sandboxes write: name a folder outside the data dir's worktrees, runs and caches`,
      );
  }
  return {
    dataDir,
    sandbox: s.PATCHWRIGHT_SANDBOX,
    concurrency: s.PATCHWRIGHT_CONCURRENCY,
    appSlug: s.PATCHWRIGHT_APP_SLUG,
    model: s.PATCHWRIGHT_MODEL,
    modelApi: s.PATCHWRIGHT_MODEL_API,
    reasoningEffort: s.PATCHWRIGHT_REASONING_EFFORT,
    pricesFile: s.PATCHWRIGHT_PRICES_FILE,
    ceilings: {
      maxTurns: s.PATCHWRIGHT_MAX_TURNS,
      maxTokens: s.PATCHWRIGHT_MAX_TOKENS,
      maxCostUsd: s.PATCHWRIGHT_MAX_COST_USD,
      maxMinutes: s.PATCHWRIGHT_MAX_MINUTES,
    },
    mirrorBudgetBytes: s.PATCHWRIGHT_MIRROR_BUDGET_MB * 1024 * 1024,
    openaiBaseUrl: s.OPENAI_BASE_URL,
    contextTokens: s.PATCHWRIGHT_CONTEXT_TOKENS,
    sandboxPassEnv: s.PATCHWRIGHT_SANDBOX_PASS_ENV.split(',')
      .map((n) => n.trim())
      .filter(Boolean),
    sandboxEnv: names('PATCHWRIGHT_SANDBOX_ENV', s.PATCHWRIGHT_SANDBOX_ENV),
    setupSecrets: names('PATCHWRIGHT_SETUP_SECRETS', s.PATCHWRIGHT_SETUP_SECRETS),
    sandboxPaths,
    pipConfig: s.PATCHWRIGHT_PIP_CONFIG.split(',')
      .map((n) => n.trim())
      .filter(Boolean)
      .map((p) => {
        if (!path.isAbsolute(p)) throw new SettingsError(`PATCHWRIGHT_PIP_CONFIG: ${p} is not an absolute path`);
        if (!fs.existsSync(p) || !fs.statSync(p).isFile())
          throw new SettingsError(
            `PATCHWRIGHT_PIP_CONFIG: ${p} is not a file; name the deployment's pip config files (pip config list -v shows where pip reads them)`,
          );
        return path.resolve(p);
      }),
    toolchainDir: path.join(path.resolve(s.PATCHWRIGHT_DATA_DIR), 'toolchains'),
    nodeRegistry: nodeRegistry(s.PATCHWRIGHT_NODE_REGISTRY ?? env.npm_config_registry),
    commandTimeoutMs: s.PATCHWRIGHT_COMMAND_TIMEOUT_SECONDS * 1000,
    setupTimeoutMs: s.PATCHWRIGHT_SETUP_TIMEOUT_SECONDS * 1000,
    sandboxUid: s.PATCHWRIGHT_SANDBOX_UID,
    shutdownGraceSeconds: s.PATCHWRIGHT_SHUTDOWN_GRACE_SECONDS,
    agentNetwork: s.PATCHWRIGHT_AGENT_NETWORK === 'allow',
    egress: egressSettings(blankless),
    minFreeDiskBytes: Math.round(s.PATCHWRIGHT_MIN_FREE_DISK_MB * 1024 * 1024),
    minFreeInodes: s.PATCHWRIGHT_MIN_FREE_INODES,
    sandboxTmpfsBytes: Math.round(s.PATCHWRIGHT_SANDBOX_TMPFS_MB * 1024 * 1024),
    sandboxHide: absolutePaths('PATCHWRIGHT_SANDBOX_HIDE', s.PATCHWRIGHT_SANDBOX_HIDE),
    sandboxCgroup: s.PATCHWRIGHT_SANDBOX_CGROUP,
    energy: { whPerCpuHour: s.PATCHWRIGHT_WH_PER_CPU_HOUR, whPerThousandTokens: s.PATCHWRIGHT_WH_PER_1K_TOKENS },
    docker: {
      cli: s.PATCHWRIGHT_DOCKER_CLI,
      runtime: s.PATCHWRIGHT_DOCKER_RUNTIME,
      image: s.PATCHWRIGHT_SANDBOX_IMAGE,
      approvedImages: [
        s.PATCHWRIGHT_SANDBOX_IMAGE,
        ...s.PATCHWRIGHT_SANDBOX_IMAGES.split(',')
          .map((n) => n.trim())
          .filter(Boolean),
      ],
    },
    redis: s.PATCHWRIGHT_REDIS_URL
      ? redisSettings(
          s.PATCHWRIGHT_REDIS_URL,
          s.PATCHWRIGHT_REDIS_PASSWORD_FILE,
          s.PATCHWRIGHT_REDIS_INSECURE === '1',
          s.PATCHWRIGHT_REDIS_PREFIX,
          s.PATCHWRIGHT_JOB_LOCK_SECONDS,
        )
      : null,
    role: s.PATCHWRIGHT_ROLE,
    server: { host: s.HOST, port: s.PORT, logLevel: s.LOG_LEVEL, metricsToken: s.PATCHWRIGHT_METRICS_TOKEN },
    github: s.GHE_HOST
      ? { webUrl: `${s.GHE_PROTOCOL}://${s.GHE_HOST}`, apiUrl: `${s.GHE_PROTOCOL}://${s.GHE_HOST}/api/v3` }
      : { webUrl: 'https://github.com', apiUrl: 'https://api.github.com' },
    dashboard: {
      token: s.PATCHWRIGHT_DASHBOARD_TOKEN,
      oauth:
        s.GITHUB_CLIENT_ID && s.GITHUB_CLIENT_SECRET
          ? { clientId: s.GITHUB_CLIENT_ID, clientSecret: s.GITHUB_CLIENT_SECRET }
          : undefined,
      viewPermission: s.PATCHWRIGHT_DASHBOARD_PERMISSION,
      publicUrl: s.PATCHWRIGHT_PUBLIC_URL?.replace(/\/$/, ''),
    },
    appServer: { listen: s.PATCHWRIGHT_APP_SERVER_LISTEN, tokenFile: s.PATCHWRIGHT_APP_SERVER_TOKEN_FILE },
    sandboxLimits: {
      cpuSeconds: defaultLimits.cpuSeconds,
      processes: s.PATCHWRIGHT_SANDBOX_PROCESSES,
      fileSizeBytes: Math.round(s.PATCHWRIGHT_SANDBOX_FILE_MB * 1024 * 1024),
      memoryBytes: Math.round(s.PATCHWRIGHT_SANDBOX_MEMORY_MB * 1024 * 1024),
    },
  };
}
