import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * What of the host a sandboxed command may see, as bwrap arguments: the system directories and
 * toolchains, and from /etc only what programs need to run (no shadow, no credentials, no
 * machine-wide package-manager or git config). Everything else (home directories, /root, /var,
 * /run and its sockets, the app's own directory and data) simply is not there.
 */
const SYSTEM_DIRS = ['/usr', '/opt'];
const TOP_LINKS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
const ETC = [
  'alternatives', 'ca-certificates', 'ca-certificates.conf', 'ssl', 'pki', 'crypto-policies', 'ld.so.cache', 'ld.so.conf',
  'ld.so.conf.d', 'localtime', 'timezone', 'zoneinfo', 'nsswitch.conf', 'host.conf', 'hosts', 'resolv.conf', 'gai.conf',
  'protocols', 'services', 'networks', 'os-release', 'debian_version', 'lsb-release', 'mime.types', 'magic', 'magic.mime',
  'locale.alias', 'locale.conf', 'inputrc', 'shells', 'login.defs', 'fonts', 'java-11-openjdk', 'java-17-openjdk',
  'java-21-openjdk', 'maven', 'perl', 'python3', 'python3.11', 'python3.12', 'python3.13', 'ruby',
];

export interface HostViewOptions {
  /** The /etc the sandbox sees (see `sandboxEtc`). */
  etcDir: string;
  root?: string;
}

export function hostViewArgs(opts: HostViewOptions): string[] {
  const root = opts.root ?? '/';
  const at = (p: string) => path.join(root, p);
  const args: string[] = [];
  for (const dir of SYSTEM_DIRS) if (exists(at(dir))) args.push('--ro-bind', at(dir), dir);
  for (const top of TOP_LINKS) {
    const st = lstat(at(top));
    if (!st) continue;
    if (st.isSymbolicLink()) args.push('--symlink', fs.readlinkSync(at(top)), top);
    else if (st.isDirectory()) args.push('--ro-bind', at(top), top);
  }
  args.push('--ro-bind', opts.etcDir, '/etc');
  return args;
}

const etcCache = new Map<string, string>();

/**
 * A copy of the allowed part of the host's /etc, with a passwd and group that name only the
 * sandbox user, made once per process and user and mounted as one: one mount instead of forty
 * keeps a command's start-up cost low. Links inside copied folders (certificates, alternatives)
 * stay links into /usr; a linked top-level file (resolv.conf into /run) is copied as its content.
 */
export function sandboxEtc(uid: number, gid: number, root = '/'): string {
  const key = `${uid}:${gid}:${root}`;
  const known = etcCache.get(key);
  if (known && fs.existsSync(path.join(known, 'passwd'))) return known;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchwright-etc-'));
  fs.chmodSync(dir, 0o755);
  for (const name of ETC) {
    const src = path.join(root, 'etc', name);
    const st = fs.statSync(src, { throwIfNoEntry: false });
    if (!st) continue;
    try {
      if (st.isDirectory()) {
        // ssl/private holds the host's TLS keys.
        fs.cpSync(src, path.join(dir, name), { recursive: true, verbatimSymlinks: true, filter: (from) => path.basename(from) !== 'private' });
      } else if (st.isFile() && st.size < 4 * 1024 * 1024) {
        fs.copyFileSync(src, path.join(dir, name));
        fs.chmodSync(path.join(dir, name), 0o644);
      }
    } catch {
      // An unreadable entry is simply left out.
    }
  }
  writeIdentityFiles(dir, uid, gid);
  etcCache.set(key, dir);
  return dir;
}

/** Where the sandbox finds commands Patchwright adds (appended to its PATH). */
export const SANDBOX_EXTRA_BIN = '/run/patchwright/bin';

/**
 * `python` for hosts that only have `python3` (Debian without python-is-python3): CI files and
 * READMEs say `python -m pytest`, written for machines where both exist.
 */
export function aliasArgs(root = '/'): string[] {
  const dirs = ['/usr/local/bin', '/usr/bin', '/bin'];
  const has = (name: string) => dirs.some((d) => fs.existsSync(path.join(root, d, name)));
  const links: Array<[string, string]> = [];
  if (!has('python') && has('python3')) links.push([dirs.map((d) => path.join(d, 'python3')).find((p) => fs.existsSync(path.join(root, p)))!, 'python']);
  // pnpm and yarn through Node's corepack where the host has no global install: the version a
  // repository pins in `packageManager` is then the one that runs.
  const corepack = corepackDist(root, dirs);
  for (const tool of ['pnpm', 'pnpx', 'yarn', 'yarnpkg']) {
    if (corepack && !has(tool) && fs.existsSync(path.join(root, corepack, `${tool}.js`))) links.push([path.join(corepack, `${tool}.js`), tool]);
  }
  if (!links.length) return [];
  return ['--dir', SANDBOX_EXTRA_BIN, ...links.flatMap(([target, name]) => ['--symlink', target, `${SANDBOX_EXTRA_BIN}/${name}`])];
}

/** The folder of corepack's own scripts, found through the `corepack` command's link. */
function corepackDist(root: string, dirs: string[]): string | undefined {
  for (const d of dirs) {
    const link = path.join(root, d, 'corepack');
    try {
      return path.dirname(path.resolve(path.dirname(link), fs.readlinkSync(link))).replace(root === '/' ? /^$/ : new RegExp(`^${root}`), '') || undefined;
    } catch {
      // not here, or not a link
    }
  }
  return undefined;
}

/** passwd and group files that name the sandbox user and nobody else of the host. */
export function writeIdentityFiles(dir: string, uid: number, gid: number): Record<string, string> {
  fs.mkdirSync(dir, { recursive: true });
  const passwd = path.join(dir, 'passwd');
  const group = path.join(dir, 'group');
  fs.writeFileSync(passwd, `root:x:0:0:root:/nonexistent:/usr/sbin/nologin\nsandbox:x:${uid}:${gid}:sandbox:/tmp/home:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`);
  fs.writeFileSync(group, `root:x:0:\nsandbox:x:${gid}:\nnogroup:x:65534:\n`);
  return { passwd, group };
}

function lstat(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch {
    return undefined;
  }
}

function exists(p: string): boolean {
  return fs.existsSync(p);
}
