import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Host-only folders: where the app keeps what it hands a sandbox (the /etc copy, the docker
 * backend's masked git config and `.git` file). 0700 and the app's own, outside every folder a
 * sandbox can write, so no sandboxed command can swap what is in them for a link. Each use checks
 * that again, by descriptor, rather than trusting the path.
 */
export class HostOnlyError extends Error {
  readonly code = 'host_only_unsafe';
}

const me = () => (typeof process.getuid === 'function' ? process.getuid() : -1);

/** Makes (or checks) `dir` as a host-only folder: a real folder, the app's, 0700. */
export function ensureHostOnlyDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  checkHostOnlyDir(dir);
  return dir;
}

export function checkHostOnlyDir(dir: string): void {
  const fd = openNoFollow(dir, 'dir');
  try {
    const st = fs.fstatSync(fd);
    if (st.uid !== me())
      throw new HostOnlyError(
        `${dir} belongs to uid ${st.uid}, not to the app (uid ${me()}): remove it, the app makes it again`,
      );
    if ((st.mode & 0o077) !== 0) fs.fchmodSync(fd, st.mode & 0o700);
  } finally {
    fs.closeSync(fd);
  }
}

let processRoot: string | undefined;

/** A host-only folder for this process when the caller names none (tests, the CLI's sandbox command). */
export function processHostDir(): string {
  if (processRoot && fs.existsSync(processRoot)) {
    checkHostOnlyDir(processRoot);
    return processRoot;
  }
  processRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'patchwright-host-'));
  checkHostOnlyDir(processRoot);
  return processRoot;
}

/** Writes `name` in a host-only folder: a new file (never through an existing entry), 0644. */
export function writeHostOnlyFile(dir: string, name: string, content: string): string {
  checkHostOnlyDir(dir);
  const file = path.join(dir, name);
  fs.rmSync(file, { force: true });
  const fd = fs.openSync(
    file,
    fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
    0o644,
  );
  try {
    fs.writeSync(fd, content);
    fs.fchmodSync(fd, 0o644);
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

/** A file this module wrote is still what it was: a regular file of the app's, one link, not swapped. */
export function checkHostOnlyFile(file: string, content: string): void {
  checkHostOnlyDir(path.dirname(file));
  const fd = openNoFollow(file, 'file');
  try {
    const st = fs.fstatSync(fd);
    if (st.uid !== me() || st.nlink !== 1 || st.size !== Buffer.byteLength(content))
      throw new HostOnlyError(`${file} changed since the app wrote it`);
    const buf = Buffer.alloc(st.size);
    fs.readSync(fd, buf, 0, st.size, 0);
    if (buf.toString('utf8') !== content) throw new HostOnlyError(`${file} changed since the app wrote it`);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Opens `p` without following a link anywhere on the way (the real path must be the path), as a
 * folder or a regular file, without blocking (a FIFO). The descriptor is what bwrap then mounts.
 */
export function openNoFollow(p: string, type: 'dir' | 'file'): number {
  let real: string;
  try {
    real = fs.realpathSync(p);
  } catch {
    throw new HostOnlyError(`${p} does not exist`);
  }
  if (real !== path.resolve(p))
    throw new HostOnlyError(`${p} goes through a link (to ${real}); the sandbox is built only from real paths`);
  const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = fs.constants;
  const fd = fs.openSync(p, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | (type === 'dir' ? O_DIRECTORY : 0));
  const st = fs.fstatSync(fd);
  if (type === 'file' && !st.isFile()) {
    fs.closeSync(fd);
    throw new HostOnlyError(`${p} is not a regular file`);
  }
  return fd;
}
