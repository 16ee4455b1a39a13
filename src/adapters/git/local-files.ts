import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { WorkspaceFiles } from '../../core/ports.ts';

/** Files larger than this are not read into the app (a model can make a 10 GB file). */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

/**
 * WorkspaceFiles on the local disk. Sandboxed commands shape this tree, so nothing is taken on
 * trust: a path is resolved through every link and must stay inside the root and out of any
 * `.git`; the file itself must be a regular file, opened without following a link and without
 * blocking (a FIFO would hang the app); writes replace the file by rename, so they never go
 * through a link or a hard link to somewhere else.
 */
export function localFiles(root: string): WorkspaceFiles {
  const base = path.resolve(root);
  const realRoot = () => fs.realpath(base);
  /** The real path of `rel`'s folder, the name in it, and why not (or null). */
  const locate = async (rel: string, forRead = false): Promise<{ full: string; why: string | null }> => {
    const rr = await realRoot();
    const full = path.resolve(base, rel);
    if (full !== base && !full.startsWith(base + path.sep)) return { full, why: 'is outside the repository' };
    const parent = await realAncestor(path.dirname(full));
    if (!parent) return { full, why: 'resolves (through a link) outside the repository' };
    const real = path.join(parent.real, parent.rest, path.basename(full));
    if (real !== rr && !real.startsWith(rr + path.sep))
      return { full, why: 'resolves (through a link) outside the repository' };
    if (
      path
        .relative(rr, real)
        .split(path.sep)
        .some((part) => part.toLowerCase() === '.git')
    )
      return { full, why: 'is inside .git' };
    const st = await fs.lstat(real).catch(() => null);
    // Reading through a link that stays inside (AGENTS.md -> docs/AGENTS.md) is fine; writing never is.
    if (st?.isSymbolicLink() && forRead) {
      const target = await fs.realpath(real).catch(() => null);
      if (!target) return { full: real, why: 'is a link that points nowhere' };
      const rel2 = path.relative(rr, target);
      return rel2.startsWith('..') || path.isAbsolute(rel2)
        ? { full: real, why: 'resolves (through a link) outside the repository' }
        : locate(rel2, true);
    }
    if (st?.isSymbolicLink())
      return { full: real, why: 'is a symbolic link; the harness does not write or read through links' };
    if (st && !st.isFile())
      return { full: real, why: st.isDirectory() ? 'is a folder' : 'is not a regular file (a FIFO, socket or device)' };
    if (st && st.size > MAX_FILE_BYTES) return { full: real, why: `is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB` };
    return { full: real, why: null };
  };
  const must = async (rel: string) => {
    const { full, why } = await locate(rel);
    if (why) throw new Error(`${rel} ${why}`);
    return full;
  };
  return {
    root: base,
    async refusal(rel) {
      return (await locate(rel)).why;
    },
    async read(rel) {
      const { full, why } = await locate(rel, true);
      if (why) return null;
      let handle: fs.FileHandle | undefined;
      try {
        handle = await fs.open(full, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
        const st = await handle.stat();
        if (!st.isFile() || st.size > MAX_FILE_BYTES) return null;
        return await handle.readFile('utf8');
      } catch {
        return null;
      } finally {
        await handle?.close();
      }
    },
    async write(rel, text) {
      const full = await must(rel);
      await fs.mkdir(path.dirname(full), { recursive: true });
      const tmp = path.join(path.dirname(full), `.patchwright-${process.pid}-${Date.now()}-${path.basename(full)}`);
      const mode = await fs.stat(full).then(
        (s) => s.mode & 0o777,
        () => 0o644,
      );
      await fs.writeFile(tmp, text, { flag: 'wx', mode });
      // The sandbox may run as another user than the app: the file keeps the checkout's owner.
      const owner = await fs.stat(base);
      if (typeof process.getuid === 'function' && process.getuid() === 0) await fs.lchown(tmp, owner.uid, owner.gid);
      await fs.rename(tmp, full);
    },
    async remove(rel) {
      await fs.rm(await must(rel), { force: true });
    },
  };
}

/** The nearest existing ancestor's real path and the part below it that does not exist yet. */
async function realAncestor(dir: string): Promise<{ real: string; rest: string } | null> {
  let probe = dir;
  let rest = '';
  for (;;) {
    try {
      return { real: await fs.realpath(probe), rest };
    } catch {
      // A link that points nowhere would be followed by a write: refuse it.
      if (
        await fs.lstat(probe).then(
          () => true,
          () => false,
        )
      )
        return null;
      const parent = path.dirname(probe);
      if (parent === probe) return null;
      rest = rest ? path.join(path.basename(probe), rest) : path.basename(probe);
      probe = parent;
    }
  }
}
