import type { Finding } from './place-findings.ts';

/** A comment the app already made on an earlier review of the same pull request. */
export interface EarlierComment {
  path: string;
  /** Its line then (GitHub's `original_line`), or null for a summary-only finding. */
  line: number | null;
  body: string;
}

const words = (text: string) =>
  new Set(
    text
      .toLowerCase()
      .replace(/```[\s\S]*?```/g, ' ')
      .replace(/[^a-z0-9_]+/g, ' ')
      .split(' ')
      .filter(
        (w) => w.length > 2 && !['critical', 'major', 'minor', 'nit', 'the', 'and', 'this', 'that', 'with'].includes(w),
      ),
  );

function similar(a: Set<string>, b: Set<string>): number {
  if (!a.size || !b.size) return 0;
  let both = 0;
  for (const w of a) if (b.has(w)) both++;
  return both / (a.size + b.size - both);
}

/**
 * A finding the app already reported on this pull request is not said again: the same file, a line
 * close by (the code may have moved a little since), and mostly the same words; nor twice in one review.
 * Returns the new ones and how many were dropped.
 */
export function withoutRepeats(
  findings: Finding[],
  earlier: EarlierComment[],
  near = 3,
  threshold = 0.6,
): { fresh: Finding[]; repeated: number } {
  const seen = earlier.map((c) => ({ ...c, words: words(c.body) }));
  const fresh: Finding[] = [];
  let repeated = 0;
  for (const f of findings) {
    const w = words(`${f.title} ${f.body}`);
    const again = seen.some(
      (c) =>
        c.path === f.path && (c.line === null || Math.abs(c.line - f.line) <= near) && similar(c.words, w) >= threshold,
    );
    if (again) repeated++;
    else {
      fresh.push(f);
      // The same finding twice in one review is a repeat too.
      seen.push({ path: f.path, line: f.line, body: f.body, words: w });
    }
  }
  return { fresh, repeated };
}
