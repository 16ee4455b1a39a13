import { parseTestOutput } from './parse-test-output.ts';

export type TestStatus = 'passed' | 'failed' | 'skipped';

export interface TestStatuses {
  /** Each test the runner named, with how it ended; a name seen twice is failed if either failed. */
  tests: Record<string, TestStatus>;
  format: string;
}

/**
 * Every test by name and how it ended, for the runners whose output names passing tests as well
 * as failing ones: unittest -v, pytest -rA or -v, node --test (TAP and spec), go test -v, cargo
 * test, vitest's verbose reporter. Null when the output names no passing test (a quiet runner):
 * then only the counts and failure names of `parseTestOutput` are known. `root` (the checkout)
 * is cut from names, so two checkouts of one repository give the same names.
 */
export function testStatuses(output: string, root?: string): TestStatuses | null {
  let text = output.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r\n?/g, '\n');
  if (root) text = text.split(`${root.replace(/\/$/, '')}/`).join('');
  const lines = text.split('\n');
  // The runner's own count of passing tests, where it prints one: fewer named than counted means a quiet run (pytest -q names only failures).
  const counted = parseTestOutput(text).passed;
  for (const [format, parse] of PARSERS) {
    const found = parse(lines);
    const named = [...found.values()].filter((s) => s === 'passed').length;
    if (
      found.size &&
      (counted === null ? named > 0 : named >= counted && [...found.values()].some((s) => s !== 'skipped'))
    )
      return { tests: Object.fromEntries(found), format };
  }
  return null;
}

type Found = Map<string, TestStatus>;

function note(found: Found, name: string, status: TestStatus): void {
  const before = found.get(name);
  if (before === 'failed' || (before === 'passed' && status === 'skipped')) return;
  found.set(name, status);
}

/**
 * `test_x (pkg.mod.Class.test_x) ... ok`, the docstring's first line maybe between; subtests below
 * as `  test_x (...) [msg] ... FAIL`. One id run many times (a TestCase made per data line, told
 * apart only by its description) is named by id and description.
 */
function unittest(lines: string[]): Found {
  const word = (w: string): TestStatus | null =>
    w === 'ok' || w === 'unexpected success'
      ? 'passed'
      : w === 'FAIL' || w === 'ERROR'
        ? 'failed'
        : /^skipped\b|^expected failure$/.test(w)
          ? 'skipped'
          : null;
  const runs: Array<{ id: string; desc: string | null; status: TestStatus }> = [];
  let open: string | null = null;
  for (const line of lines) {
    const sub = /^ {2}(\w+) \(([\w.]+)\) (?:\[.*\]|\(.*\)) \.\.\. (FAIL|ERROR)$/.exec(line);
    if (sub) {
      runs.push({ id: idOf(sub[1]!, sub[2]!), desc: null, status: 'failed' });
      continue;
    }
    const head = /^(\w+) \(([\w.]+)\)(.*)$/.exec(line);
    if (head) {
      open = idOf(head[1]!, head[2]!);
      const rest = / \.\.\. (.+)$/.exec(head[3]!)?.[1]?.trim();
      const status = rest ? word(rest) : null;
      if (status) runs.push({ id: open, desc: null, status }), (open = null);
      continue;
    }
    const tail = open ? /^(.*) \.\.\. (.+)$|^()\.\.\. (.+)$/.exec(line) : null;
    const status = tail ? word((tail[2] ?? tail[4]!).trim()) : null;
    if (open && tail && status) runs.push({ id: open, desc: (tail[1] ?? '').trim() || null, status }), (open = null);
  }
  const seen = new Map<string, number>();
  for (const r of runs) if (r.desc !== null) seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
  const found: Found = new Map();
  for (const r of runs)
    note(found, r.desc !== null && (seen.get(r.id) ?? 0) > 1 ? `${r.id}: ${r.desc}` : r.id, r.status);
  return found;
}

/** Python 3.11+ prints `test_x (mod.Class.test_x)`; older ones `test_x (mod.Class)`. */
const idOf = (method: string, where: string) => (where.endsWith(`.${method}`) ? where : `${where}.${method}`);

/** `-rA`'s `PASSED tests/t.py::test_a` lines, or `-v`'s `tests/t.py::test_a PASSED [ 50%]`. */
function pytest(lines: string[]): Found {
  const found: Found = new Map();
  const as = (w: string): TestStatus =>
    w === 'PASSED' || w === 'XPASS' ? 'passed' : w === 'FAILED' || w === 'ERROR' ? 'failed' : 'skipped';
  for (const line of lines) {
    const summary = /^(PASSED|FAILED|ERROR|XFAIL|XPASS|SKIPPED) (\S+::\S+)/.exec(line);
    const verbose = /^(\S+::\S+) (PASSED|FAILED|ERROR|XFAIL|XPASS|SKIPPED)\b/.exec(line);
    if (summary) note(found, summary[2]!, as(summary[1]!));
    else if (verbose) note(found, verbose[1]!, as(verbose[2]!));
  }
  return found;
}

/** TAP (node --test when not on a terminal): `# Subtest:` lines nest by four spaces; a test with subtests is a suite, not counted. */
function tap(lines: string[]): Found {
  const found: Found = new Map();
  const path: string[] = [];
  const suites = new Set<string>();
  for (const line of lines) {
    const sub = /^(\s*)# Subtest: (.+)$/.exec(line);
    if (sub) {
      const depth = Math.floor(sub[1]!.length / 4);
      path.length = depth;
      path.push(sub[2]!.trim());
      for (let d = 1; d < path.length; d++) suites.add(path.slice(0, d).join(' > '));
      continue;
    }
    const res = /^(\s*)(not ok|ok) \d+(?: - (.*?))?(?: # (SKIP|TODO)\b.*)?$/i.exec(line);
    if (!res) continue;
    const depth = Math.floor(res[1]!.length / 4);
    const name = [...path.slice(0, depth), (res[3] ?? '').trim()].join(' > ');
    note(found, name, res[4] ? 'skipped' : res[2] === 'ok' ? 'passed' : 'failed');
  }
  for (const s of suites) found.delete(s);
  return found;
}

/** node --test's spec reporter: `▶ suite`, its tests two spaces in, closed by the suite's own line; the failure list at the end is a repeat. */
function spec(lines: string[]): Found {
  const found: Found = new Map();
  const path: string[] = [];
  for (const line of lines) {
    if (/^✖ failing tests:/.test(line)) break;
    const m = /^(\s*)(▶|✔|✖|﹣|⚠) (.+?)(?: \([\d.]+m?s\))?( # (SKIP|TODO)\b.*)?$/.exec(line);
    if (!m) continue;
    const depth = Math.floor(m[1]!.length / 2);
    const name = m[3]!.trim();
    if (m[2] === '▶' && !/\([\d.]+m?s\)$/.test(line)) {
      path.length = depth;
      path.push(name);
      continue;
    }
    if (path.length > depth && path[depth] === name) {
      path.length = depth;
      continue;
    }
    path.length = Math.min(path.length, depth);
    note(found, [...path, name].join(' > '), m[4] || m[2] === '﹣' ? 'skipped' : m[2] === '✔' ? 'passed' : 'failed');
  }
  return found;
}

/** `--- PASS: TestX (0.00s)`, subtests indented as `--- FAIL: TestX/case`. */
function goTest(lines: string[]): Found {
  const found: Found = new Map();
  for (const line of lines) {
    const m = /^\s*--- (PASS|FAIL|SKIP): (\S+)/.exec(line);
    if (m) note(found, m[2]!, m[1] === 'PASS' ? 'passed' : m[1] === 'FAIL' ? 'failed' : 'skipped');
  }
  return found;
}

/** `test mod::name ... ok | FAILED | ignored`. */
function cargo(lines: string[]): Found {
  const found: Found = new Map();
  for (const line of lines) {
    const m = /^test (\S+) \.\.\. (ok|FAILED|ignored)\b/.exec(line);
    if (m) note(found, m[1]!, m[2] === 'ok' ? 'passed' : m[2] === 'FAILED' ? 'failed' : 'skipped');
  }
  return found;
}

/** vitest --reporter=verbose: ` ✓ test/a.test.ts > suite > name 3ms`, `×` failed, `↓` skipped. */
function vitest(lines: string[]): Found {
  const found: Found = new Map();
  for (const line of lines) {
    const m = /^\s*(✓|×|↓) (\S+\.[cm]?[jt]sx? > .+?)(?: \d+ms)?(?: \[skipped\])?\s*$/.exec(line);
    if (m) note(found, m[2]!.trim(), m[1] === '✓' ? 'passed' : m[1] === '×' ? 'failed' : 'skipped');
  }
  return found;
}

const PARSERS: Array<[string, (lines: string[]) => Found]> = [
  ['unittest', unittest],
  ['pytest', pytest],
  ['vitest', vitest],
  ['tap', tap],
  ['spec', spec],
  ['go', goTest],
  ['cargo', cargo],
];
