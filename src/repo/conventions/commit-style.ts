import type { Subject } from '../../protocol/history.ts';
import {
  classifySubject,
  cleanSubject,
  isRoutine,
  notImperative,
  ordinaryFirstWord,
  type Classified,
  type SubjectKind,
} from './classify-subject.ts';

export interface CommitStyle {
  kind: SubjectKind;
  /** Share of the (recency-weighted) subjects in this style, 0..1. */
  confidence: number;
  /** How many subjects were read. */
  sample: number;
  /** Conventional: types and scopes in use, most used first. */
  types?: string[];
  scopes?: string[];
  breakingMarker?: boolean;
  /** Component or ticket prefixes in use, most used first; gitmoji in use. */
  prefixes?: string[];
  /** Whether descriptions start with a capital letter. */
  capitalized: boolean;
  /** Whether descriptions start with an imperative verb (`Fix`, not `Fixed` or `Fixes`). */
  imperative: boolean;
  source: 'history' | 'config';
  /**
   * What the history tolerates, for the title check: a casing or mood rule holds only where the
   * team's recent titles show no exception (at least 12 of them); another kind of title passes
   * when the team has the habit (twice or more), with the prefixes it used, in the casing it used
   * them with; the length limit is the team's longest title with a margin.
   */
  tolerance?: Tolerance;
}

export interface Tolerance {
  /** The casing rule per kind of title (null: none kept): a repo's `docs:` titles may be cased unlike its sentences. */
  casingByKind: Partial<Record<SubjectKind, 'upper' | 'lower' | null>>;
  imperative: boolean;
  maxLength: number;
  kinds: SubjectKind[];
  prefixes: string[];
  /**
   * The casing a habit keeps, by prefix key ('' for plain sentences): where every title the
   * team wrote with that prefix (two or more) starts the same way (`docs: fix ...`, `docs: add ...`).
   */
  casingByPrefix: Record<string, 'upper' | 'lower'>;
}

export type { Subject } from '../../protocol/history.ts';

/**
 * The style of a repository's commit subjects, from its newest human, non-noise subjects.
 * Newer subjects weigh more (a repo that switched style is judged by its present); the style
 * must lead by a margin, so one `net/http:` among plain sentences does not make a style.
 */
export function detectCommitStyle(
  subjects: Subject[],
  limit = 100,
  opts: { followSwitch?: boolean } = {},
): CommitStyle | null {
  const human = subjects
    .filter((s) => !s.bot)
    .map((s) => cleanSubject(s.subject))
    .filter((s) => s && !isRoutine(s))
    .slice(0, limit);
  if (human.length < 5) return null;
  const classified = human.map(classifySubject);
  const scores = new Map<SubjectKind, number>();
  let total = 0;
  classified.forEach((c, i) => {
    const w = 1 - (0.8 * i) / human.length;
    scores.set(c.kind, (scores.get(c.kind) ?? 0) + w);
    total += w;
  });
  const ranked = [...scores.entries()].sort((a, b) => b[1] - a[1]);
  let [kind, score] = ranked[0]!;
  // A prefix style must be a real habit; otherwise plain sentences are the safer voice.
  if (kind !== 'plain' && score / total < 0.35) [kind, score] = ['plain', scores.get('plain') ?? 0];
  const recent = opts.followSwitch === false ? null : switchedTo(classified);
  if (recent && recent !== kind) [kind, score] = [recent, scores.get(recent) ?? 0];
  const own = classified.filter((c) => c.kind === kind);
  const descriptions = own.map((c) => c.description).filter(Boolean);
  return {
    kind,
    confidence: Math.round((score / total) * 100) / 100,
    sample: human.length,
    ...(kind === 'conventional' ? conventionalDetails(own) : {}),
    ...(kind === 'component-prefix' || kind === 'ticket-prefix' || kind === 'gitmoji'
      ? { prefixes: top(own.map((c) => c.prefix!)) }
      : {}),
    // `[C++] Handle x`: the casing is the first word's, after any bracketed tags.
    capitalized: share(descriptions, (d) => /^(?:\[[^\]]*\] *)*[A-Z]/.test(d)) >= 0.5,
    imperative: share(descriptions, (d) => isImperative(d)) >= 0.6,
    source: 'history',
    tolerance: tolerance(human, kind),
  };
}

const isImperative = (d: string) => !notImperative(d);

/** How many examples a casing or mood rule needs before it is a rule at all. */
const RULE_SAMPLE = 12;
/** A kind of title the team uses besides its main one is a habit from this many recent titles on. */
const HABIT = 2;
/** ...and every title of that kind passes (not only its known prefixes) from this share on. */
const WHOLE_KIND_SHARE = 0.3;
/**
 * The next title may be longer than any recent one: the limit is the longest with this margin.
 * (Judging each of the newest 30 titles by the history before it, the longest alone refused 44 of
 * about 2,850 on the two corpora; with 15% more, 1.)
 */
const LENGTH_MARGIN = 1.15;

/**
 * Rules the team keeps, from its own recent titles (routine ones left out; see CommitStyle.tolerance).
 * A casing or mood rule holds only where the sample shows no exception: a rule the team breaks
 * itself would send its own titles back. A minority kind of title counts as the team's voice when
 * it is a habit (seen at least twice), and then with the prefixes the team used (`docs`, `ci`,
 * `README`, `🐛`), or wholly when it is a large share with varied prefixes; plain sentences have
 * no prefix to match, so a plain habit passes whole. A habit also keeps the casing its titles
 * agree on: refusing a habit's title costs little (the team's main style is always there to write
 * in), refusing a main-style title costs a good title, so the main style's rules need 12 examples.
 */
export function tolerance(subjects: string[], kind: SubjectKind): Tolerance {
  const classified = subjects.map(classifySubject);
  const kept = (n: number, exceptions: number) => n >= RULE_SAMPLE && exceptions === 0;
  const casingOf = (cs: Classified[]): 'upper' | 'lower' | null => {
    const words = cs.map((c) => ordinaryFirstWord(c.description)).filter((w): w is string => !!w);
    const up = words.filter((w) => /^[A-Z]/.test(w)).length;
    return kept(words.length, words.length - up) ? 'upper' : kept(words.length, up) ? 'lower' : null;
  };
  const kinds = ['conventional', 'gitmoji', 'component-prefix', 'ticket-prefix', 'plain'] as const;
  const ofKind = (k: SubjectKind) => classified.filter((c) => c.kind === k);
  const count = (k: SubjectKind) => ofKind(k).length;
  const habit = (k: SubjectKind) => k !== kind && count(k) >= HABIT;
  const passesWhole = (k: SubjectKind) =>
    k === 'plain'
      ? // Plain sentences on a habit of their own, not on `[component] ...` ones (those pass by their key).
        ofKind(k).filter((c) => !prefixKeys(c).length).length >= HABIT
      : // A large share whose titles name many different prefixes will name new ones too; one that always says `3.x:` will not.
        count(k) >= WHOLE_KIND_SHARE * classified.length && new Set(ofKind(k).flatMap(prefixKeys)).size >= 3;
  const descriptions = classified.map((c) => c.description).filter(Boolean);
  return {
    casingByKind: Object.fromEntries(kinds.map((k) => [k, casingOf(classified.filter((c) => c.kind === k))])),
    imperative: kept(descriptions.length, descriptions.filter((d) => !isImperative(d)).length),
    maxLength: Math.min(MAX_TITLE, Math.ceil(LENGTH_MARGIN * Math.max(72, ...subjects.map((s) => s.length)))),
    kinds: kinds.filter((k) => k === kind || (habit(k) && passesWhole(k))),
    prefixes: [...new Set(classified.filter((c) => habit(c.kind)).flatMap(prefixKeys))],
    casingByPrefix: casingByPrefix(classified.filter((c) => habit(c.kind))),
  };
}

/** The casing each habit's titles agree on, from two titles on (see Tolerance.casingByPrefix). */
function casingByPrefix(habits: Classified[]): Record<string, 'upper' | 'lower'> {
  const words = new Map<string, string[]>();
  for (const c of habits) {
    const word = ordinaryFirstWord(c.description);
    if (word) for (const key of habitKeys(c)) words.set(key, [...(words.get(key) ?? []), word]);
  }
  const casing: Record<string, 'upper' | 'lower'> = {};
  for (const [key, ws] of words) {
    const up = ws.filter((w) => /^[A-Z]/.test(w)).length;
    if (ws.length >= HABIT && (up === 0 || up === ws.length)) casing[key] = up ? 'upper' : 'lower';
  }
  return casing;
}

/** A habit title's prefix keys; a plain sentence's is ''. */
export const habitKeys = (c: Classified): string[] => (prefixKeys(c).length ? prefixKeys(c) : ['']);

/** Longer than this is not a title anyone reads whole on GitHub, whatever the history. */
export const MAX_TITLE = 256;

/**
 * What a title's prefix is, to match the prefixes a team used: the Conventional Commits type,
 * marked `type()` when it has a scope (`fix:` and `fix(parser):` are different habits); the
 * component, lower-cased; the emoji; the ticket project (`ABC-#`); `[...]` for a plain sentence
 * behind a bracketed component (`[jest-circus] Add retries`).
 */
export function prefixKeys(c: Classified): string[] {
  if (c.kind === 'conventional') return [c.scope ? `${c.type}()` : c.type!];
  if (c.kind === 'plain') return /^\[[^\]]+\] \S/.test(c.description) ? ['[...]'] : [];
  if (!c.prefix) return [];
  return [c.prefix.replace(/\d+/g, '#').toLowerCase()];
}

/**
 * A repo that adopted a prefix style lately: its newest three subjects all use it, it is at
 * least 40% of the newest ten and 10% of the sample. (Jekyll's history reads like this; by chance
 * alone a mixed repo rarely does.)
 */
function switchedTo(classified: Classified[]): SubjectKind | null {
  const [a, b, c] = classified;
  if (!a || !b || !c || a.kind === 'plain' || a.kind !== b.kind || b.kind !== c.kind) return null;
  const share = (xs: Classified[]) => xs.filter((x) => x.kind === a.kind).length / xs.length;
  return share(classified.slice(0, 10)) >= 0.4 && share(classified) >= 0.1 ? a.kind : null;
}

function conventionalDetails(own: Classified[]): Partial<CommitStyle> {
  return {
    types: top(own.map((c) => c.type!)),
    scopes: top(
      own.flatMap((c) => (c.scope ? [c.scope] : [])),
      15,
    ),
    breakingMarker: own.some((c) => c.breaking),
  };
}

function top(xs: string[], n = 10): string[] {
  const counts = new Map<string, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([x]) => x);
}

function share(xs: string[], pred: (x: string) => boolean): number {
  return xs.length ? xs.filter(pred).length / xs.length : 0;
}
