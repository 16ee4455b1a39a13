import path from 'node:path';
import type { TestSummary } from '../../protocol/run-event.ts';

/**
 * Ways a change can turn the harness green without fixing anything: tests deleted, skipped or
 * emptied, the test command rewritten, or the very tests the task is about left failing (they
 * failed before, so a plain comparison with the baseline would call them "pre-existing").
 * Each concern is a sentence for the model, the PR body and the check run.
 */
export interface TestConcerns {
  /** The run is not green while any of these holds. */
  blocking: string[];
}

const TEST_PATH = /(^|\/)(tests?|__tests__|spec|specs|testing)\/|(^|\/)test_[^/]+\.py$|_test\.(py|go|rb|exs?)$|\.(test|spec)\.[cm]?[jt]sx?$|_spec\.rb$|(^|\/)src\/test\/|Tests?\.(java|kt|cs|scala)$/i;
const TEST_SETUP_FILES = /(^|\/)(jest|vitest|vite|karma|ava|playwright|cypress)\.config\.[cm]?[jt]s$|(^|\/)\.mocharc(\.[a-z]+)?$|(^|\/)(pytest\.ini|tox\.ini|noxfile\.py|conftest\.py|\.nycrc(\.json)?)$/;
const SKIP_MARKERS = [
  /\b(it|test|describe|context|suite)\.(skip|only|todo)\s*\(/,
  /\bx(it|test|describe|context)\s*\(/,
  /@pytest\.mark\.(skip|skipif|xfail)\b/,
  /\bpytest\.(skip|xfail)\s*\(/,
  /@unittest\.(skip|skipIf|skipUnless|expectedFailure)\b/,
  /\bself\.skipTest\s*\(/,
  /\bt\.Skip(Now|f)?\s*\(/,
  /#\[ignore\]/,
  /@(Disabled|Ignore)\b/,
  /^\s*(skip|pending)\b/,
  /\{\s*skip\s*:\s*true\s*\}/,
];
const TEST_SCRIPT_LINE = /^\s*"(test|pretest|posttest)(:[^"]*)?"\s*:/;

interface FileDiff {
  path: string;
  deleted: boolean;
  added: string[];
  removed: string[];
}

export function testConcerns(input: { diff: string; baseline: TestSummary | null; final: TestSummary | null; taskText: string }): TestConcerns {
  const files = splitDiff(input.diff);
  const blocking: string[] = [];
  const deleted = files.filter((f) => f.deleted && TEST_PATH.test(f.path)).map((f) => f.path);
  if (deleted.length) blocking.push(`it deletes test files: ${deleted.join(', ')}`);
  const skipping = files.filter((f) => TEST_PATH.test(f.path) && f.added.some((l) => SKIP_MARKERS.some((r) => r.test(l))) && !f.deleted).map((f) => f.path);
  if (skipping.length) blocking.push(`it marks tests as skipped, focused or expected to fail in ${skipping.join(', ')}`);
  const script = files.filter((f) => path.posix.basename(f.path) === 'package.json' && [...f.added, ...f.removed].some((l) => TEST_SCRIPT_LINE.test(l))).map((f) => f.path);
  if (script.length) blocking.push(`it changes the test script in ${script.join(', ')}`);
  const setup = files.filter((f) => TEST_SETUP_FILES.test(f.path)).map((f) => f.path);
  if (setup.length) blocking.push(`it changes how tests are found or run (${setup.join(', ')})`);
  blocking.push(...countConcerns(input.baseline, input.final));
  const about = issueTests(input.baseline, input.final, input.taskText);
  if (about.length) blocking.push(`the tests this task is about still fail or no longer run: ${about.join(', ')}`);
  const sourceChanged = files.some((f) => !TEST_PATH.test(f.path) && !/\.(md|rst|txt)$/i.test(f.path));
  const fixedByTestEdits = fixedNames(input.baseline, input.final);
  if (!sourceChanged && fixedByTestEdits.length && files.some((f) => TEST_PATH.test(f.path))) {
    blocking.push(`only test files changed, and that is what made failing tests pass: ${fixedByTestEdits.join(', ')}`);
  }
  return { blocking };
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
  if (after === null || after === 0) return [`the test run no longer reports any test (${before} ran before the change)`];
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
    const tail = name.split(/ > | › |\s*[/:.]\s*/).filter(Boolean).at(-1) ?? name;
    const file = locations.get(name);
    const named = text.includes(name.toLowerCase()) || (tail.length >= 6 && text.includes(tail.toLowerCase())) || (!!file && text.includes(path.posix.basename(file).toLowerCase()));
    return named && stillBad(name);
  });
}

function fixedNames(baseline: TestSummary | null, final: TestSummary | null): string[] {
  if (!baseline || !final || final.exitCode !== 0) return [];
  const still = new Set(final.failures);
  return baseline.failures.filter((f) => !still.has(f));
}

function splitDiff(diff: string): FileDiff[] {
  const files: FileDiff[] = [];
  let cur: FileDiff | undefined;
  for (const line of diff.split('\n')) {
    const head = /^diff --git a\/(.+?) b\/(.+)$/.exec(line);
    if (head) {
      cur = { path: head[1]!, deleted: false, added: [], removed: [] };
      files.push(cur);
      continue;
    }
    if (!cur) continue;
    if (line.startsWith('deleted file mode')) cur.deleted = true;
    else if (line.startsWith('+++') || line.startsWith('---')) continue;
    else if (line.startsWith('+')) cur.added.push(line.slice(1));
    else if (line.startsWith('-')) cur.removed.push(line.slice(1));
  }
  return files;
}
