import fs from 'node:fs';
import path from 'node:path';
import { checkHostOnlyDir, ensureHostOnlyDir } from './host-only.ts';

/**
 * From /etc only what programs need to run: no shadow, no credentials, no machine-wide
 * package-manager or git config.
 */
const ETC = [
  'alternatives',
  'ca-certificates',
  'ca-certificates.conf',
  'ssl',
  'pki',
  'crypto-policies',
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'localtime',
  'timezone',
  'zoneinfo',
  'nsswitch.conf',
  'host.conf',
  'hosts',
  'resolv.conf',
  'gai.conf',
  'protocols',
  'services',
  'networks',
  'os-release',
  'debian_version',
  'lsb-release',
  'mime.types',
  'magic',
  'magic.mime',
  'locale.alias',
  'locale.conf',
  'inputrc',
  'shells',
  'login.defs',
  'fonts',
  'java-11-openjdk',
  'java-17-openjdk',
  'java-21-openjdk',
  'maven',
  'perl',
  'python3',
  'python3.11',
  'python3.12',
  'python3.13',
  'ruby',
];

const made = new Map<string, string>();

/**
 * A copy of the allowed part of the host's /etc, with a passwd and group that name only the
 * sandbox user, made once per process and user in a host-only folder (`hostDir`, 0700, the
 * app's) and mounted as one by descriptor: one mount instead of forty keeps a command's start-up
 * cost low, and no sandbox (nor any other user of the host) can change it. Links inside copied
 * folders (certificates, alternatives) stay links into /usr; a linked top-level file (resolv.conf
 * into /run) is copied as its content.
 */
export function sandboxEtc(uid: number, gid: number, hostDir: string, root = '/'): string {
  const key = `${uid}:${gid}:${root}:${hostDir}`;
  const known = made.get(key);
  if (known && fs.existsSync(path.join(known, 'passwd'))) {
    checkHostOnlyDir(path.dirname(known));
    return known;
  }
  ensureHostOnlyDir(hostDir);
  const dir = fs.mkdtempSync(path.join(hostDir, `etc-${uid}-`));
  fs.chmodSync(dir, 0o755);
  for (const name of ETC) {
    const src = path.join(root, 'etc', name);
    const st = fs.statSync(src, { throwIfNoEntry: false });
    if (!st) continue;
    try {
      if (st.isDirectory()) {
        // ssl/private holds the host's TLS keys.
        fs.cpSync(src, path.join(dir, name), {
          recursive: true,
          verbatimSymlinks: true,
          filter: (from) => path.basename(from) !== 'private',
        });
      } else if (st.isFile() && st.size < 4 * 1024 * 1024) {
        fs.copyFileSync(src, path.join(dir, name));
        fs.chmodSync(path.join(dir, name), 0o644);
      }
    } catch {
      // An unreadable entry is simply left out.
    }
  }
  writeIdentityFiles(dir, uid, gid);
  made.set(key, dir);
  return dir;
}

/** passwd and group files that name the sandbox user and nobody else of the host. */
export function writeIdentityFiles(dir: string, uid: number, gid: number): Record<string, string> {
  fs.mkdirSync(dir, { recursive: true });
  const passwd = path.join(dir, 'passwd');
  const group = path.join(dir, 'group');
  fs.writeFileSync(
    passwd,
    `root:x:0:0:root:/nonexistent:/usr/sbin/nologin\nsandbox:x:${uid}:${gid}:sandbox:/tmp/home:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`,
  );
  fs.writeFileSync(group, `root:x:0:\nsandbox:x:${gid}:\nnogroup:x:65534:\n`);
  return { passwd, group };
}
