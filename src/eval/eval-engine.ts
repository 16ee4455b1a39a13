import crypto from 'node:crypto';
import type { EnergyFactors } from '../protocol/energy.ts';
import type { EvalReport, EvalRun, EvalTask, FixCandidate, Validation } from '../protocol/eval.ts';
import type { FileRole } from '../repo/test-files.ts';
import { candidateOf, isBot, taskText, type CommitInfo, type IssueText } from './fix-message.ts';
import type { AgentRunner, Workbench } from './ports.ts';
import { buildReport } from './report.ts';
import { runTask } from './run-task.ts';
import { validateCandidate } from './validate.ts';

/** Bumped when validation or scoring changes meaning: older stored results are then redone. */
export const EVAL_VERSION = 1;
/** A fix larger than this is no task for a model (a vendored library, a generated file). */
const MAX_PATCH_BYTES = 2 * 1024 * 1024;
/** How many candidates in a row may fail setup the same way before the search stops. */
const SAME_FAILURES = 3;

export interface History {
  /** The merged history newest first (or the `--only` commits). */
  commits(): Promise<CommitInfo[]>;
  changedPaths(base: string, sha: string): Promise<string[]>;
  branchMessages(base: string, sha: string): Promise<string[]>;
  patchOf(base: string, sha: string, paths: string[]): Promise<string>;
}

export interface ResultStore {
  validation(sha: string): Validation | null;
  saveValidation(v: Validation): void;
  run(sha: string, model: string, attempt: number): EvalRun | null;
  saveRun(r: EvalRun): void;
  saveReport(r: EvalReport): void;
}

export type EvalProgress =
  | { type: 'validating'; sha: string; subject: string; found: number; wanted: number }
  | {
      type: 'validated';
      sha: string;
      subject: string;
      valid: boolean;
      reason: string | null;
      reused: boolean;
      found: number;
      wanted: number;
    }
  | { type: 'running'; sha: string; subject: string; model: string; attempt: number; done: number; total: number }
  | { type: 'ran'; run: EvalRun; subject: string; reused: boolean; done: number; total: number };

export interface EvalOptions {
  repo: { name: string; dir: string; head: string };
  models: string[];
  attempts: number;
  /** How many validated tasks to find (all of `--only`'s when those are given). */
  wanted: number;
  /** Redo what is stored. */
  fresh: boolean;
  /** What the stored validations depend on besides the commit: the test and setup overrides, the issues given. */
  keyOf: (sha: string) => string;
  energy: EnergyFactors;
}

export interface EvalDeps {
  history: History;
  roleOf: (path: string) => FileRole;
  issues: Map<number, IssueText>;
  store: ResultStore;
  workbench: Workbench;
  agent: AgentRunner;
  progress: (p: EvalProgress) => void;
}

/**
 * `patchwright eval`: the history's fixes that change code and tests, newest first, validated
 * until `wanted` tasks are found; then each model's `attempts` runs of each task; then the
 * report. Whatever is stored under the same key is taken as done, so an interrupted eval goes
 * on where it stopped. The signal stops it between and inside runs; nothing half-done is kept.
 */
export async function runEval(o: EvalOptions, d: EvalDeps, signal: AbortSignal): Promise<EvalReport> {
  const tasks: EvalTask[] = [];
  const skipped: EvalReport['candidates']['skipped'] = [];
  let examined = 0;
  let stoppedWhy: string | undefined;
  // The same setup failure (or no test command) at several candidates in a row is the repository's, not theirs.
  const same = { code: '', head: '', count: 0 };
  const stopped = (error: unknown) => {
    if (!signal.aborted) throw error;
  };
  for (const commit of await d.history.commits()) {
    if (tasks.length >= o.wanted || signal.aborted) break;
    const base = commit.parents[0];
    if (!base) continue;
    const candidate = candidateOf(commit, await d.history.changedPaths(base, commit.sha), d.roleOf);
    if (!candidate?.testFiles.length) continue;
    examined++;
    const early = isBot(commit)
      ? ['bot', `made by a bot (${commit.author})`]
      : !candidate.codeFiles.length
        ? ['no_code', 'it changes tests only, no code']
        : null;
    if (early) {
      skipped.push({ sha: candidate.sha, subject: candidate.subject, code: early[0]!, message: early[1]! });
      continue;
    }
    const found = await validated(candidate, o, d, tasks.length, signal).catch(stopped);
    if (!found) break;
    const { v, title } = found;
    if (v.valid) tasks.push(v.task);
    else skipped.push({ sha: candidate.sha, subject: title, code: v.reason.code, message: v.reason.message });
    const head =
      v.valid || !['setup_failed', 'no_test_command'].includes(v.reason.code) ? '' : v.reason.message.split(':')[0]!;
    Object.assign(
      same,
      head && head === same.head
        ? { count: same.count + 1 }
        : { code: v.valid ? '' : v.reason.code, head, count: head ? 1 : 0 },
    );
    if (same.count >= SAME_FAILURES) {
      stoppedWhy = `${SAME_FAILURES} candidates in a row failed the same way (${head}): the repository needs ${same.code === 'setup_failed' ? '`setup:`' : '`test:`'} in .github/agent.yml (see \`patchwright doctor\`), so the search stopped`;
      break;
    }
  }
  const runs: EvalRun[] = [];
  const total = tasks.length * o.models.length * o.attempts;
  const jobs = tasks.flatMap((task) =>
    o.models.flatMap((model) => Array.from({ length: o.attempts }, (_, i) => ({ task, model, attempt: i + 1 }))),
  );
  for (const { task, model, attempt } of jobs) {
    if (signal.aborted) break;
    const key = o.keyOf(task.sha);
    const stored = o.fresh ? null : d.store.run(task.sha, model, attempt);
    if (stored && stored.key === key) {
      runs.push(stored);
      d.progress({ type: 'ran', run: stored, subject: task.text.title, reused: true, done: runs.length, total });
      continue;
    }
    d.progress({ type: 'running', sha: task.sha, subject: task.text.title, model, attempt, done: runs.length, total });
    const run = await runTask(task, model, attempt, key, d.agent, d.workbench, o.energy, signal).catch(stopped);
    if (!run) break;
    d.store.saveRun(run);
    runs.push(run);
    d.progress({ type: 'ran', run, subject: task.text.title, reused: false, done: runs.length, total });
  }
  // An eval stopped while it looked for tasks has those tasks' runs to do as well.
  const unfound =
    signal.aborted && tasks.length < o.wanted ? (o.wanted - tasks.length) * o.models.length * o.attempts : 0;
  const report = buildReport({
    ...o,
    examined,
    tasks,
    skipped,
    runs,
    pending: total - runs.length + unfound,
    ...(stoppedWhy ? { stopped: stoppedWhy } : {}),
  });
  d.store.saveReport(report);
  return report;
}

async function validated(
  c: FixCandidate,
  o: EvalOptions,
  d: EvalDeps,
  found: number,
  signal: AbortSignal,
): Promise<{ v: Validation; title: string }> {
  const key = o.keyOf(c.sha);
  const stored = o.fresh ? null : d.store.validation(c.sha);
  if (stored && stored.key === key) {
    const title = stored.valid ? stored.task.text.title : (stored.title ?? c.subject);
    d.progress({
      type: 'validated',
      sha: c.sha,
      subject: title,
      valid: stored.valid,
      reason: stored.valid ? null : stored.reason.message,
      reused: true,
      found: found + (stored.valid ? 1 : 0),
      wanted: o.wanted,
    });
    return { v: stored, title };
  }
  const [testPatch, codePatch, branch] = await Promise.all([
    d.history.patchOf(c.base, c.sha, c.testFiles),
    d.history.patchOf(c.base, c.sha, [...c.codeFiles, ...c.otherFiles]),
    c.kind === 'merge' ? d.history.branchMessages(c.base, c.sha) : Promise.resolve([]),
  ]);
  const text = taskText(c, branch, d.issues);
  d.progress({ type: 'validating', sha: c.sha, subject: text.title, found, wanted: o.wanted });
  const v: Validation =
    testPatch.length + codePatch.length > MAX_PATCH_BYTES
      ? {
          valid: false,
          key,
          at: new Date().toISOString(),
          candidate: c,
          title: text.title,
          reason: {
            code: 'too_large',
            message: `the change is ${Math.round((testPatch.length + codePatch.length) / 1024)} KB, more than a task should be`,
          },
        }
      : await validateCandidate({ candidate: c, text, testPatch, codePatch, key }, d.workbench, signal);
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('cancelled');
  d.store.saveValidation(v);
  d.progress({
    type: 'validated',
    sha: c.sha,
    subject: text.title,
    valid: v.valid,
    reason: v.valid ? null : v.reason.message,
    reused: false,
    found: found + (v.valid ? 1 : 0),
    wanted: o.wanted,
  });
  return { v, title: text.title };
}

/** The key a stored validation or run must carry to count as done. */
export function resultKey(sha: string, parts: unknown): string {
  return crypto
    .createHash('sha256')
    .update(JSON.stringify({ v: EVAL_VERSION, sha, parts }))
    .digest('hex')
    .slice(0, 16);
}
