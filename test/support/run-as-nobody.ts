import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { SandboxResult } from '../../src/core/ports.ts';

const NODE = path.resolve('node_modules/.bin/node');

/** Runs sandbox-as-user.ts as `nobody`: the app itself unprivileged, as an ordinary user's deployment runs it. */
export function runAsNobody(input: object): Array<SandboxResult & { audit?: { reads: unknown[] } }> {
  const out = execFileSync(
    'setpriv',
    [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      '--',
      NODE,
      path.resolve('test/support/sandbox-as-user.ts'),
      JSON.stringify(input),
    ],
    {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: '/nonexistent', LANG: 'C.UTF-8' },
      cwd: '/',
    },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!);
}
