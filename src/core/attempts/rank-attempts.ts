import type { Outcome } from '../../protocol/outcome.ts';

/** What the harness knows of one finished attempt, from its own verification (never the model's word). */
export interface AttemptResult {
  /** 1-based, as the PR body and `/agent pick N` name it. */
  index: number;
  outcome: Outcome;
  /** Integrity findings (tests deleted, skipped, rewritten...): any one disqualifies a green run. */
  concerns: string[];
  /** The final verification was green against the baseline. */
  testsPass: boolean;
  /** Tests that passed before the change and fail after it. */
  regressions: number;
  filesChanged: number;
  /** Lines added plus removed. */
  linesChanged: number;
  /** null when the model has no price. */
  costUsd: number | null;
}

export interface Ranking {
  /** Best first. */
  order: AttemptResult[];
  winner: AttemptResult | null;
  /** Why the winner won over the runner-up, in words; or that they were tied or nearly tied. */
  reason: string;
  tie: 'tie' | 'near' | null;
}

/** An attempt that made a change and has something to publish. */
const publishable = (a: AttemptResult) => a.outcome === 'succeeded' || a.outcome === 'tests_failing';

/**
 * The order of evidence: integrity clean, then the tests pass, then nothing that passed before
 * fails, then the smallest change, then the lowest cost. Each key is compared in turn; the first that
 * differs decides and is the reason given.
 */
const KEYS: Array<{ says: string; value: (a: AttemptResult) => number; near?: (x: number, y: number) => boolean }> = [
  { says: 'has something to publish, unlike', value: (a) => (publishable(a) ? 0 : 1) },
  { says: 'passes the integrity checks, unlike', value: (a) => (a.concerns.length ? 1 : 0) },
  { says: 'passes the tests, unlike', value: (a) => (a.testsPass ? 0 : 1) },
  { says: 'breaks fewer tests that passed before than', value: (a) => a.regressions },
  {
    says: 'is a smaller change than',
    value: (a) => a.linesChanged,
    near: (x, y) => Math.abs(x - y) <= Math.max(2, 0.1 * Math.max(x, y)),
  },
  {
    says: 'cost less than',
    value: (a) => a.costUsd ?? Number.POSITIVE_INFINITY,
    near: (x, y) => Math.abs(x - y) <= 0.1 * Math.max(x, y),
  },
];

export function rankAttempts(attempts: AttemptResult[]): Ranking {
  const compare = (a: AttemptResult, b: AttemptResult) => {
    for (const k of KEYS) {
      const d = k.value(a) - k.value(b);
      if (d !== 0 && !Number.isNaN(d)) return d;
    }
    return a.index - b.index;
  };
  const order = [...attempts].sort(compare);
  const [first, second] = order;
  if (!first || !publishable(first))
    return { order, winner: null, reason: 'no attempt made a change to publish', tie: null };
  if (!second) return { order, winner: first, reason: 'it was the only attempt', tie: null };
  const decisive = KEYS.find((k) => k.value(first) !== k.value(second));
  if (!decisive)
    return {
      order,
      winner: first,
      reason: `attempts ${first.index} and ${second.index} are tied on every measure; the first was taken`,
      tie: 'tie',
    };
  const near = decisive.near?.(decisive.value(first), decisive.value(second)) ?? false;
  const words = `attempt ${first.index} ${decisive.says} attempt ${second.index}`;
  return {
    order,
    winner: first,
    reason: near ? `${words}, by a small margin: a near tie` : words,
    tie: near ? 'near' : null,
  };
}
