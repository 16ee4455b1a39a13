import fs from 'node:fs';

export interface AppCredentials {
  appId: string;
  privateKey: string;
  secret: string;
  baseUrl: string | undefined;
}

/**
 * Probot's own variables. Returns undefined when the app is not registered yet (no APP_ID or
 * key), which is when `serve` shows Probot's manifest flow instead.
 */
export function readAppCredentials(env: NodeJS.ProcessEnv = process.env): AppCredentials | undefined {
  const appId = env.APP_ID?.trim();
  const privateKey = env.PRIVATE_KEY?.trim()
    ? env.PRIVATE_KEY.replace(/\\n/g, '\n')
    : env.PRIVATE_KEY_PATH
      ? fs.readFileSync(env.PRIVATE_KEY_PATH, 'utf8')
      : undefined;
  if (!appId || !privateKey) return undefined;
  if (!env.WEBHOOK_SECRET) throw new Error('WEBHOOK_SECRET is not set: without it anyone could send webhooks.');
  return { appId, privateKey, secret: env.WEBHOOK_SECRET, baseUrl: apiBaseUrl(env) };
}

function apiBaseUrl(env: NodeJS.ProcessEnv): string | undefined {
  if (!env.GHE_HOST) return undefined;
  return `${env.GHE_PROTOCOL ?? 'https'}://${env.GHE_HOST}/api/v3`;
}
