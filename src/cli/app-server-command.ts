import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readSettings } from '../adapters/env/read-settings.ts';
import { NONE_WARNING } from '../adapters/sandbox/create-sandbox.ts';
import { appServerCore } from '../app-server/start-app-server.ts';
import { parseListenUrl, serveStdio, serveWebSocket } from '../app-server/transports.ts';
import { NO_MODEL_HELP } from './run-command.ts';

/**
 * `patchwright app-server [--listen stdio://|ws://HOST:PORT] [--ws-token-file FILE]`: the Codex
 * app-server protocol over Patchwright's engine, for Codex clients (the Codex TUI with --remote).
 */
export async function appServerCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { listen: { type: 'string', default: 'stdio://' }, 'ws-token-file': { type: 'string' } },
  });
  if (!env.OPENAI_API_KEY && !env.OPENAI_BASE_URL) {
    process.stderr.write(NO_MODEL_HELP);
    return 2;
  }
  const settings = readSettings({ PATCHWRIGHT_DATA_DIR: path.join(os.homedir(), '.cache', 'patchwright'), ...env });
  let token: string | undefined;
  if (values['ws-token-file']) {
    const file = values['ws-token-file'];
    const text = fs.readFileSync(file, 'utf8').trim();
    if (!text) throw new Error(`${file} is empty: put the bearer token clients must send in it`);
    token = text;
  }
  if (settings.sandbox === 'none') process.stderr.write(`${NONE_WARNING}\n`);
  const { hub, facts, db } = appServerCore(settings, env);
  const stop = async () => {
    await hub.stopAll();
    db.close();
  };
  if (values.listen === 'stdio://' || values.listen === 'stdio') {
    await serveStdio(process.stdin, process.stdout, hub, facts);
    await stop();
    return 0;
  }
  const listener = await serveWebSocket({ ...parseListenUrl(values.listen!), ...(token ? { token } : {}) }, hub, facts);
  process.stderr.write(
    `Patchwright app server listening on ${listener.url} (health: ${listener.url.replace('ws:', 'http:')}/healthz)\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await listener.close();
  await stop();
  return 0;
}
