export interface ParsedTests {
  passed: number | null;
  failed: number | null;
  skipped: number | null;
  /** Names of failing tests, where the format gives them. */
  failures: string[];
  /**
   * Names of passing tests, for formats that list every test (node's reporters, TAP, `go test -v`,
   * cargo, `pytest -v`, `unittest -v`); null when the format lists files or nothing at all.
   */
  passing?: string[] | null;
  format: string | null;
}

const num = (s: string | undefined) => (s === undefined ? 0 : Number(s));

/**
 * Reads the summary of common test runners: node --test and TAP, vitest, jest, pytest, unittest,
 * go test, cargo test, JUnit XML. Null counts mean the format was not recognised: then the exit
 * code alone decides.
 */
export function parseTestOutput(output: string): ParsedTests {
  const text = output.replace(/\x1b\[[0-9;]*m/g, '');
  for (const parse of [vitest, jest, pytest, unittest, cargo, uvu, ava, tap, goTest, junit]) {
    const r = parse(text);
    if (r) return r;
  }
  return { passed: null, failed: null, skipped: null, failures: [], format: null };
}

function vitest(t: string): ParsedTests | undefined {
  const m = /^\s*Tests\s+(.*)\((\d+)\)\s*$/m.exec(t);
  if (!m || /Tests:/.test(m[0])) return undefined;
  const part = (w: string) => num(new RegExp(`(\\d+) ${w}`).exec(m[1] ?? '')?.[1]);
  const failures = [...t.matchAll(/^\s*(?:×|FAIL)\s+(.+?)(?:\s+\d+ms)?$/gm)].map((x) => x[1]!.trim());
  return {
    passed: part('passed'),
    failed: part('failed'),
    skipped: part('skipped') + part('todo'),
    failures: unique(failures),
    format: 'vitest',
  };
}

function jest(t: string): ParsedTests | undefined {
  const m = /^Tests:\s+(.*)$/m.exec(t);
  if (!m) return undefined;
  const part = (w: string) => num(new RegExp(`(\\d+) ${w}`).exec(m[1] ?? '')?.[1]);
  const failures = [...t.matchAll(/^\s*● (.+)$/gm)].map((x) => x[1]!.trim());
  return {
    passed: part('passed'),
    failed: part('failed'),
    skipped: part('skipped') + part('todo'),
    failures: unique(failures),
    format: 'jest',
  };
}

function pytest(t: string): ParsedTests | undefined {
  // `-q` prints the summary line without the `===` around it.
  const m = /^(?:=+ )?(\d+ (?:passed|failed|error|errors|skipped)\b.*|no tests ran.*) in [\d.]+s\b.*?(?: =+)?$/m.exec(
    t,
  );
  if (!m) return undefined;
  const part = (w: string) => num(new RegExp(`(\\d+) ${w}`).exec(m[1] ?? '')?.[1]);
  const failures = [...t.matchAll(/^(?:FAILED|ERROR) (\S+)/gm)].map((x) => x[1]!);
  const verbose = [...t.matchAll(/^(\S+::\S+) PASSED\b/gm)].map((x) => x[1]!);
  return {
    passed: part('passed'),
    failed: part('failed') + part('errors?'),
    skipped: part('skipped'),
    failures: unique(failures),
    passing: verbose.length ? unique(verbose) : null,
    format: 'pytest',
  };
}

function unittest(t: string): ParsedTests | undefined {
  const ran = /^Ran (\d+) tests? in/m.exec(t);
  if (!ran) return undefined;
  const total = num(ran[1]);
  const status = /^(OK|FAILED)(?: \((.*)\))?$/m.exec(t);
  const part = (w: string) => num(new RegExp(`${w}=(\\d+)`).exec(status?.[2] ?? '')?.[1]);
  const failed = part('failures') + part('errors');
  const skipped = part('skipped');
  // Python 3.11+ prints `test_x (module.Class.test_x)`; older ones `test_x (module.Class)`.
  const failures = [...t.matchAll(/^(?:FAIL|ERROR): (\S+) \(([^)]+)\)/gm)].map((x) =>
    x[2]!.endsWith(`.${x[1]}`) ? x[2]! : `${x[2]}.${x[1]}`,
  );
  // `-v` prints `test_x (module.Class.test_x) ... ok`; without it, only dots.
  const verbose = [...t.matchAll(/^(\w+) \(([^)]+)\)(?:\n.*)? \.\.\. ok$/gm)].map((x) =>
    x[2]!.endsWith(`.${x[1]}`) ? x[2]! : `${x[2]}.${x[1]}`,
  );
  return {
    passed: total - failed - skipped,
    failed,
    skipped,
    failures: unique(failures),
    passing: verbose.length ? unique(verbose) : null,
    format: 'unittest',
  };
}

/** uvu: `Total: 10  Passed: 9  Skipped: 0`, failing tests as `✘   FAIL  suite  "name"`. */
function uvu(t: string): ParsedTests | undefined {
  const total = /^\s*Total:\s+(\d+)\s*$/m.exec(t);
  const passed = /^\s*Passed:\s+(\d+)\s*$/m.exec(t);
  if (!total || !passed) return undefined;
  const skipped = num(/^\s*Skipped:\s+(\d+)\s*$/m.exec(t)?.[1]);
  const failures = [...t.matchAll(/FAIL\s+(?:(\S+)\s+)?"([^"]+)"/g)].map((x) => (x[1] ? `${x[1]} > ${x[2]}` : x[2]!));
  return {
    passed: num(passed[1]),
    failed: num(total[1]) - num(passed[1]) - skipped,
    skipped,
    failures: unique(failures),
    format: 'uvu',
  };
}

/** AVA: `20 tests passed` or, when some fail, `1 test failed` and one `✔`/`✖` line per test. */
function ava(t: string): ParsedTests | undefined {
  if (!/^\s*\d+ tests? (passed|failed)\b/m.test(t)) return undefined;
  const line = (w: string) => num(new RegExp(`^\\s*(\\d+) (?:tests?|known failures?) ${w}\\b`, 'm').exec(t)?.[1]);
  const ticks = (t.match(/^\s*✔ /gm) ?? []).length;
  const failed = line('failed');
  // `✖` lines count only when AVA says tests failed: a type checker run after it (tsd) prints them too.
  const failures = failed
    ? [...t.matchAll(/^\s*(?:✖|✘ \[fail\]:) (.+?)\s*$/gm)].map((x) =>
        x[1]!.replace(/\s+Error thrown in test$/, '').trim(),
      )
    : [];
  const passed = /^\s*\d+ tests? passed\b/m.test(t) ? line('passed') : ticks;
  return { passed, failed, skipped: line('skipped') + line('todo'), failures: unique(failures), format: 'ava' };
}

function cargo(t: string): ParsedTests | undefined {
  const all = [...t.matchAll(/^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/gm)];
  if (!all.length) return undefined;
  const sum = (i: number) => all.reduce((s, m) => s + num(m[i]), 0);
  // `test x ... FAILED`, or with `-q` `x --- FAILED`; the closing `failures:` list names them either way.
  const failures = [...t.matchAll(/^(?:test (\S+) \.\.\. FAILED|(\S+) --- FAILED)$/gm)].map((x) => (x[1] ?? x[2])!);
  const listed = [...t.matchAll(/^test (\S+) \.\.\. ok$/gm)].map((x) => x[1]!);
  return {
    passed: sum(1),
    failed: sum(2),
    skipped: sum(3),
    failures: unique(failures),
    passing: listed.length || !sum(1) ? unique(listed) : null,
    format: 'cargo',
  };
}

function goTest(t: string): ParsedTests | undefined {
  // `ok  \tpkg\t0.01s` / `FAIL\tpkg\t0.01s` / `--- FAIL: TestX`; TAP's `ok 1 - name` is not go.
  if (!/^(ok|FAIL)\s+\S+\s+(\(cached\)|[\d.]+s)/m.test(t) && !/^\s*--- (PASS|FAIL|SKIP): /m.test(t)) return undefined;
  const passed = (t.match(/^\s*--- PASS: /gm) ?? []).length;
  const failures = [...t.matchAll(/^\s*--- FAIL: (\S+)/gm)].map((x) => x[1]!);
  const skipped = (t.match(/^\s*--- SKIP: /gm) ?? []).length;
  const pkgFails = (t.match(/^FAIL\s+\S+/gm) ?? []).length;
  // Without -v, go prints packages only: then nothing says which tests ran.
  const verbose = /^\s*--- (PASS|FAIL|SKIP): /m.test(t);
  const passing = verbose ? [...t.matchAll(/^\s*--- PASS: (\S+)/gm)].map((x) => x[1]!) : null;
  return {
    passed,
    failed: Math.max(failures.length, pkgFails),
    skipped,
    failures: unique(failures),
    passing: passing && unique(passing),
    format: 'go',
  };
}

function tap(t: string): ParsedTests | undefined {
  // TAP summary comments (`# pass 2`), or node --test's spec reporter (`ℹ pass 2`).
  const pass = /^[#ℹ] pass (\d+)$/m.exec(t);
  const fail = /^[#ℹ] fail (\d+)$/m.exec(t);
  if (!pass && !fail) return undefined;
  const skipped = num(/^[#ℹ] skipped (\d+)$/m.exec(t)?.[1]) + num(/^[#ℹ] todo (\d+)$/m.exec(t)?.[1]);
  const tapFailures = [...t.matchAll(/^\s*not ok \d+ - (.+?)(?: #.*)?$/gm)].map((x) => x[1]!.trim());
  const specFailures = [...t.matchAll(/^\s*✖ (.+?)(?: \([\d.]+m?s\))?$/gm)]
    .map((x) => x[1]!.trim())
    .filter((n) => n !== 'failing tests:');
  const tapPassing = [...t.matchAll(/^\s*ok \d+ - (.+?)(?: #.*)?$/gm)]
    .filter((x) => !/#\s*(skip|todo)\b/i.test(x[0]))
    .map((x) => x[1]!.trim());
  const specPassing = [...t.matchAll(/^\s*✔ (.+?)(?: \([\d.]+m?s\))?$/gm)].map((x) => x[1]!.trim());
  return {
    passed: num(pass?.[1]),
    failed: num(fail?.[1]),
    skipped,
    failures: unique([...tapFailures, ...specFailures]),
    passing: unique([...tapPassing, ...specPassing]),
    format: 'tap',
  };
}

function junit(t: string): ParsedTests | undefined {
  const suites = [...t.matchAll(/<testsuite\b([^>]*)>/g)];
  if (!suites.length) return undefined;
  const attr = (s: string, name: string) => num(new RegExp(`\\b${name}="(\\d+)"`).exec(s)?.[1]);
  let tests = 0;
  let failed = 0;
  let skipped = 0;
  for (const [, a] of suites) {
    tests += attr(a!, 'tests');
    failed += attr(a!, 'failures') + attr(a!, 'errors');
    skipped += attr(a!, 'skipped');
  }
  const failures = [...t.matchAll(/<testcase\b[^>]*name="([^"]+)"[^>]*>\s*<(?:failure|error)\b/g)].map((x) => x[1]!);
  return { passed: tests - failed - skipped, failed, skipped, failures: unique(failures), format: 'junit' };
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
