import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { AddressInfo } from 'node:net';
import { readSettings } from '../adapters/env/read-settings.ts';
import { EventLog } from '../adapters/store/event-log.ts';
import { openDatabase } from '../adapters/store/open-database.ts';
import { RunList } from '../adapters/store/run-list.ts';
import { dashboardSessionKey } from '../adapters/store/session-key.ts';
import { evalReports } from '../adapters/store/eval-store.ts';
import { createDashboard } from '../dashboard/dashboard.ts';

/**
 * `patchwright dashboard [--port N]`: the dashboard for the runs `patchwright run` and `eval` recorded in the
 * data dir, on this machine only (loopback, no sign-in, no buttons: there is no GitHub thread).
 */
export async function dashboardCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string', default: '4600' } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be a port number, got ${values.port}`);
  const settings = readSettings({ PATCHWRIGHT_DATA_DIR: path.join(os.homedir(), '.cache', 'patchwright'), ...env });
  const db = openDatabase(settings.dataDir);
  const handler = createDashboard({
    runs: new RunList(db),
    events: new EventLog(db),
    sessionKey: dashboardSessionKey(settings.dataDir),
    secureCookies: false,
    viewPermission: 'read',
    energy: settings.energy,
    webUrl: 'https://github.com',
    evals: {
      list: () => evalReports(settings.dataDir),
      get: (key) => evalReports(settings.dataDir).find((e) => e.key === key)?.report ?? null,
    },
  });
  const server = http.createServer((req, res) => {
    handler(req, res).then(
      (handled) => handled || res.writeHead(302, { location: '/dashboard' }).end(),
      () => res.headersSent || res.writeHead(500).end('The dashboard failed on this request.\n'),
    );
  });
  await new Promise<void>(
    (resolve, reject) => (server.once('error', reject), server.listen(port, '127.0.0.1', () => resolve())),
  );
  process.stderr.write(
    `Patchwright dashboard for ${settings.dataDir} on http://127.0.0.1:${(server.address() as AddressInfo).port}/dashboard (this machine only)\n`,
  );
  await new Promise<void>((resolve) => (process.once('SIGINT', resolve), process.once('SIGTERM', resolve)));
  server.close();
  db.close();
  return 0;
}
