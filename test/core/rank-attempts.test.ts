import { describe, expect, it } from 'vitest';
import { rankAttempts, type AttemptResult } from '../../src/core/attempts/rank-attempts.ts';

const a = (index: number, over: Partial<AttemptResult> = {}): AttemptResult => ({
  index,
  outcome: 'succeeded',
  concerns: [],
  testsPass: true,
  regressions: 0,
  filesChanged: 1,
  linesChanged: 10,
  costUsd: 0.1,
  ...over,
});

describe('ranking attempts by evidence', () => {
  it('integrity first: a green attempt that deleted a test loses to a clean one that still fails', () => {
    const r = rankAttempts([
      a(1, { concerns: ['it deletes test files: t.js'] }),
      a(2, { outcome: 'tests_failing', testsPass: false }),
    ]);
    expect(r.winner?.index).toBe(2);
    expect(r.reason).toBe('attempt 2 passes the integrity checks, unlike attempt 1');
  });
  it('then passing tests, then fewer regressions, then the smaller change, then cost', () => {
    expect(rankAttempts([a(1, { testsPass: false, outcome: 'tests_failing' }), a(2)]).winner?.index).toBe(2);
    expect(
      rankAttempts([a(1, { regressions: 2, testsPass: false }), a(2, { regressions: 1, testsPass: false })]).winner
        ?.index,
    ).toBe(2);
    expect(rankAttempts([a(1, { linesChanged: 80 }), a(2, { linesChanged: 12 })]).reason).toBe(
      'attempt 2 is a smaller change than attempt 1',
    );
    expect(rankAttempts([a(1, { costUsd: 0.5 }), a(2, { costUsd: 0.1 })]).winner?.index).toBe(2);
  });
  it('says a near tie and a tie', () => {
    expect(rankAttempts([a(1, { linesChanged: 21 }), a(2, { linesChanged: 20 })])).toMatchObject({
      tie: 'near',
      winner: { index: 2 },
    });
    expect(rankAttempts([a(1), a(2)])).toMatchObject({ tie: 'tie', winner: { index: 1 } });
  });
  it('an unknown cost ranks after a known one; no publishable attempt means no winner', () => {
    expect(rankAttempts([a(1, { costUsd: null }), a(2, { costUsd: 3 })]).winner?.index).toBe(2);
    expect(rankAttempts([a(1, { outcome: 'no_changes' }), a(2, { outcome: 'model_error' })]).winner).toBeNull();
  });
  it('a publishable attempt beats one that ended without a change, whatever else', () => {
    expect(
      rankAttempts([
        a(1, { outcome: 'budget_exhausted', linesChanged: 0 }),
        a(2, { outcome: 'tests_failing', testsPass: false }),
      ]).winner?.index,
    ).toBe(2);
  });
});
