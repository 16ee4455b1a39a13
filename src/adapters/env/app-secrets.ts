import fs from 'node:fs';

/** Names whose values are the app's own secrets (kept in step with sandbox-env.ts's NEVER list). */
const SECRET_NAMES = /^(PRIVATE_KEY|WEBHOOK_SECRET|OPENAI_API_KEY|GITHUB_TOKEN|GH_TOKEN|CLIENT_SECRET|GITHUB_CLIENT_SECRET|REDIS_URL|PATCHWRIGHT_REDIS_URL|.*_(TOKEN|SECRET|PASSWORD|API_KEY))$/;

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
    for (const line of key.replace(/\\n/g, '\n').split('\n')) if (line.trim().length >= 32 && !line.startsWith('-----')) out.push(line.trim());
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
