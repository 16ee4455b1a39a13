import { branchShape, KIND_WORDS } from './branch-name.ts';
import type { ChangeKind } from './title-style.ts';

/** A merged pull request as the conventions see it. */
export interface MergedPull {
  title: string;
  body: string;
  branch: string;
  author: string;
  bot: boolean;
}

export interface PrHabits {
  /** Human PRs read. */
  sample: number;
  /** Headings most bodies use, in their usual order; empty when there is no habit. */
  headings: string[];
  /** The word that links issues (`Closes`, `Fixes`, `Resolves`...). */
  closingKeyword: string;
  /** Branch naming, with `{kind}`, `{issue}` and `{slug}`; null when there is no clear habit. */
  branchPattern: string | null;
  /** The repo's own words for each kind of change in branch names (`bugfix`, `feature`...). */
  branchKinds: Partial<Record<ChangeKind, string>>;
}

const CLOSING = /\b(close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s+(?:[\w.-]+\/[\w.-]+)?#\d+/gi;

/** What the team's recent merged PRs say about bodies, issue links and branch names. */
export function learnPrHabits(pulls: MergedPull[]): PrHabits {
  const human = pulls.filter((p) => !p.bot).slice(0, 30);
  return {
    sample: human.length,
    headings: commonHeadings(human.map((p) => p.body)),
    closingKeyword: closingKeyword(human.map((p) => p.body)),
    ...branchHabit(human),
  };
}

function commonHeadings(bodies: string[]): string[] {
  const withHeadings = bodies.map(headingsOf).filter((h) => h.length);
  if (withHeadings.length < 3) return [];
  const seen = new Map<string, { text: string; count: number; position: number }>();
  for (const hs of withHeadings) {
    hs.forEach((h, i) => {
      const key = h
        .replace(/^#+\s*/, '')
        .replace(/[:\s]+$/, '')
        .toLowerCase();
      const entry = seen.get(key) ?? { text: h, count: 0, position: 0 };
      entry.count++;
      entry.position += i / hs.length;
      seen.set(key, entry);
    });
  }
  return [...seen.values()]
    .filter((e) => e.count / bodies.length >= 0.5)
    .sort((a, b) => a.position / a.count - b.position / b.count)
    .map((e) => e.text);
}

function headingsOf(body: string): string[] {
  const text = body.replace(/<!--[\s\S]*?-->/g, '').replace(/```[\s\S]*?```/g, '');
  const hs = [...text.matchAll(/^(#{1,4}\s+\S.*?)\s*#*\s*$/gm)].map((m) => m[1]!.trim());
  return [...new Set(hs)];
}

function closingKeyword(bodies: string[]): string {
  const counts = new Map<string, number>();
  for (const body of bodies) {
    for (const m of body.matchAll(CLOSING)) {
      const w = m[1]!.charAt(0).toUpperCase() + m[1]!.slice(1).toLowerCase();
      counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  const [best] = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  return best && best[1] >= 3 ? best[0] : 'Closes';
}

function branchHabit(pulls: MergedPull[]): Pick<PrHabits, 'branchPattern' | 'branchKinds'> {
  const shapes = pulls.map((p) => branchShape(p.branch, p.author));
  const counts = new Map<string, number>();
  for (const s of shapes) counts.set(s.pattern, (counts.get(s.pattern) ?? 0) + 1);
  const [best] = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const branchKinds: PrHabits['branchKinds'] = {};
  for (const s of shapes) {
    if (!s.kindWord) continue;
    const kind = (Object.keys(KIND_WORDS) as ChangeKind[]).find((k) => KIND_WORDS[k].includes(s.kindWord!));
    if (kind && !branchKinds[kind]) branchKinds[kind] = s.kindWord;
  }
  const usable =
    best && pulls.length >= 5 && best[1] / pulls.length >= 0.4 && !best[0].includes('{user}') && best[0] !== '{slug}';
  return { branchPattern: usable ? best[0] : null, branchKinds };
}
