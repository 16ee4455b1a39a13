import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspectRepo } from '../../src/repo/inspect.ts';
import { type Ecosystem, EXPECTED } from './real-repos.expected.ts';

const DATA = path.resolve('fixtures/real-repos');
/** Thousands of small files: memory-backed /dev/shm when there is one (creating files on this disk costs ~1 ms each). */
const FAST_TMP = (() => {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    return '/dev/shm';
  } catch {
    return os.tmpdir();
  }
})();

/** A corpus fixture written out as a checkout (texts kept; other files empty). */
export function materialise(name: string, into = fs.mkdtempSync(path.join(FAST_TMP, `pw-real-${name}-`))): string {
  const { files } = JSON.parse(fs.readFileSync(path.join(DATA, `${name}.json`), 'utf8')) as {
    files: Record<string, string | null>;
  };
  const dirs = new Set(Object.keys(files).map((rel) => path.dirname(rel)));
  for (const dir of [...dirs].sort()) fs.mkdirSync(path.join(into, dir), { recursive: true });
  for (const [rel, text] of Object.entries(files)) fs.writeFileSync(path.join(into, rel), text ?? '');
  return into;
}

export interface Scored {
  name: string;
  ecosystem: Ecosystem;
  ok: boolean;
  test: string | null;
  setup: string[];
  why: string;
}

/** `inspect` on every corpus repository, each judged against what its CI says. */
export function scoreCorpus(): Scored[] {
  return Object.entries(EXPECTED).map(([name, want]) => {
    const dir = materialise(name);
    try {
      const r = inspectRepo(dir);
      const ok = want.test.test(r.test ?? '') && (!want.setup || r.setup.some((s) => want.setup!.test(s)));
      return { name, ecosystem: want.ecosystem, ok, test: r.test, setup: r.setup, why: want.why };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** Right / total per ecosystem, and overall. */
export function scoreTable(results: Scored[]): Array<{ ecosystem: string; right: number; total: number }> {
  const rows = new Map<string, { right: number; total: number }>();
  for (const r of results) {
    const row = rows.get(r.ecosystem) ?? { right: 0, total: 0 };
    row.total++;
    if (r.ok) row.right++;
    rows.set(r.ecosystem, row);
  }
  const all = { right: results.filter((r) => r.ok).length, total: results.length };
  return [...[...rows.entries()].map(([ecosystem, v]) => ({ ecosystem, ...v })), { ecosystem: 'all', ...all }];
}
