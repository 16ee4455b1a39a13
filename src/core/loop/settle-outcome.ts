import type { Outcome } from '../../protocol/outcome.ts';
import type { ChangeSnapshot } from '../ports.ts';
import type { TestRun } from './run-tests.ts';
import { testConcerns } from './test-integrity.ts';

export interface Settled {
  outcome: Outcome;
  summary: string;
  concerns: string[];
}

/**
 * The run's last word on the change as it is committed (`snap`, the final look): `succeeded`
 * holds only for the very tree the clean verification passed (or, with no test command, for a
 * change that deletes or skips no test); anything else publishable is `tests_failing` with why.
 */
export function settleOutcome(
  r: Settled,
  x: {
    snap: ChangeSnapshot | null;
    verified: string | null;
    test: string | null;
    baseline: TestRun | null;
    final: TestRun | null;
    taskText: string;
  },
): Settled {
  let { outcome, summary, concerns } = r;
  const { snap } = x;
  if (!snap && outcome === 'succeeded')
    return {
      outcome: 'sandbox_error',
      summary: 'the run ended, but its change could not be read, so nothing can be published',
      concerns,
    };
  if (!snap?.files.length || (outcome !== 'succeeded' && outcome !== 'tests_failing'))
    return { outcome, summary, concerns };
  if (outcome === 'succeeded' && x.test && x.verified !== snap.id) {
    outcome = 'tests_failing';
    summary =
      'the checkout changed after its clean verification, so the verdict does not hold for what would be committed';
  }
  if ((outcome === 'tests_failing' && !concerns.length) || !x.test) {
    concerns = testConcerns({
      files: snap.files,
      baseline: x.baseline?.summary ?? null,
      final: x.final?.summary ?? null,
      finalPassing: x.final?.passing ?? null,
      testCommand: x.test,
      taskText: x.taskText,
    }).blocking;
  }
  if (concerns.length && outcome === 'succeeded')
    return {
      outcome: 'tests_failing',
      summary: `the change is not accepted as it is: ${concerns.join('; ')}`,
      concerns,
    };
  return { outcome, summary, concerns };
}
