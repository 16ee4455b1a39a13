import path from 'node:path';
import { defaultLimits, type ResourceLimits } from '../sandbox/limits.ts';
import { NEVER } from '../sandbox/sandbox-env.ts';
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
  /** Ceilings for one command of the agent (and tests) and one setup step. */
  commandTimeoutMs: number;
  setupTimeoutMs: number;
  /** Per-command limits inside the sandbox. */
  sandboxLimits: ResourceLimits;
  /** The unprivileged host user sandboxed commands run as when the app runs as root. */
  sandboxUid: number;
  /** Whether a repository's `sandbox.network: true` is honoured for the agent loop (a hostile model with the host's network reaches internal services). */
  agentNetwork: boolean;
  /** How long running jobs may take to finish on SIGTERM before they are requeued. */
  shutdownGraceSeconds: number;
  /** Free disk space a sandboxed command may not take the host below. */
  minFreeDiskBytes: number;
  /** Stated factors for the energy estimate of a run (shown with every figure made from them). */
  energy: { whPerCpuHour: number; whPerThousandTokens: number };
  /** The docker backend: a Docker-compatible CLI, its OCI runtime, the default image and the images repositories may pick. */
  docker: { cli: string; runtime: string | undefined; image: string; approvedImages: string[] };
  /** Scale-out mode (`PATCHWRIGHT_REDIS_URL`): jobs through BullMQ, shared state in Redis; null: SQLite, one process. */
  redis: { url: string; prefix: string; lockMs: number } | null;
  /** What `patchwright serve` does: take webhooks, run jobs, or both. */
  role: 'web' | 'worker' | 'all';
  /** Where `serve` listens, and how much it logs. */
  server: { host: string; port: number; logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'; metricsToken: string | undefined };
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
  const list = raw.split(',').map((n) => n.trim()).filter(Boolean);
  for (const n of list) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new SettingsError(`${setting}: ${n} is not a variable name`);
    if (NEVER.test(n)) throw new SettingsError(`${setting}: ${n} is one of the app's own secrets and never enters the sandbox`);
  }
  return list;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const blankless = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = SettingsSchema.safeParse(blankless);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new SettingsError(`Invalid environment: ${lines.join('; ')}`);
  }
  const s = parsed.data;
  return {
    dataDir: path.resolve(s.PATCHWRIGHT_DATA_DIR),
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
    sandboxPassEnv: s.PATCHWRIGHT_SANDBOX_PASS_ENV.split(',').map((n) => n.trim()).filter(Boolean),
    sandboxEnv: names('PATCHWRIGHT_SANDBOX_ENV', s.PATCHWRIGHT_SANDBOX_ENV),
    setupSecrets: names('PATCHWRIGHT_SETUP_SECRETS', s.PATCHWRIGHT_SETUP_SECRETS),
    sandboxPaths: s.PATCHWRIGHT_SANDBOX_PATHS.split(',').map((n) => n.trim()).filter(Boolean).map((p) => {
      if (!path.isAbsolute(p)) throw new SettingsError(`PATCHWRIGHT_SANDBOX_PATHS: ${p} is not an absolute path`);
      return path.resolve(p);
    }),
    commandTimeoutMs: s.PATCHWRIGHT_COMMAND_TIMEOUT_SECONDS * 1000,
    setupTimeoutMs: s.PATCHWRIGHT_SETUP_TIMEOUT_SECONDS * 1000,
    sandboxUid: s.PATCHWRIGHT_SANDBOX_UID,
    shutdownGraceSeconds: s.PATCHWRIGHT_SHUTDOWN_GRACE_SECONDS,
    agentNetwork: s.PATCHWRIGHT_AGENT_NETWORK === 'allow',
    minFreeDiskBytes: Math.round(s.PATCHWRIGHT_MIN_FREE_DISK_MB * 1024 * 1024),
    energy: { whPerCpuHour: s.PATCHWRIGHT_WH_PER_CPU_HOUR, whPerThousandTokens: s.PATCHWRIGHT_WH_PER_1K_TOKENS },
    docker: {
      cli: s.PATCHWRIGHT_DOCKER_CLI,
      runtime: s.PATCHWRIGHT_DOCKER_RUNTIME,
      image: s.PATCHWRIGHT_SANDBOX_IMAGE,
      approvedImages: [s.PATCHWRIGHT_SANDBOX_IMAGE, ...s.PATCHWRIGHT_SANDBOX_IMAGES.split(',').map((n) => n.trim()).filter(Boolean)],
    },
    redis: s.PATCHWRIGHT_REDIS_URL ? { url: s.PATCHWRIGHT_REDIS_URL, prefix: s.PATCHWRIGHT_REDIS_PREFIX, lockMs: s.PATCHWRIGHT_JOB_LOCK_SECONDS * 1000 } : null,
    role: s.PATCHWRIGHT_ROLE,
    server: { host: s.HOST, port: s.PORT, logLevel: s.LOG_LEVEL, metricsToken: s.PATCHWRIGHT_METRICS_TOKEN },
    github: s.GHE_HOST ? { webUrl: `${s.GHE_PROTOCOL}://${s.GHE_HOST}`, apiUrl: `${s.GHE_PROTOCOL}://${s.GHE_HOST}/api/v3` } : { webUrl: 'https://github.com', apiUrl: 'https://api.github.com' },
    dashboard: {
      token: s.PATCHWRIGHT_DASHBOARD_TOKEN,
      oauth: s.GITHUB_CLIENT_ID && s.GITHUB_CLIENT_SECRET ? { clientId: s.GITHUB_CLIENT_ID, clientSecret: s.GITHUB_CLIENT_SECRET } : undefined,
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
