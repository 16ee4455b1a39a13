import type { TestSummary } from '../../protocol/run-event.ts';
import { newFailures, type TestRun } from './run-tests.ts';

/** What the harness tells the model between turns, and how it words a run's end. */
export const PLAN_MODE =
  'This repository wants a plan approved before any change. Explore as you need (read-only), record the plan with update_plan, then end your turn with a short explanation of it. Do not edit files.';

export function planText(plan: Array<{ text: string; status: string }>, explanation: string): string {
  const steps = plan.map((p, i) => `${i + 1}. ${p.text}`).join('\n');
  return `${steps || '(no steps recorded)'}${explanation ? `\n\n${explanation}` : ''}\n\nApprove with \`/agent approve\`.`;
}

export function verificationFeedback(run: TestRun, baseline: TestRun | null): string {
  const fresh = newFailures(run.summary, baseline?.summary ?? null);
  const pre = baseline?.summary.failures ?? [];
  return [
    `The harness ran \`${run.summary.command}\` and it failed (exit ${run.summary.exitCode ?? 'timeout'}; passed ${run.summary.passed ?? '?'}, failed ${run.summary.failed ?? '?'}).`,
    fresh.length ? `New failures: ${fresh.join(', ')}` : '',
    pre.length ? `These already failed before your change; leave them alone: ${pre.join(', ')}` : '',
    'Output tail:',
    run.tail,
    'Fix the failures, then end your turn with a summary.',
  ]
    .filter(Boolean)
    .join('\n');
}

/** What the model is told about a baseline that was already red, so it does not chase it unasked. */
export function baselineNote(baseline: TestRun | null): string {
  const s = baseline?.summary;
  if (!s || s.exitCode === 0) return '';
  if (s.failures.length)
    return `\n\nBefore your change, these tests already failed: ${s.failures.slice(0, 30).join(', ')}. Leave them alone unless the task is about them.`;
  return `\n\nBefore your change, \`${s.command}\` already failed (exit ${s.exitCode ?? 'timeout'}) without naming a failing test; its output ended with:\n${lastLines(baseline!.tail)}\nDo not chase that unless the task is about it.`;
}

function lastLines(tail: string): string {
  return tail.trim().split('\n').slice(-12).join('\n');
}

export function integrityFeedback(concerns: string[]): string {
  return [
    'The harness ran the tests, but it does not accept this change as a fix:',
    ...concerns.map((c) => `- ${c}`),
    'Restore the tests (and the test command) and fix the code instead. If the task really asks for this, say so in your summary and stop.',
  ].join('\n');
}

export function describeFailures(s: TestSummary, baseline: TestRun | null): string {
  const fresh = newFailures(s, baseline?.summary ?? null);
  return fresh.length ? fresh.join(', ') : `\`${s.command}\` exits ${s.exitCode ?? 'on timeout'}`;
}

/** The clean verification failed where the agent's checkout passed: what the model is told. */
export function cleanFailureFeedback(failure: string): string {
  return [
    'The tests pass in your checkout, but the harness verifies the change on a fresh checkout of exactly what would be committed (setup redone; ignored files such as node_modules or .venv, and anything outside the commit, are not there):',
    failure,
    'Make the committed change itself pass: do not rely on files that are not part of it.',
  ].join('\n');
}
