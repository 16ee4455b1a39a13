import { describe, expect, it } from 'vitest';
import { testConcerns } from '../../src/core/loop/test-integrity.ts';
import type { TestSummary } from '../../src/protocol/run-event.ts';

const summary = (over: Partial<TestSummary>): TestSummary => ({ command: 'npm test', exitCode: 0, passed: 3, failed: 0, skipped: 0, failures: [], durationMs: 1, ...over });
const red = summary({ exitCode: 1, passed: 2, failed: 1, failures: ['parses dates'] });
const diffOf = (files: Array<{ path: string; added?: string[]; removed?: string[]; deleted?: boolean }>) =>
  files
    .map((f) => [`diff --git a/${f.path} b/${f.path}`, ...(f.deleted ? ['deleted file mode 100644'] : []), `--- a/${f.path}`, `+++ b/${f.path}`, '@@ -1 +1 @@', ...(f.removed ?? []).map((l) => `-${l}`), ...(f.added ?? []).map((l) => `+${l}`)].join('\n'))
    .join('\n');

describe('testConcerns', () => {
  it('accepts an honest fix: source changed, the failing test now passes, as many tests as before', () => {
    const diff = diffOf([{ path: 'src/date.js', added: ['return parse(x);'], removed: ['return null;'] }, { path: 'test/date.test.js', added: ["test('parses ISO', () => {});"] }]);
    expect(testConcerns({ diff, baseline: red, final: summary({}), taskText: 'parses dates is broken' }).blocking).toEqual([]);
  });

  it.each([
    ['a deleted test file', [{ path: 'test/date.test.js', deleted: true, removed: ['x'] }], /deletes test files/],
    ['a skip marker', [{ path: 'tests/test_date.py', added: ['@pytest.mark.skip(reason="flaky")'] }], /skipped/],
    ['a focused test', [{ path: 'src/date.spec.ts', added: ["it.only('x', () => {})"] }], /skipped, focused/],
    ['a Go t.Skip', [{ path: 'date_test.go', added: ['\tt.Skip("later")'] }], /skipped/],
    ['a Rust #[ignore]', [{ path: 'tests/date.rs', added: ['#[ignore]'] }], /skipped/],
    ['the test script', [{ path: 'package.json', removed: ['    "test": "vitest run"'], added: ['    "test": "true"'] }], /test script/],
    ['the runner config', [{ path: 'vitest.config.ts', added: ['exclude: ["**"]'] }], /how tests are found/],
  ])('flags %s', (_n, files, re) => {
    expect(testConcerns({ diff: diffOf(files), baseline: summary({}), final: summary({}), taskText: 'x' }).blocking.join(' ')).toMatch(re);
  });

  it('flags fewer tests, and a run that reports none', () => {
    const diff = diffOf([{ path: 'src/a.js', added: ['x'] }]);
    expect(testConcerns({ diff, baseline: summary({ passed: 10 }), final: summary({ passed: 7 }), taskText: '' }).blocking.join(' ')).toMatch(/fewer tests ran than before the change \(7, was 10\)/);
    expect(testConcerns({ diff, baseline: summary({ passed: 10 }), final: summary({ passed: null, failed: 0 }), taskText: '' }).blocking.join(' ')).toMatch(/no longer reports any test/);
  });

  it('flags the task’s own failing test left failing, by name or by file, and not an unrelated one', () => {
    const diff = diffOf([{ path: 'src/other.js', added: ['x'] }]);
    const baseline = { ...red, failureLocations: [{ name: 'parses dates', path: 'test/date.test.js', line: 3, message: 'x' }] };
    const final = summary({ exitCode: 1, passed: 2, failed: 1, failures: ['parses dates'] });
    expect(testConcerns({ diff, baseline, final, taskText: 'The test `parses dates` fails' }).blocking.join(' ')).toMatch(/this task is about still fail.*parses dates/);
    expect(testConcerns({ diff, baseline, final, taskText: 'see date.test.js' }).blocking.join(' ')).toMatch(/this task is about/);
    expect(testConcerns({ diff, baseline, final, taskText: 'Add a logo to the README' }).blocking).toEqual([]);
  });

  it('flags a green run reached by editing only tests', () => {
    const diff = diffOf([{ path: 'test/date.test.js', removed: ['expect(parse(x)).toBe(1)'], added: ['expect(parse(x)).toBe(null)'] }]);
    expect(testConcerns({ diff, baseline: red, final: summary({}), taskText: 'x' }).blocking.join(' ')).toMatch(/only test files changed/);
  });
});
