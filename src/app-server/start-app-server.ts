import fs from 'node:fs';
import path from 'node:path';
import type { Settings } from '../adapters/env/read-settings.ts';
import { AppThreadStore } from '../adapters/store/app-thread-store.ts';
import { openDatabase } from '../adapters/store/open-database.ts';
import type { ModelClient } from '../core/model/model-port.ts';
import type { ServerFacts } from './session-answers.ts';
import { ThreadHub } from './thread-hub.ts';
import { localEngine } from './local-engine.ts';
import type { TurnEngine } from './turn-engine.ts';

export const APP_SERVER_VERSION = '0.1.0';

/** Trust a person gave folders ("Trust this folder?"), kept as JSON in the data dir. */
function trustFacts(dataDir: string): Pick<ServerFacts, 'trusted' | 'setTrust' | 'trustFile'> {
  const file = path.join(dataDir, 'app-server-trust.json');
  const read = (): Record<string, boolean> => {
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, boolean>;
    } catch {
      return {};
    }
  };
  return {
    trustFile: file,
    trusted: (cwd) => read()[path.resolve(cwd)] === true,
    setTrust: (cwd, trusted) => {
      const all = { ...read(), [path.resolve(cwd)]: trusted };
      fs.mkdirSync(dataDir, { recursive: true });
      fs.writeFileSync(`${file}.tmp`, JSON.stringify(all, null, 2), { mode: 0o600 });
      fs.renameSync(`${file}.tmp`, file);
    },
  };
}

/** The pieces every transport shares: the facts clients are told, the engine, the threads. */
export function appServerCore(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  opts: { model?: ModelClient; engine?: TurnEngine; watch?: ConstructorParameters<typeof ThreadHub>[0]['watch'] } = {},
) {
  fs.mkdirSync(settings.dataDir, { recursive: true });
  const db = openDatabase(settings.dataDir);
  const engine = opts.engine ?? localEngine(settings, env, opts.model);
  const sandbox = { type: 'workspaceWrite' as const, networkAccess: settings.agentNetwork };
  const facts: ServerFacts = {
    version: APP_SERVER_VERSION,
    model: engine.model,
    dataDir: settings.dataDir,
    defaultApproval: 'on-request',
    defaultSandbox: sandbox,
    ...trustFacts(settings.dataDir),
  };
  const hub = new ThreadHub({
    engine,
    store: new AppThreadStore(db),
    version: APP_SERVER_VERSION,
    defaults: { approval: 'on-request', sandbox },
    ...(opts.watch ? { watch: opts.watch } : {}),
  });
  return { hub, facts, db };
}
