import { energyWh, type EnergyFactors } from '../protocol/energy.ts';
import type { EvalRun, EvalTask, SuiteRun, Verdict } from '../protocol/eval.ts';
import type { AgentRunner, Workbench } from './ports.ts';
import { verdictOf } from './score.ts';
import { runSetup, runSuite } from './suite.ts';

/**
 * One model's attempt at a task: the agent works at the fix's parent without the fix's tests;
 * then, in a fresh checkout, its change (less anything it did to the files the fix's tests
 * touch) and the fix's tests are applied, the repository is set up and its tests run. Resolved
 * when FAIL_TO_PASS pass and PASS_TO_PASS still pass. The verdict never comes from the agent's
 * own checkout, so nothing it left there (ignored files, caches, a planted conftest) counts.
 */
export async function runTask(
  task: EvalTask,
  model: string,
  attempt: number,
  key: string,
  agent: AgentRunner,
  wb: Workbench,
  energy: EnergyFactors,
  signal: AbortSignal,
): Promise<EvalRun> {
  const startedAt = new Date().toISOString();
  const res = await agent(task, model, attempt, signal);
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('cancelled');
  const { completed } = res;
  const { verdict, scored } = await score(task, res.change, wb, signal);
  const e = completed.evidence;
  return {
    task: task.sha,
    model,
    attempt,
    key,
    runId: res.runId,
    jobId: res.jobId,
    outcome: completed.outcome,
    summary: wb.redact(completed.summary).slice(0, 2000),
    verdict,
    scored,
    turns: res.turns,
    usage: e.usage,
    compute: e.compute ?? null,
    wh: energyWh(e, energy).total,
    wallMs: e.durationMs,
    startedAt,
    finishedAt: new Date().toISOString(),
    filesChanged: e.filesChanged,
  };
}

async function score(
  task: EvalTask,
  change: string,
  wb: Workbench,
  signal: AbortSignal,
): Promise<{ verdict: Verdict; scored: SuiteRun | null }> {
  const failed = (code: string, message: string): { verdict: Verdict; scored: null } => ({
    verdict: {
      resolved: false,
      failToPass: { passed: 0, total: task.failToPass.length, failing: task.failToPass },
      passToPass: { total: task.passToPass.length, broken: [] },
      reason: message,
      error: { code, message },
    },
    scored: null,
  });
  const message = (error: unknown) => wb.redact(error instanceof Error ? error.message : String(error));
  const co = await wb.checkout(task.base, 'scoring');
  try {
    try {
      await co.apply(withoutPaths(change, task.testFiles), 'the run’s change');
      await co.apply(task.testPatch, 'the fix’s test changes');
    } catch (error) {
      return failed('patch_failed', message(error));
    }
    const sandbox = await co.sandbox();
    const setupFailed = await runSetup(sandbox, task.setup, co.dir, wb.limits, signal);
    if (setupFailed) return failed('setup_failed', wb.redact(setupFailed));
    const run = await runSuite(sandbox, task.testNamed, co.dir, wb.limits, signal);
    const scored = { ...run, tail: wb.redact(run.tail) };
    return { verdict: verdictOf(task, scored), scored };
  } catch (error) {
    if (signal.aborted) throw error;
    return failed('scoring_failed', `the change could not be scored: ${message(error)}`);
  } finally {
    await co.dispose();
  }
}

/** A patch without the files in `paths`: what the run did to the fix's test files is replaced by the fix's own. */
export function withoutPaths(patch: string, paths: string[]): string {
  if (!patch.trim() || !paths.length) return patch;
  const drop = new Set(paths);
  return patch
    .split(/^(?=diff --git )/m)
    .filter((part) => !pathsOf(part).some((p) => drop.has(p)))
    .join('');
}

/**
 * The paths a patch section names: its header (`diff --git a/x b/x`: without renames both are the
 * same path, which tells where it splits), and `--- a/x`, `+++ b/x`. Git quotes unusual names,
 * with octal escapes.
 */
function pathsOf(section: string): string[] {
  const head = section.slice(0, section.indexOf('\n') >>> 0).replace(/^diff --git /, '');
  const quoted = [...head.matchAll(/"[ab]\/((?:[^"\\]|\\.)*)"/g)].map((m) => unquote(m[1]!));
  const n = (head.length - 5) / 2;
  const plain =
    !quoted.length && Number.isInteger(n) && head.startsWith('a/') && head.slice(2, 2 + n) === head.slice(5 + n)
      ? [head.slice(2, 2 + n)]
      : [];
  return [
    ...quoted,
    ...plain,
    ...[...section.matchAll(/^(?:---|\+\+\+) (?:"[ab]\/((?:[^"\\]|\\.)*)"|[ab]\/(.+?))\t?$/gm)].map((m) =>
      m[1] !== undefined ? unquote(m[1]) : m[2]!,
    ),
  ];
}

function unquote(s: string): string {
  const bytes: number[] = [];
  const simple: Record<string, number> = { n: 10, t: 9, '"': 34, '\\': 92, a: 7, b: 8, f: 12, r: 13, v: 11 };
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\\') {
      bytes.push(...Buffer.from(s[i]!));
      continue;
    }
    const oct = /^[0-7]{3}/.exec(s.slice(i + 1));
    if (oct) bytes.push(parseInt(oct[0], 8)), (i += 3);
    else bytes.push(simple[s[++i]!] ?? 92);
  }
  return Buffer.from(bytes).toString('utf8');
}
