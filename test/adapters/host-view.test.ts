import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { aliasMounts, SANDBOX_EXTRA_BIN } from '../../src/adapters/sandbox/host-view.ts';

const aliasArgs = (root: string) =>
  aliasMounts(root).flatMap((m) => (m.op === 'symlink' ? ['--symlink', m.target, m.dest] : []));
import { tempDir } from '../support/app-harness.ts';

function host(files: string[], links: Record<string, string>): string {
  const root = tempDir('pw-hostview-');
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), '');
  }
  for (const [at, to] of Object.entries(links)) {
    fs.mkdirSync(path.dirname(path.join(root, at)), { recursive: true });
    fs.symlinkSync(to, path.join(root, at));
  }
  return root;
}

it('adds python for a python3-only host, and pnpm/yarn through corepack where the host has none', () => {
  const root = host(
    [
      'usr/bin/python3',
      'usr/lib/node_modules/corepack/dist/corepack.js',
      'usr/lib/node_modules/corepack/dist/pnpm.js',
      'usr/lib/node_modules/corepack/dist/yarn.js',
      'usr/bin/yarn',
    ],
    {
      'usr/bin/corepack': '../lib/node_modules/corepack/dist/corepack.js',
    },
  );
  const args = aliasArgs(root);
  expect(args).toEqual(expect.arrayContaining(['--symlink', '/usr/bin/python3', `${SANDBOX_EXTRA_BIN}/python`]));
  expect(args).toEqual(
    expect.arrayContaining(['--symlink', '/usr/lib/node_modules/corepack/dist/pnpm.js', `${SANDBOX_EXTRA_BIN}/pnpm`]),
  );
  // The host's own yarn wins.
  expect(args.join(' ')).not.toContain(`${SANDBOX_EXTRA_BIN}/yarn`);
});

it('adds nothing where the host has it all', () => {
  expect(aliasArgs(host(['usr/bin/python', 'usr/bin/python3'], {}))).toEqual([]);
});
