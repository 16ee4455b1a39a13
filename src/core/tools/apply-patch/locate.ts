/** The matching tiers, strictest first: exact, trailing space ignored, trimmed, punctuation normalised. */
const TIERS: Array<(s: string) => string> = [
  (s) => s,
  (s) => s.trimEnd(),
  (s) => s.trim(),
  (s) => normalisePunctuation(s.trim()),
];

export type LocateResult =
  | { ok: true; index: number }
  | { ok: false; reason: 'missing' | 'ambiguous'; nearest?: { line: number; text: string } };

/**
 * Finds where `needle` lines sit in `hay`, from `from` on. The first tier with any match
 * decides; more than one match at that tier is ambiguous unless `firstWins` (after an @@ anchor
 * the nearest match below it is meant).
 */
export function locate(hay: string[], needle: string[], from: number, atEnd: boolean, firstWins = false): LocateResult {
  if (needle.length === 0) return { ok: true, index: atEnd ? hay.length : from };
  for (const norm of TIERS) {
    const h = hay.map(norm);
    const n = needle.map(norm);
    const hits: number[] = [];
    const last = hay.length - needle.length;
    for (let i = atEnd ? last : from; i <= last; i++) {
      if (n.every((line, k) => h[i + k] === line)) hits.push(i);
    }
    if (hits.length === 1 || (firstWins && hits.length > 1)) return { ok: true, index: hits[0]! };
    if (hits.length > 1) return { ok: false, reason: 'ambiguous' };
  }
  return { ok: false, reason: 'missing', ...nearest(hay, needle) };
}

/** The line most like the needle's first non-empty line, to show the model what is there. */
function nearest(hay: string[], needle: string[]): { nearest?: { line: number; text: string } } {
  const probe = needle.find((l) => l.trim())?.trim();
  if (!probe) return {};
  let best = -1;
  let bestScore = 0;
  hay.forEach((line, i) => {
    const score = similarity(line.trim(), probe);
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  });
  return best >= 0 && bestScore > 0.3
    ? { nearest: { line: best + 1, text: hay.slice(best, best + needle.length).join('\n') } }
    : {};
}

function similarity(a: string, b: string): number {
  if (!a || !b) return 0;
  const grams = (s: string) => new Set(Array.from({ length: Math.max(1, s.length - 1) }, (_, i) => s.slice(i, i + 2)));
  const ga = grams(a);
  const gb = grams(b);
  let common = 0;
  for (const g of ga) if (gb.has(g)) common++;
  return (2 * common) / (ga.size + gb.size);
}

export function normalisePunctuation(s: string): string {
  return s
    .replace(/[\u2018\u2019\u201A\u201B]/g, "'")
    .replace(/[\u201C\u201D\u201E\u201F]/g, '"')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/\u2026/g, '...')
    .replace(/[\u00A0\u2002-\u200A\u202F]/g, ' ');
}
