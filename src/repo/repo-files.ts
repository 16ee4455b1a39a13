import fs from 'node:fs';
import path from 'node:path';

/** Read-only access to a checkout that never follows a link out of it. */
export class RepoFiles {
  readonly root: string;

  constructor(root: string) {
    this.root = fs.realpathSync(root);
  }

  /** The real path of `rel` if it exists and stays inside the checkout. */
  resolve(rel: string): string | undefined {
    const full = path.join(this.root, rel);
    let real: string;
    try {
      real = fs.realpathSync(full);
    } catch {
      return undefined;
    }
    return real === this.root || real.startsWith(this.root + path.sep) ? real : undefined;
  }

  exists(rel: string): boolean {
    return this.resolve(rel) !== undefined;
  }

  isDir(rel: string): boolean {
    const p = this.resolve(rel);
    return !!p && fs.statSync(p).isDirectory();
  }

  /** Text of a small file; undefined when missing, outside, too big or binary. */
  read(rel: string, maxBytes = 1024 * 1024): string | undefined {
    const p = this.resolve(rel);
    if (!p) return undefined;
    const st = fs.statSync(p);
    if (!st.isFile() || st.size > maxBytes) return undefined;
    const buf = fs.readFileSync(p);
    if (buf.includes(0)) return undefined;
    return buf.toString('utf8');
  }

  list(rel = '.'): string[] {
    const p = this.resolve(rel);
    if (!p || !fs.statSync(p).isDirectory()) return [];
    return fs.readdirSync(p).sort();
  }

  /** Files below the root (not following links), skipping vendored and build dirs; capped. */
  walk(limit = 20_000): { files: string[]; truncated: boolean } {
    const files: string[] = [];
    const stack = ['.'];
    while (stack.length) {
      const dir = stack.pop()!;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(path.join(this.root, dir), { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) {
        const rel = dir === '.' ? e.name : `${dir}/${e.name}`;
        if (e.isDirectory()) {
          if (!SKIP.has(e.name)) stack.push(rel);
        } else if (e.isFile()) {
          files.push(rel);
          if (files.length >= limit) return { files, truncated: true };
        }
      }
    }
    return { files, truncated: false };
  }

  /** 1-based line of the first line matching `re`, or 1. */
  lineOf(rel: string, re: RegExp): number {
    const text = this.read(rel) ?? '';
    const idx = text.split('\n').findIndex((l) => re.test(l));
    return idx < 0 ? 1 : idx + 1;
  }
}

const SKIP = new Set([
  '.git',
  'node_modules',
  'vendor',
  'third_party',
  'target',
  'dist',
  'build',
  '.venv',
  'venv',
  '__pycache__',
  '.tox',
  '.gradle',
]);
