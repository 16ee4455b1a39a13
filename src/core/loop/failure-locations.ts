export interface FailureLocation {
  name: string;
  /** Relative to the checkout's root. */
  path: string;
  line: number;
  message: string;
}

/** A line that starts the report of another test: the search for this one's location stops there. */
const NEXT_TEST = /^\s*(not ok|ok) \d+|^# Subtest|^\s*[✖✔×✓✕]\s|^(FAIL|ERROR):|^--- (FAIL|PASS)|^_{3,}|^={5,}/;
const PY_FRAME = /File "([^"]+)", line (\d+)/;
const PATH_LINE = /((?:\/|\.\/)?(?:[\w@+-][\w.@+-]*\/)*[\w@+-][\w.@+-]*\.[A-Za-z][A-Za-z0-9]{0,4}):(\d+)/;

/**
 * Where each failing test failed, when the output says: the first `file:line` (or Python frame)
 * inside the checkout that follows a mention of the test's name. Library frames, paths outside
 * the checkout and files that do not exist are skipped; a test with no such line is left out.
 */
export async function locateFailures(
  output: string,
  failures: string[],
  root: string,
  exists: (rel: string) => Promise<boolean>,
): Promise<FailureLocation[]> {
  const lines = output.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
  const found: FailureLocation[] = [];
  for (const name of failures.slice(0, 50)) {
    const key = shortName(name);
    if (!key) continue;
    let hit: FailureLocation | undefined;
    for (let i = 0; i < lines.length && !hit; i++) {
      if (!lines[i]!.includes(key)) continue;
      let declared: FailureLocation | undefined;
      for (let j = i; j < Math.min(lines.length, i + 60) && !hit; j++) {
        if (j > i && NEXT_TEST.test(lines[j]!)) break;
        const candidate = pathAndLine(lines[j]!, root);
        if (!candidate || !(await exists(candidate.path))) continue;
        // TAP's `location:` is where the test is declared; a stack frame after it is where it failed.
        if (/^\s*location:/.test(lines[j]!)) declared ??= { name, ...candidate, message: messageFrom(lines, i) };
        else hit = { name, ...candidate, message: messageFrom(lines, i) };
      }
      hit ??= declared;
    }
    if (hit) found.push(hit);
  }
  return found;
}

/** The test's own name without its file or suite: `test/a.test.ts > suite > adds` is `adds`. */
function shortName(name: string): string {
  return name
    .split(/ > | › |::/)
    .at(-1)!
    .replace(/^.*\.(?=test_|Test)/, '')
    .trim();
}

function pathAndLine(line: string, root: string): { path: string; line: number } | null {
  const m = PY_FRAME.exec(line) ?? PATH_LINE.exec(line);
  if (!m) return null;
  let p = m[1]!;
  if (p.startsWith(`${root}/`)) p = p.slice(root.length + 1);
  else if (p.startsWith('/')) return null;
  p = p.replace(/^\.\//, '');
  if (
    p.split('/').some((part) => part === '..' || part === 'node_modules' || part === 'site-packages' || part === '.git')
  )
    return null;
  return { path: p, line: Number(m[2]) };
}

/** What went wrong, from the lines after the test's name: no TAP metadata, separators or stack frames. */
const NOISE =
  /^(---|\.\.\.|duration_ms:|location:|failureType:|error: \|-?$|code: |at |Traceback|File "|-{5,}|={5,}|_{5,})/;

function messageFrom(lines: string[], at: number): string {
  const out: string[] = [];
  for (const raw of lines.slice(at + 1, at + 40)) {
    const l = raw.trim();
    if (!l || NOISE.test(l)) continue;
    if (NEXT_TEST.test(raw)) break;
    out.push(l);
    if (out.length === 5) break;
  }
  return (out.join('\n') || lines[at]!.trim()).slice(0, 600);
}
