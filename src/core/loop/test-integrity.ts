import path from 'node:path';
import type { TestSummary } from '../../protocol/run-event.ts';
import type { ChangedFile } from '../ports.ts';
import { addedLines, removedLines, textOf } from './line-changes.ts';
import { attributeConcerns, ignoreConcerns } from './repo-rules.ts';
import {
  BUILD_FILES,
  BUILD_TEST_SWITCH,
  EARLY_EXIT,
  isRunnerConfig,
  RUNNER_SECTIONS,
  SKIP_MARKERS,
  SUCCESS_EXIT,
  TASK_RUNNER_FILES,
  TEST_PATH,
} from './test-paths.ts';
import { testScriptConcerns } from './test-scripts.ts';

/**
 * Ways a change can turn the harness green without fixing anything: tests deleted, skipped or
 * emptied, the test command or what it runs rewritten, the runner reconfigured, diffs hidden by
 * attributes, ignored paths un-ignored, or the very tests the task is about left failing (they
 * failed before, so a plain comparison with the baseline would call them "pre-existing").
 * Everything is judged from the whole old and new contents of each file, never from diff text.
 * Each concern is a sentence for the model, the PR body and the check run.
 */
export interface TestConcerns {
  /** The run is not green while any of these holds. */
  blocking: string[];
}

export interface IntegrityInput {
  files: ChangedFile[];
  baseline: TestSummary | null;
  final: TestSummary | null;
  /** Names the final run's output shows passing; null when its format does not list them. */
  finalPassing?: string[] | null;
  testCommand?: string | null;
  taskText: string;
  /** Paths the start's ignore rules ignore and the change's no longer do. */
  unignored?: string[];
  /** package.json files of the changed tree (changed or not): what the test command's scripts run. */
  manifests?: Array<{ path: string; text: string }>;
}

export function testConcerns(input: IntegrityInput): TestConcerns {
  const files = input.files;
  const blocking: string[] = [];
  const isTest = (f: ChangedFile) => TEST_PATH.test(f.path);
  const moved = new Set(
    files.filter((f) => f.after && !f.before).map((f) => Buffer.from(f.after!.bytes).toString('base64')),
  );
  const deleted = files
    .filter((f) => isTest(f) && f.before && !f.after && !moved.has(Buffer.from(f.before.bytes).toString('base64')))
    .map((f) => f.path);
  if (deleted.length) blocking.push(`it deletes test files: ${deleted.join(', ')}`);
  const emptied = files
    .filter(
      (f) =>
        isTest(f) &&
        f.before &&
        f.after &&
        ((f.after.mode === '120000' && f.before.mode !== '120000') ||
          (!textOf(f.after).trim() && textOf(f.before).trim())),
    )
    .map((f) => f.path);
  if (emptied.length) blocking.push(`it empties test files or replaces them with links: ${emptied.join(', ')}`);
  const added = (f: ChangedFile) => addedLines(textOf(f.before), textOf(f.after)).map((l) => l.text);
  const skipping = files
    .filter(
      (f) =>
        f.after && (isTest(f) || isRunnerConfig(f.path)) && added(f).some((l) => SKIP_MARKERS.some((r) => r.test(l))),
    )
    .map((f) => f.path);
  if (skipping.length)
    blocking.push(`it marks tests as skipped, focused or expected to fail in ${skipping.join(', ')}`);
  const exiting = files
    .filter((f) => f.after && isTest(f) && added(f).some((l) => EARLY_EXIT.test(l)))
    .map((f) => f.path);
  if (exiting.length) blocking.push(`it ends the test process early in ${exiting.join(', ')}`);
  blocking.push(...testScriptConcerns(files, input.testCommand ?? null, input.manifests ?? []));
  const runner = files
    .filter(
      (f) =>
        isRunnerConfig(f.path) || taskRunnerFile(f.path, input.testCommand ?? '') || runnerSection(f) || buildSwitch(f),
    )
    .map((f) => f.path);
  if (runner.length) blocking.push(`it changes how tests are found or run (${runner.join(', ')})`);
  blocking.push(...attributeConcerns(files));
  blocking.push(...ignoreConcerns(files, input.unignored ?? []));
  blocking.push(...countConcerns(input.baseline, input.final));
  const about = issueTests(input.baseline, input.final, input.taskText);
  if (about.length) blocking.push(`the tests this task is about still fail or no longer run: ${about.join(', ')}`);
  const fixed = fixedNames(input.baseline, input.final);
  const unseen = input.finalPassing ? fixed.filter((n) => !seenPassing(n, input.finalPassing!)) : [];
  if (unseen.length)
    blocking.push(
      `the tests that failed before do not show as passing now (${unseen.join(', ')}): the run no longer reaches them`,
    );
  const sourceChanged = files.some((f) => !isTest(f) && !/\.(md|rst|txt)$/i.test(f.path));
  if (!sourceChanged && fixed.length && files.some(isTest)) {
    blocking.push(`only test files changed, and that is what made failing tests pass: ${fixed.join(', ')}`);
  }
  const exitOnly =
    input.final?.exitCode === 0 && input.final.passed === null && (input.baseline?.passed ?? null) === null;
  const exits = files
    .filter((f) => f.after && !isTest(f) && added(f).some((l) => SUCCESS_EXIT.test(l)))
    .map((f) => f.path);
  if (exitOnly && exits.length)
    blocking.push(
      `the test output has no counts, so only its exit code says it passed, and the change adds code that exits with success (${exits.join(', ')})`,
    );
  return { blocking: [...new Set(blocking)] };
}

function taskRunnerFile(p: string, command: string): boolean {
  const program = /^(?:\s*\w+=\S*\s+)*(?:\S*\/)?([\w.-]+)/.exec(command)?.[1] ?? '';
  return !!TASK_RUNNER_FILES[program]?.test(p);
}

/** A runner section (pytest's in pyproject.toml or setup.cfg) that differs between the two sides. */
function runnerSection(f: ChangedFile): boolean {
  const rule = RUNNER_SECTIONS.find((r) => r.file.test(f.path));
  if (!rule) return false;
  const section = (text: string) => {
    const out: string[] = [];
    let inside = false;
    for (const line of text.split(/\r?\n/)) {
      if (/^\s*\[/.test(line)) inside = rule.section.test(line.trim());
      if (inside) out.push(line.trim());
    }
    return out.join('\n');
  };
  return section(textOf(f.before)) !== section(textOf(f.after));
}

/** A build file whose added or removed lines switch tests off (skipTests, exclude, harness = false...). */
function buildSwitch(f: ChangedFile): boolean {
  if (!BUILD_FILES.test(f.path)) return false;
  const [before, after] = [textOf(f.before), textOf(f.after)];
  return [...addedLines(before, after), ...removedLines(before, after)].some((l) => BUILD_TEST_SWITCH.test(l.text));
}

/** A failing test's name as the runner printed it, among the names it prints passing (whole, or its last part). */
function seenPassing(name: string, passing: string[]): boolean {
  // A whole file that failed (it did not load) is listed by its tests once it does.
  if (/^[^\s:]+\.(c?m?[jt]sx?|py|rb|go|rs)$/.test(name)) return passing.length > 0;
  const tail =
    name
      .split(/ > | › |\s*[/:.]\s*/)
      .filter(Boolean)
      .at(-1) ?? name;
  return passing.some(
    (p) =>
      p === name ||
      p.endsWith(` ${name}`) ||
      p.endsWith(` > ${tail}`) ||
      p === tail ||
      p.endsWith(`.${tail}`) ||
      p.endsWith(`/${tail}`),
  );
}

function total(s: TestSummary): number | null {
  if (s.passed === null && s.failed === null) return null;
  return (s.passed ?? 0) + (s.failed ?? 0);
}

function countConcerns(baseline: TestSummary | null, final: TestSummary | null): string[] {
  if (!baseline || !final) return [];
  const before = total(baseline);
  const after = total(final);
  if (before === null || before === 0) return [];
  if (after === null || after === 0)
    return [`the test run no longer reports any test (${before} ran before the change)`];
  if (after < before) return [`fewer tests ran than before the change (${after}, was ${before})`];
  return [];
}

/** Baseline failures the task names (by test name, its last part, or its file), still failing or gone. */
function issueTests(baseline: TestSummary | null, final: TestSummary | null, taskText: string): string[] {
  if (!baseline || !final || baseline.failures.length === 0) return [];
  const text = taskText.toLowerCase();
  const failing = new Set(final.failures);
  const stillBad = (name: string) => failing.has(name) || (final.exitCode !== 0 && final.failures.length === 0);
  const locations = new Map((baseline.failureLocations ?? []).map((l) => [l.name, l.path]));
  return baseline.failures.filter((name) => {
    const tail =
      name
        .split(/ > | › |\s*[/:.]\s*/)
        .filter(Boolean)
        .at(-1) ?? name;
    const file = locations.get(name);
    const named =
      text.includes(name.toLowerCase()) ||
      (tail.length >= 6 && text.includes(tail.toLowerCase())) ||
      (!!file && text.includes(path.posix.basename(file).toLowerCase()));
    return named && stillBad(name);
  });
}

/** Baseline failures that no longer fail in a green final run. */
export function fixedNames(baseline: TestSummary | null, final: TestSummary | null): string[] {
  if (!baseline || !final || final.exitCode !== 0) return [];
  const still = new Set(final.failures);
  return baseline.failures.filter((f) => !still.has(f));
}
