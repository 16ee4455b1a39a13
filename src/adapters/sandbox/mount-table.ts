import path from 'node:path';

/**
 * A sandbox's mounts, in order, as data: built in one place (bwrap-mounts.ts), checked here
 * against what any sandbox can write, then turned into bwrap arguments (render-mounts.ts). The
 * invariant test reads the same table.
 *
 * - `bind`/`ro-bind`: a host folder or file. `via: 'fd'` is opened without following links and
 *   checked before each command; bwrap mounts the descriptor, not the path.
 * - `data`: a file whose content the app hands over through a pipe: no host file at all.
 * - `tmpfs`: fresh and sized; `dir`, `symlink`, `dev`, `proc`, `remount-ro` as bwrap's.
 */
export type Mount =
  | {
      op: 'bind' | 'ro-bind';
      source: string;
      dest: string;
      via: 'path' | 'fd';
      type: 'dir' | 'file';
      optional?: boolean;
    }
  | { op: 'data'; dest: string; data: string }
  | { op: 'tmpfs'; dest: string; bytes: number; perms: string }
  | { op: 'dir'; dest: string }
  | { op: 'symlink'; dest: string; target: string }
  | { op: 'dev' | 'proc'; dest: string }
  | { op: 'remount-ro'; dest: string };

export class UnsafeMountError extends Error {
  readonly code = 'unsafe_mount';
}

/** Strictly inside `dir`. */
export const inside = (p: string, dir: string): boolean => p !== dir && (dir === '/' || p.startsWith(dir + path.sep));

/** A writable bind: what is under it persists between commands, and the sandbox shapes it. */
const persisted = (m: Mount) => m.op === 'bind';
const fileLike = (m: Mount) => m.op === 'data' || ((m.op === 'bind' || m.op === 'ro-bind') && m.type === 'file');

/** The mount a destination lands in when `m` is made: the latest earlier mount whose destination holds it. */
function enclosing(mounts: Mount[], i: number): Mount | undefined {
  let best: Mount | undefined;
  for (let j = 0; j < i; j++) {
    const e = mounts[j]!;
    if (e.op === 'symlink' || e.op === 'remount-ro' || e.op === 'dir') continue;
    if (inside(mounts[i]!.dest, e.dest) && (!best || e.dest.length >= best.dest.length)) best = e;
  }
  return best;
}

/**
 * bwrap makes each mount point itself, as root: with `mkdir -p` through whatever links a sandbox
 * left in a writable folder, and with `creat()` through a dangling link for a file. So nothing is
 * mounted deeper than one level inside a writable bind: a fresh, read-only tmpfs ("shield") is put
 * on the first level first, and bwrap makes the rest of the way inside it.
 */
export function withShields(mounts: Mount[]): Mount[] {
  const out: Mount[] = [];
  const shields: string[] = [];
  mounts.forEach((m, n) => {
    const e = enclosing([...out, m], out.length);
    if (e && persisted(e) && m.op !== 'remount-ro') {
      const first = path.join(e.dest, path.relative(e.dest, m.dest).split(path.sep)[0]!);
      // A later mount right there would cover the shield and what is made in it (and take its remount).
      if (first !== m.dest && mounts.slice(n + 1).some((later) => later.dest === first && later.op !== 'remount-ro'))
        throw new UnsafeMountError(`${m.dest} is made before ${first}, which is mounted later and would hide it`);
      if (first !== m.dest && !shields.includes(first)) {
        out.push({ op: 'tmpfs', dest: first, bytes: 1024 * 1024, perms: '0755' });
        shields.push(first);
      }
    }
    out.push(m);
  });
  return [...out, ...shields.map((dest): Mount => ({ op: 'remount-ro', dest }))];
}

/**
 * The invariant, checked on every table before it is used: no bind source lies inside a folder a
 * sandbox can write (`writable`: the worktree, temp dirs and caches of every stage), except the
 * worktree's own `.git` (`allowed`), which is mounted by descriptor; no mount is made deeper than
 * one level inside a writable bind, and no file is mounted inside one at all, except that `.git`.
 */
export function checkMounts(mounts: Mount[], writable: string[], allowed: string[] = []): void {
  mounts.forEach((m, i) => {
    if (m.op === 'bind' || m.op === 'ro-bind') {
      const under = writable.find((w) => inside(m.source, w));
      if (under && !(allowed.includes(m.source) && m.via === 'fd'))
        throw new UnsafeMountError(
          `${m.source} is inside ${under}, which a sandbox can write: it cannot be a mount source`,
        );
    }
    const e = enclosing(mounts, i);
    if (!e || !persisted(e) || m.op === 'remount-ro') return;
    const depth = path.relative(e.dest, m.dest).split(path.sep).length;
    if (fileLike(m) && !allowed.includes(m.dest))
      throw new UnsafeMountError(
        `${m.dest} is a file inside the writable ${e.dest}: bwrap would create it through a link the sandbox left there`,
      );
    if (depth > 1)
      throw new UnsafeMountError(`${m.dest} is ${depth} levels inside the writable ${e.dest} without a shield`);
  });
  const binds = mounts.flatMap((m) => (m.op === 'bind' ? [m.source] : []));
  for (const a of binds)
    for (const b of binds)
      if (inside(a, b)) throw new UnsafeMountError(`${a} is inside ${b}: writable binds cannot nest`);
}

/** The parents of each destination, made 0755 first (bwrap would make them 0700 and root's when the app is root). */
export function withParents(mounts: Mount[]): Mount[] {
  const out: Mount[] = [];
  const made = new Set<string>(['/']);
  for (const m of mounts) {
    if (m.op !== 'remount-ro') {
      const parents: string[] = [];
      for (let d = path.dirname(m.dest); !made.has(d); d = path.dirname(d)) parents.unshift(d);
      for (const d of parents) {
        out.push({ op: 'dir', dest: d });
        made.add(d);
      }
      made.add(m.dest);
    }
    out.push(m);
  }
  return out;
}
