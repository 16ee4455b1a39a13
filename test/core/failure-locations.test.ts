import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { locateFailures } from '../../src/core/loop/failure-locations.ts';
import { parseTestOutput } from '../../src/core/loop/parse-test-output.ts';
import { failureAnnotations } from '../../src/github/report/check-run.ts';

// Real outputs, captured on this machine from failing one-test suites checked out at /tmp/loc.
const sample = (name: string) =>
  fs.readFileSync(path.join(import.meta.dirname, '../../fixtures/test-output', name), 'utf8');
const files = new Set(['test/math.test.js', 'test/math.test.ts', 'test_calc.py', 'test_p.py', 'src/lib.rs']);
const exists = async (rel: string) => files.has(rel);

it.each([
  ['node20-tap.txt', '/tmp/loc', 'adds', 'test/math.test.js', 4, /2 !== 3/],
  ['node24-spec.txt', '/tmp/loc', 'adds', 'test/math.test.js', 4, /2 !== 3/],
  ['unittest.txt', '/tmp/loc', 'test_calc.CalcTest.test_adds', 'test_calc.py', 4, /AssertionError: 2 != 3/],
  ['pytest-q.txt', '/tmp/loc', 'test_p.py::test_adds', 'test_p.py', 2, /assert \(1 \+ 1\) == 3/],
  ['vitest.txt', '/tmp/loc/vt', 'test/math.test.ts > adds', 'test/math.test.ts', 3, /expected 2 to be 3/],
  ['cargo.txt', '/tmp/loc/cr', 'tests::adds', 'src/lib.rs', 8, /left: -1/],
  ['jest.txt', '/tmp/jt', 'adds', 'test/math.test.js', 3, /Received: -1/],
])('%s: the failing test, its file and line, and what went wrong', async (file, root, name, where, line, message) => {
  const out = sample(file);
  const parsed = parseTestOutput(out);
  expect(parsed.failures).toContain(name);
  const located = await locateFailures(out, [name], root, exists);
  expect(located).toEqual([{ name, path: where, line, message: expect.stringMatching(message) }]);
});

it('leaves out tests whose output names no file in the checkout, and library frames', async () => {
  const out =
    'not ok 1 - adds\n  stack: |-\n    at x (/usr/lib/node_modules/foo/index.js:3:1)\n    at y (node_modules/bar/index.js:9:2)\n    at z (/elsewhere/math.test.js:4:1)\n';
  expect(await locateFailures(out, ['adds'], '/tmp/loc', async () => true)).toEqual([]);
  expect(await locateFailures(sample('node24-spec.txt'), ['adds'], '/tmp/loc', async () => false)).toEqual([]);
});

it('annotates new failures as failures and old ones as warnings', () => {
  const loc = (name: string, line: number) => ({ name, path: 'test/math.test.js', line, message: 'boom' });
  const result = {
    type: 'run.completed' as const,
    outcome: 'tests_failing' as const,
    summary: 'x',
    evidence: {
      testCommand: 'npm test',
      baseline: null,
      final: {
        command: 'npm test',
        exitCode: 1,
        passed: 0,
        failed: 2,
        skipped: 0,
        failures: ['adds', 'multiplies'],
        failureLocations: [loc('adds', 4), loc('multiplies', 9)],
        durationMs: 1,
      },
      preExistingFailures: ['adds'],
      usage: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, costUsd: null },
      durationMs: 1,
      filesChanged: [],
    },
  };
  expect(failureAnnotations(result).map((a) => [a.annotation_level, a.start_line, a.title.text])).toEqual([
    ['warning', 4, 'adds (failed before this change too)'],
    ['failure', 9, 'multiplies fails'],
  ]);
});
