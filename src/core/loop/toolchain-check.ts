import type { ToolchainRequirement } from '../../protocol/toolchain.ts';
import type { Sandbox } from '../ports.ts';

export interface ToolchainNote {
  tool: ToolchainRequirement['tool'];
  have: string;
  /** The worker's version is older than the repository asks for: setup or tests will likely fail. */
  older: boolean;
  text: string;
}

const NAMES: Record<ToolchainRequirement['tool'], string> = { node: 'Node', python: 'Python', go: 'Go', rust: 'Rust' };

/** What each tool reports as its version, asked inside the sandbox (what the commands will use); `uv` only says it is there. */
const VERSION_SCRIPT = [
  'for t in "$@"; do v=',
  'case $t in',
  '  node) v=$(node --version 2>/dev/null);;',
  '  python) v=$(python3 --version 2>&1 || python --version 2>&1);;',
  '  go) v=$(GOTOOLCHAIN=local go version 2>/dev/null);;',
  '  rust) v=$(rustc --version 2>/dev/null);;',
  '  uv) v=$(uv --version 2>/dev/null);;',
  '  venv:*) test -f "${t#venv:}/pyvenv.cfg" && v=0.0;;',
  '  path:*) test -e "${t#path:}" && v=0.0;;',
  'esac',
  'echo "$t=$v"; done',
].join('\n');

/** What each tool asked for reports as its version inside the sandbox (what the commands will use); absent when not installed. */
export async function workerVersions(
  sandbox: Sandbox,
  tools: string[],
  cwd: string,
  signal: AbortSignal,
): Promise<Map<string, string>> {
  if (!tools.length) return new Map();
  const res = await sandbox.run({
    command: ['sh', '-c', VERSION_SCRIPT, 'versions', ...new Set(tools)],
    cwd,
    network: false,
    timeoutMs: 30_000,
    outputLimitBytes: 8 * 1024,
    signal,
    stage: 'setup',
  });
  const pairs = res.stdout
    .split('\n')
    .map((l) => l.split('='))
    .filter((p) => p.length >= 2)
    .map(([k, ...v]) => [k!, v.join('=').trim()] as const);
  return new Map(pairs.filter(([, v]) => /\d+\.\d+/.test(v)));
}

/** The version a tool's `--version` line names (`v20.19.0`, `Python 3.11.2`, `go version go1.22.1 linux/amd64`). */
export const versionOf = (raw: string): string | undefined => /(\d+\.\d+(?:\.\d+)?)/.exec(raw)?.[1];

/**
 * The toolchain versions the repository asks for, compared with what the worker has, before
 * anything runs: an older one is named with where it is asked for and what to do. `unavailable`
 * says why the app could not provide a tool itself (added to the advice).
 */
export async function toolchainNotes(
  sandbox: Sandbox,
  wants: ToolchainRequirement[],
  cwd: string,
  signal: AbortSignal,
  known: { unavailable?: Map<string, string>; have?: Map<string, string> } = {},
): Promise<ToolchainNote[]> {
  if (!wants.length) return [];
  const have =
    known.have ??
    (await workerVersions(
      sandbox,
      wants.map((w) => w.tool),
      cwd,
      signal,
    ));
  const unavailable = known.unavailable ?? new Map<string, string>();
  const notes: ToolchainNote[] = [];
  for (const want of wants) {
    const raw = have.get(want.tool) ?? '';
    const version = versionOf(raw);
    if (!version) continue; // not installed: the missing-program check names it
    const verdict = compare(version, raw, want);
    if (verdict === 'ok' || verdict === 'unknown') continue;
    const name = NAMES[want.tool];
    const where = `${want.file}${want.line > 1 ? ` line ${want.line}` : ''}`;
    const why = unavailable.get(want.tool);
    notes.push({
      tool: want.tool,
      have: version,
      older: verdict === 'older',
      text:
        verdict === 'older'
          ? `the worker has ${name} ${version}, older than the ${name} ${want.wants} that ${where} asks for: ${FIX[want.tool](want.wants)}${why ? ` (the app could not fetch it: ${why})` : ''}`
          : `${where} asks for ${name} ${want.wants}; the worker has ${version}, which usually still works${why ? ` (the app could not fetch that version: ${why})` : ''}`,
    });
  }
  return notes;
}

/** What to do about a tool older than asked, naming exactly what to install. */
const FIX: Record<ToolchainRequirement['tool'], (wants: string) => string> = {
  node: () =>
    'install it on the worker (or name its folder in PATCHWRIGHT_SANDBOX_PATHS), or let the app fetch it from an npm registry (PATCHWRIGHT_NODE_REGISTRY)',
  python: (w) =>
    `install Python ${w.replace(/^[>=~^ ]+/, '')} on the worker (or name its folder in PATCHWRIGHT_SANDBOX_PATHS), or install uv there: the harness then makes the virtual environment with \`uv venv --python\`, which fetches it`,
  go: (w) =>
    `install Go ${w.replace(/^[>=]+/, '')} on the worker (or name its folder in PATCHWRIGHT_SANDBOX_PATHS); Go 1.21 and later fetch the toolchain go.mod names by themselves when GOPROXY is reachable`,
  rust: (w) =>
    `install it on the worker with rustup (\`rustup toolchain install ${w}\`; cargo then picks it from the toolchain file), or name its folder in PATCHWRIGHT_SANDBOX_PATHS`,
};

/**
 * The version to use: for a pin (`22`, `22.3`, `22.3.0`) the newest it covers; for a range
 * (`>=22`, `^20 || >=22`) the newest release of the oldest major line it allows, which is what
 * the repository was most likely written against. Pre-releases never.
 */
export function chooseVersion(versions: string[], want: ToolchainRequirement): string | undefined {
  const ok = versions.filter((v) => /^\d+\.\d+\.\d+$/.test(v) && compare(v, v, want) === 'ok').sort(byVersion);
  if (!ok.length) return undefined;
  if (want.kind === 'pin') return ok.at(-1);
  const major = ok[0]!.split('.')[0];
  return ok.filter((v) => v.split('.')[0] === major).at(-1);
}

function byVersion(a: string, b: string): number {
  const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
  return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
}

type Verdict = 'ok' | 'older' | 'other' | 'unknown';

export function compare(version: string, raw: string, want: ToolchainRequirement): Verdict {
  if (want.tool === 'rust' && /^(nightly|beta)/.test(want.wants))
    return raw.includes(want.wants.split('-')[0]!) ? 'ok' : 'other';
  const have = parts(version);
  if (want.kind === 'pin') {
    const pin = parts(want.wants);
    if (!pin.length) return 'unknown';
    const c = cmp(have.slice(0, pin.length), pin);
    return c === 0 ? 'ok' : c < 0 ? 'older' : 'other';
  }
  const alternatives = want.wants.split('||').map((a) => comparators(a.trim()));
  if (alternatives.some((a) => a === null)) return 'unknown';
  const ok = alternatives.some((a) => a!.every(([op, v]) => test(have, op, v)));
  if (ok) return 'ok';
  const mins = alternatives.flatMap((a) => a!.filter(([op]) => op.startsWith('>')).map(([, v]) => v));
  return mins.length && mins.every((m) => cmp(have, m) < 0) ? 'older' : 'other';
}

function parts(v: string): number[] {
  return (/^v?(\d+(?:\.\d+){0,2})/.exec(v.trim())?.[1] ?? '').split('.').filter(Boolean).map(Number);
}

function cmp(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** `>=18.17 <21`, `^20`, `~3.9`, `~=3.10`, `18.x`, `==3.11.*`, `!=3.9.1`: as [operator, version] pairs; null when unreadable. */
function comparators(range: string): Array<[string, number[]]> | null {
  const out: Array<[string, number[]]> = [];
  for (const token of range
    .replace(/(>=|<=|~=|==|!=|>|<|=|\^|~)\s+/g, '$1')
    .split(/\s+/)
    .filter(Boolean)) {
    const m = /^(>=|<=|~=|==|!=|>|<|=|\^|~)?v?(\d+(?:\.(?:\d+|x|\*))*)$/.exec(token);
    if (!m) return null;
    const op = m[1] ?? '=';
    const nums = m[2]!
      .split('.')
      .filter((p) => /^\d+$/.test(p))
      .map(Number);
    if (op === '^') out.push(['>=', nums], ['<', [nums[0]! + 1]]);
    else if (op === '~' || op === '~=')
      out.push(
        ['>=', nums],
        [
          '<',
          nums.length > 1 && op === '~'
            ? [nums[0]!, nums[1]! + 1]
            : nums.length > 2
              ? [nums[0]!, nums[1]! + 1]
              : [nums[0]! + 1],
        ],
      );
    else if (op === '=' || op === '==') out.push(['=', nums]);
    else if (op !== '!=') out.push([op, nums]);
  }
  return out.length ? out : null;
}

function test(have: number[], op: string, v: number[]): boolean {
  if (op === '=') return cmp(have.slice(0, v.length), v) === 0;
  const c = cmp(have, v);
  return op === '>=' ? c >= 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : c < 0;
}
