import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SandboxResult } from '../../../src/core/ports.ts';
import { startStandIn, type StandIn } from '../../support/stand-in.ts';

/**
 * The firewall when the app runs as an ordinary user (here uid 61159, with setpriv): the proxy's
 * folder is that user's, bwrap makes a user namespace, and setup still gets out only through the
 * proxy. The whole app process is that user, not only bwrap.
 */
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const UID = 61159;
const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'unprivileged-setup.ts');
let standIn: StandIn;
beforeAll(async () => {
  if (asRoot) standIn = await startStandIn();
});
afterAll(async () => {
  await standIn?.close();
});

it.runIf(asRoot)('as an unprivileged app: setup reaches an allowed host through the proxy and nothing else', () => {
  const command = `id -u; curl -sS -m 10 http://localhost:${standIn.httpPort}/__echo; echo; curl -s -m 5 -o /dev/null -w '%{http_code}\\n' https://example.com/`;
  const out = execFileSync(
    'setpriv',
    [
      `--reuid=${UID}`,
      `--regid=${UID}`,
      '--clear-groups',
      '--',
      process.execPath,
      script,
      `localhost:${standIn.httpPort}`,
      command,
    ],
    { encoding: 'utf8', env: { PATH: process.env.PATH, TMPDIR: '/tmp' } },
  );
  const r = JSON.parse(out) as SandboxResult;
  const lines = r.stdout.trim().split('\n');
  expect(lines[0]).toBe('1000');
  expect((JSON.parse(lines[1]!) as { url: string }).url).toBe('/__echo');
  expect(lines[2]).toBe('000');
  expect(r.egressRefused?.map((x) => `${x.host}:${x.port}`)).toEqual(['example.com:443']);
});
