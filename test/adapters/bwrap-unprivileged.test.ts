import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';

/**
 * Most of the suite runs as root (the container case). A deployment that runs the app as an
 * ordinary user gets the other identity: a user namespace of its own per command. This runs the
 * sandbox from such a user.
 */
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

it.runIf(asRoot)('as an unprivileged app: a user namespace with no capabilities, seccomp on, the process limit held, files owned by the app user', () => {
  const node = path.resolve('node_modules/.bin/node');
  const out = execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', node, path.resolve('test/adapters/unprivileged/probe.ts')], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: '/tmp', LANG: 'C.UTF-8' },
  });
  const r = JSON.parse(out) as { identity: string; bomb: string; made: string; owner: number };
  expect(r.identity).toMatch(/^1000\n/);
  expect(r.identity).toMatch(/CapEff:\s+0+\n/);
  expect(r.identity).toMatch(/Seccomp:\s+2/);
  expect(r.identity).not.toMatch(/USERNS/);
  expect(r.identity).toMatch(/No such file or directory/);
  expect(Number(r.bomb)).toBeLessThanOrEqual(70);
  expect(r.made).toBe('hi\n');
  expect(r.owner).toBe(65534);
});
