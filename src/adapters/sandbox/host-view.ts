import fs from 'node:fs';
import path from 'node:path';
import type { Mount } from './mount-table.ts';

/**
 * What of the host's system a sandboxed command may see: named system folders, never `/usr` or
 * `/opt` whole (a deployment under `/opt/<app>` or `/usr/local/<app>` keeps its `.env` there).
 * The toolchains Debian installs live in these; others are named by the deployment
 * (`PATCHWRIGHT_SANDBOX_PATHS`). The app's own folders are hidden even inside them (bwrap-mounts.ts).
 */
export const SYSTEM_DIRS = [
  '/usr/bin',
  '/usr/sbin',
  '/usr/lib',
  '/usr/lib32',
  '/usr/lib64',
  '/usr/libx32',
  '/usr/libexec',
  '/usr/include',
  '/usr/share',
  // Node, npm and pip's console scripts in the app's own image and on most hosts.
  '/usr/local/bin',
  '/usr/local/sbin',
  '/usr/local/lib',
  '/usr/local/include',
  '/usr/local/share',
];
const TOP_LINKS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/** The system part of the mount table: each folder read-only by path (root's own, never a sandbox's). */
export function systemView(root = '/'): Mount[] {
  const at = (p: string) => path.join(root, p);
  const out: Mount[] = [];
  for (const dir of SYSTEM_DIRS) {
    const st = lstat(at(dir));
    if (st?.isDirectory()) out.push({ op: 'ro-bind', source: at(dir), dest: dir, via: 'path', type: 'dir' });
    else if (st?.isSymbolicLink()) out.push({ op: 'symlink', target: fs.readlinkSync(at(dir)), dest: dir });
  }
  for (const top of TOP_LINKS) {
    const st = lstat(at(top));
    if (st?.isSymbolicLink()) out.push({ op: 'symlink', target: fs.readlinkSync(at(top)), dest: top });
    else if (st?.isDirectory()) out.push({ op: 'ro-bind', source: at(top), dest: top, via: 'path', type: 'dir' });
  }
  return out;
}

/** Where the sandbox finds commands Patchwright adds (appended to its PATH). */
export const SANDBOX_EXTRA_BIN = '/run/patchwright/bin';

/**
 * `python` for hosts that only have `python3` (Debian without python-is-python3): CI files and
 * READMEs say `python -m pytest`, written for machines where both exist.
 */
export function aliasMounts(root = '/'): Mount[] {
  const dirs = ['/usr/local/bin', '/usr/bin', '/bin'];
  const has = (name: string) => dirs.some((d) => fs.existsSync(path.join(root, d, name)));
  const links: Array<[string, string]> = [];
  if (!has('python') && has('python3'))
    links.push([dirs.map((d) => path.join(d, 'python3')).find((p) => fs.existsSync(path.join(root, p)))!, 'python']);
  // pnpm and yarn through Node's corepack where the host has no global install: the version a
  // repository pins in `packageManager` is then the one that runs.
  const corepack = corepackDist(root, dirs);
  for (const tool of ['pnpm', 'pnpx', 'yarn', 'yarnpkg']) {
    if (corepack && !has(tool) && fs.existsSync(path.join(root, corepack, `${tool}.js`)))
      links.push([path.join(corepack, `${tool}.js`), tool]);
  }
  if (!links.length) return [];
  return [
    { op: 'dir', dest: SANDBOX_EXTRA_BIN },
    ...links.map(([target, name]): Mount => ({ op: 'symlink', target, dest: `${SANDBOX_EXTRA_BIN}/${name}` })),
  ];
}

/** The folder of corepack's own scripts, found through the `corepack` command's link. */
function corepackDist(root: string, dirs: string[]): string | undefined {
  for (const d of dirs) {
    const link = path.join(root, d, 'corepack');
    try {
      return (
        path
          .dirname(path.resolve(path.dirname(link), fs.readlinkSync(link)))
          .replace(root === '/' ? /^$/ : new RegExp(`^${root}`), '') || undefined
      );
    } catch {
      // not here, or not a link
    }
  }
  return undefined;
}

function lstat(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch {
    return undefined;
  }
}
