import fs from 'node:fs/promises';
import path from 'node:path';
import type { WorkspaceFiles } from '../../core/ports.ts';

/** WorkspaceFiles on the local disk, refusing anything whose real path leaves the root. */
export function localFiles(root: string): WorkspaceFiles {
  const base = path.resolve(root);
  const inside = async (rel: string): Promise<string | null> => {
    const full = path.resolve(base, rel);
    const realRoot = await fs.realpath(base);
    // Resolve the nearest existing ancestor: a new file's folder may not exist yet.
    let probe = full;
    let rest = '';
    for (;;) {
      try {
        const real = await fs.realpath(probe);
        const candidate = rest ? path.join(real, rest) : real;
        return candidate === realRoot || candidate.startsWith(realRoot + path.sep) ? candidate : null;
      } catch {
        // A link that points nowhere would be followed by a write: refuse it.
        if (await fs.lstat(probe).then(() => true, () => false)) return null;
        const parent = path.dirname(probe);
        if (parent === probe) return null;
        rest = rest ? path.join(path.basename(probe), rest) : path.basename(probe);
        probe = parent;
      }
    }
  };
  const must = async (rel: string) => {
    const p = await inside(rel);
    if (!p) throw new Error(`${rel} is outside the workspace`);
    return p;
  };
  return {
    root: base,
    realPath: inside,
    async read(rel) {
      const p = await inside(rel);
      if (!p) return null;
      try {
        return await fs.readFile(p, 'utf8');
      } catch {
        return null;
      }
    },
    async write(rel, text) {
      const p = await must(rel);
      await fs.mkdir(path.dirname(p), { recursive: true });
      await fs.writeFile(p, text);
    },
    async remove(rel) {
      await fs.rm(await must(rel), { force: true });
    },
  };
}
