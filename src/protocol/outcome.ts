import { z } from 'zod';

export const Outcome = z.enum([
  'succeeded',
  'tests_failing',
  'no_changes',
  'needs_input',
  'setup_failed',
  'budget_exhausted',
  'model_error',
  'sandbox_error',
  'cancelled',
]);
export type Outcome = z.infer<typeof Outcome>;

/** One plain sentence per outcome, for the tracking comment, the CLI and the PR. */
export const outcomeWords: Record<Outcome, string> = {
  succeeded: 'the change is made and the tests pass',
  tests_failing: 'the change is made but tests still fail',
  no_changes: 'no change was needed or made',
  needs_input: 'a question needs an answer before work can go on',
  setup_failed: 'the repository could not be set up',
  budget_exhausted: 'a budget ran out before the work was done',
  model_error: 'the model could not be reached or answered badly',
  sandbox_error: 'commands could not be run safely',
  cancelled: 'the run was cancelled',
};
