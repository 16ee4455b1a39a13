import fs from 'node:fs';
import path from 'node:path';

/** Names whose values are the app's own secrets (kept in step with sandbox-env.ts's NEVER list). */
const SECRET_NAMES =
  /^(PRIVATE_KEY|WEBHOOK_SECRET|OPENAI_API_KEY|GITHUB_TOKEN|GH_TOKEN|CLIENT_SECRET|GITHUB_CLIENT_SECRET|REDIS_URL|PATCHWRIGHT_REDIS_URL|.*_(TOKEN|SECRET|PASSWORD|API_KEY))$/;

/**
 * Every secret value the app holds, for redaction: the environment's secret-named variables,
 * the private key (whole, and each line of its body, so a partial print is caught too) and
 * any extra values (installation tokens, setup secrets) the caller adds.
 */
export function appSecrets(env: NodeJS.ProcessEnv = process.env, extra: Array<string | undefined> = []): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(env)) if (value && SECRET_NAMES.test(name)) out.push(value);
  const key = env.PRIVATE_KEY ?? readKey(env.PRIVATE_KEY_PATH);
  if (key) {
    out.push(key);
    for (const line of key.replace(/\\n/g, '\n').split('\n'))
      if (line.trim().length >= 32 && !line.startsWith('-----')) out.push(line.trim());
  }
  for (const url of [env.PATCHWRIGHT_REDIS_URL, env.REDIS_URL]) {
    const password = url ? passwordOf(url) : '';
    if (password) out.push(password, decodeURIComponent(password));
  }
  // The password compose hands over as a secret file (read-settings.ts puts it in the URL).
  const redisPassword = readKey(env.PATCHWRIGHT_REDIS_PASSWORD_FILE)?.replace(/\r?\n$/, '');
  if (redisPassword) out.push(redisPassword, encodeURIComponent(redisPassword));
  for (const v of extra) if (v) out.push(v, Buffer.from(`x-access-token:${v}`).toString('base64'));
  return out.filter((v) => v.length >= 8);
}

function passwordOf(url: string): string {
  try {
    return new URL(url).password;
  } catch {
    return '';
  }
}

function readKey(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Where the deployment's other secret values are: its data dir (the dashboard key) and the names it hands to sandboxes. */
export interface SecretSources {
  dataDir?: string;
  /** `PATCHWRIGHT_SANDBOX_ENV` and `PATCHWRIGHT_SANDBOX_PASS_ENV`: every command sees these; credentials in them are secrets. */
  sandboxEnv?: string[];
  /** `PATCHWRIGHT_SETUP_SECRETS`: every value is a secret. */
  setupSecrets?: string[];
}

/**
 * Every secret value the deployment holds, for redaction and the push scan: the app's own
 * (appSecrets), the setup secrets' values, the dashboard session key (hex and base64; the raw
 * bytes come from sessionKeyBytes), and the credentials in the values of the names handed to
 * sandboxes (a mirror or proxy URL's password, a value whose name says token or key).
 */
export function deploymentSecrets(
  env: NodeJS.ProcessEnv,
  sources: SecretSources,
  extra: Array<string | undefined> = [],
): string[] {
  const out = appSecrets(env, [...extra, ...(sources.setupSecrets ?? []).map((n) => env[n])]);
  const key = sources.dataDir ? sessionKeyBytes(sources.dataDir) : null;
  if (key) out.push(key.toString('hex'), key.toString('base64'), key.toString('base64url'));
  for (const name of sources.sandboxEnv ?? []) {
    const value = env[name];
    if (value) out.push(...credentialsIn(name, value));
  }
  return [...new Set(out)].filter((v) => v.length >= 8);
}

/** The dashboard's session key as it is kept (raw bytes), if this deployment has made one. */
export function sessionKeyBytes(dataDir: string): Buffer | null {
  try {
    const key = fs.readFileSync(path.join(dataDir, 'dashboard-session.key'));
    return key.length ? key : null;
  } catch {
    return null;
  }
}

const CREDENTIAL_NAME =
  /(TOKEN|SECRET|PASSWORD|PASSWD|PASS|KEY|AUTH|CREDENTIALS?|PAT)$|_(TOKEN|SECRET|PASSWORD|KEY|AUTH)_/i;

/** The parts of a sandbox variable's value that are credentials: user:password in URLs, or the whole value when its name says so. */
export function credentialsIn(name: string, value: string): string[] {
  const out: string[] = [];
  if (CREDENTIAL_NAME.test(name)) out.push(value);
  for (const m of value.matchAll(/([^\s:/@]+):([^\s/@]+)@/g)) {
    out.push(value, m[2]!, `${m[1]}:${m[2]}`);
    try {
      out.push(decodeURIComponent(m[2]!));
    } catch {
      // not percent-encoded
    }
  }
  return out;
}
