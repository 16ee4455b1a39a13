import { workflowEnv, type StepEnv } from './ci-env.ts';
import type { RepoFiles } from './repo-files.ts';

export interface CiCommand {
  command: string;
  file: string;
  line: number;
  /** The workflow job the step belongs to. */
  job: string;
  /** Where the command runs, relative to the checkout, when a `cd` or `working-directory` moved it. */
  cwd?: string;
  /** False when the workflow runs only on a schedule, by hand or on a release, never on a push or pull request. */
  onChange: boolean;
  /** The values the command sees: the workflow's, job's and step's `env:`, then what the step's script set before it. */
  env?: Record<string, string>;
  /** Which of them the step itself sets for its commands: its own `env:`, and `export X=...` lines before the command. */
  stepEnv?: string[];
  /** Repository scripts the step's script sources before the command (`source ci/env.sh`): they set what the command needs. */
  sourced?: string[];
}

/**
 * Every command of a `run:` step in `.github/workflows/*.yml`, with its line number and job:
 * trailing shell comments removed, `\`-continued and folded (`>`) lines joined, and the folder a
 * `cd` line or the step's `working-directory` moved it to. Workflows that run on every push
 * (`ci`, `test`, `build`, `main`...) come before scheduled, release and analysis ones.
 */
export function ciCommands(repo: RepoFiles): CiCommand[] {
  const dir = '.github/workflows';
  const out: CiCommand[] = [];
  const all = repo.list(dir).filter((f) => /\.ya?ml$/.test(f));
  // A reusable workflow (`uses: ./.github/workflows/x.yml`) called by a main one ranks with its caller.
  const called = new Set(
    all
      .filter((f) => rank(f) === 0)
      .flatMap((f) =>
        [...(repo.read(`${dir}/${f}`) ?? '').matchAll(/uses:\s*\.\/\.github\/workflows\/([\w.-]+\.ya?ml)/g)].map(
          (m) => m[1]!,
        ),
      ),
  );
  const rankOf = (f: string) => (called.has(f) ? 0 : rank(f));
  const names = all.sort((a, b) => rankOf(a) - rankOf(b) || a.localeCompare(b));
  for (const name of names) {
    const file = `${dir}/${name}`;
    const text = repo.read(file) ?? '';
    const lines = text.split('\n');
    scanRunSteps(repo, file, lines, workflowEnv(text), runsOnChange(lines), null, out, 0);
  }
  return out;
}

/**
 * The `run` steps of one workflow (or of a local composite action a job `uses:`, with the caller's
 * job), pushed to `out` in order.
 */
function scanRunSteps(
  repo: RepoFiles,
  file: string,
  lines: string[],
  envAt: (line: number) => StepEnv,
  onChange: boolean,
  fixedJob: string | null,
  out: CiCommand[],
  depth: number,
): void {
  let job = fixedJob ?? '';
  let jobStart = 0;
  let inJobs = false;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? '';
    if (fixedJob === null) {
      if (/^jobs:\s*$/.test(text)) inJobs = true;
      else if (/^\S/.test(text)) inJobs = false;
      const jobKey = inJobs ? /^ {2}([\w.-]+):\s*$/.exec(text) : null;
      if (jobKey) [job, jobStart] = [jobKey[1]!, i];
    }
    // A local composite action: its steps run in this job.
    const action = /^\s*(?:-\s+)?uses:\s*["']?\.\/(\.github\/actions\/[\w.-]+)\/?["']?\s*$/.exec(text);
    if (action && depth < 2) {
      const actionFile = ['action.yml', 'action.yaml'].map((f) => `${action[1]}/${f}`).find((f) => repo.exists(f));
      const actionText = actionFile ? (repo.read(actionFile) ?? '') : '';
      if (actionFile)
        scanRunSteps(repo, actionFile, actionText.split('\n'), workflowEnv(actionText), onChange, job, out, depth + 1);
      continue;
    }
    const m = /^(\s*)(-\s+)?run:\s*(.*)$/.exec(text);
    if (!m) continue;
    const value = (m[3] ?? '').trim();
    const stepDir = workingDirectory(lines, i, (m[1] ?? '').length + (m[2] ?? '').length);
    const { env: stepEnv, own } = envAt(i + 1);
    // What the step's script sets before a command (`export X=1`, `source ci/env.sh`): the command runs with it.
    const script = { env: {} as Record<string, string>, sourced: [] as string[] };
    const push = (written: string, line: number, cwd: string | undefined) => {
      const raw = matrixProgram(written, lines.slice(jobStart, i));
      // `cd build && ctest`, `cd build ; ctest`: the folder, then the command.
      const cd = /^cd\s+("?)([^"&;|\s]+)\1\s*(?:&&|;)\s*(.+)$/.exec(raw);
      const where = joinDir(joinDir(stepDir, cwd), cd?.[2]);
      // `npm ci && npm test`: each part on its own, in order.
      for (const command of andParts(cd ? cd[3]!.trim() : raw)) {
        if (setsEnv(command, script, repo, where)) continue;
        const env = { ...stepEnv, ...script.env };
        const set = [...new Set([...own, ...Object.keys(script.env)])];
        out.push({
          command,
          file,
          line,
          job,
          onChange,
          ...(where ? { cwd: where } : {}),
          ...(Object.keys(env).length ? { env } : {}),
          ...(set.length ? { stepEnv: set } : {}),
          ...(script.sourced.length ? { sourced: [...script.sourced] } : {}),
        });
      }
    };
    if (!/^[|>][-+]?\s*$/.test(value)) {
      push(stripComment(unquote(value)), i + 1, undefined);
      continue;
    }
    const indent = (m[1] ?? '').length;
    const block: Array<{ text: string; line: number }> = [];
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j] ?? '';
      if (l.trim() === '') continue;
      if (l.length - l.trimStart().length <= indent) break;
      block.push({ text: l.trim(), line: j + 1 });
      i = j;
    }
    // A script: a `cd` (alone, or in `mkdir -p build && cd build`) moves every later line.
    let cwd: string | undefined;
    for (const { command, line } of value.startsWith('>') ? folded(block) : literal(block)) {
      // A `;` that only ends the line (`cmake -B build;`) is not a second command.
      for (const part of andParts(command.replace(/\s*;\s*$/, ''))) {
        const cd = /^cd\s+("?)([^"&;|]+)\1\s*$/.exec(part);
        if (cd) cwd = joinDir(cwd, cd[2]!.trim());
        else push(part, line, cwd);
      }
    }
  }
}

/**
 * A program named by the job's matrix (`${{ matrix.make }} -j4`, with `make: gmake` on one entry
 * and `make: make` on another): its first value in the job, so the command can be read. Only the
 * program: options from the matrix stay unknown (see shell-words.ts).
 */
function matrixProgram(command: string, jobLines: string[]): string {
  const m = /^\$\{\{\s*matrix\.([\w-]+)\s*\}\}(?=\s|$)/.exec(command);
  if (!m) return command;
  const key = m[1]!.replace(/[-]/g, '\\-');
  for (const l of jobLines) {
    const v = new RegExp(`^\\s*(?:-\\s+)?${key}:\\s*(?:\\[\\s*)?["']?([\\w./+-]+)["']?`).exec(l);
    if (v && !/^\$/.test(v[1]!)) return `${v[1]}${command.slice(m[0].length)}`;
  }
  return command;
}

/**
 * A part of a step's script that only sets values for what follows: `export A=1 B="x y"`, a bare
 * `A=1`, or `source ci/env.sh` / `. ./env.sh` of a file in the repository (not a virtual
 * environment's `activate`: the harness makes its own). Recorded into `script`; true when it was one.
 */
function setsEnv(
  part: string,
  script: { env: Record<string, string>; sourced: string[] },
  repo: RepoFiles,
  cwd: string | undefined,
): boolean {
  const source = /^(?:source|\.)\s+("?)([\w./-]+)\1\s*$/.exec(part);
  if (source) {
    const rel = source[2]!.replace(/^\.\//, '');
    const inRepo = cwd && !/^(\$|\/)/.test(cwd) ? `${cwd}/${rel}` : rel;
    if (!/(^|\/)activate$/.test(rel) && repo.exists(inRepo)) script.sourced.push(rel.includes('/') ? rel : `./${rel}`);
    return true;
  }
  const words = part.replace(/^export\s+/, '').match(/[A-Za-z_]\w*=("[^"]*"|'[^']*'|\S*)/g);
  if (!words || words.join(' ').length < part.replace(/^export\s+/, '').trim().length) return false;
  for (const w of words) {
    const [name, ...value] = w.split('=');
    script.env[name!] = value.join('=').replace(/^(["'])(.*)\1$/, '$2');
  }
  return true;
}

/** The parts of `a && b && c` outside quotes and `$( )`; one part when there is no `&&`. */
function andParts(command: string): string[] {
  const parts: string[] = [];
  let quote: string | null = null;
  let depth = 0;
  let from = 0;
  for (let i = 0; i < command.length; i++) {
    const ch = command[i]!;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && ch === '&' && command[i + 1] === '&') {
      parts.push(command.slice(from, i).trim());
      from = i + 2;
      i++;
    }
  }
  parts.push(command.slice(from).trim());
  return parts.filter(Boolean);
}

/** A literal block: one command per line, a line ending in `\` continued on the next. */
function literal(block: Array<{ text: string; line: number }>): Array<{ command: string; line: number }> {
  const out: Array<{ command: string; line: number }> = [];
  let pending: { command: string; line: number } | null = null;
  for (const { text, line } of block) {
    const clean = stripComment(text);
    if (!clean && !pending) continue;
    const cont = /\\$/.test(clean);
    const part = cont ? clean.slice(0, -1).trim() : clean;
    pending = pending ? { command: `${pending.command} ${part}`.trim(), line: pending.line } : { command: part, line };
    if (!cont) {
      out.push(pending);
      pending = null;
    }
  }
  if (pending) out.push(pending);
  return out;
}

/** A folded block (`>`): its lines are one command. */
function folded(block: Array<{ text: string; line: number }>): Array<{ command: string; line: number }> {
  const command = block
    .map((b) => stripComment(b.text))
    .filter(Boolean)
    .join(' ');
  return command ? [{ command, line: block[0]!.line }] : [];
}

/** The `working-directory` of the step a `run:` at `at` belongs to. */
function workingDirectory(lines: string[], at: number, keyIndent: number): string | undefined {
  let start = at;
  while (start > 0 && !/^\s*-\s/.test(lines[start] ?? '')) start--;
  const dash = (lines[start] ?? '').length - (lines[start] ?? '').trimStart().length;
  for (let j = start; j < lines.length; j++) {
    const l = lines[j] ?? '';
    if (j > start && l.trim() && l.length - l.trimStart().length <= dash) break;
    const m = /^\s*(?:-\s+)?working-directory:\s*(.+?)\s*$/.exec(l);
    if (m && l.length - l.trimStart().length >= Math.min(keyIndent, dash)) return unquote(m[1]!);
  }
  return undefined;
}

function joinDir(base: string | undefined, next: string | undefined): string | undefined {
  if (!next) return base;
  const clean = next.replace(/^\.\/?/, '').replace(/\/$/, '');
  if (/^(\$|\/|~)/.test(next)) return next; // a variable or an absolute path: kept as written, so the caller can refuse it
  if (!clean) return base;
  return base ? `${base}/${clean}` : clean;
}

/** Whether a workflow's `on:` names a push, pull request or merge queue (or is called by another workflow). */
function runsOnChange(lines: string[]): boolean {
  const at = lines.findIndex((l) => /^["']?on["']?\s*:/.test(l));
  if (at < 0) return true;
  const inline = lines[at]!.replace(/^["']?on["']?\s*:/, '').trim();
  const keys = inline ? [inline] : [];
  // The keys may be indented, or a list at the key's own indentation (`on:` then `- push`), which YAML allows.
  for (let j = at + 1; j < lines.length && (/^(\s|-\s)/.test(lines[j]!) || !lines[j]!.trim()); j++) {
    const k = /^\s{1,4}([\w-]+)\s*:/.exec(lines[j]!) ?? /^\s{0,4}-\s*([\w-]+)/.exec(lines[j]!);
    if (k) keys.push(k[1]!);
  }
  return keys.some((k) => /\b(push|pull_request|pull_request_target|merge_group|workflow_call)\b/.test(k));
}

/** Workflows that run on every change first; scheduled, release and scanning ones last. */
function rank(name: string): number {
  if (/^(ci|tests?|build|main|check|push|pr|pull[-_]request)\b/i.test(name)) return 0;
  if (
    /daily|nightly|weekly|schedule|cron|release|publish|deploy|codeql|coverity|scorecard|stale|label|docs?\b|spell/i.test(
      name,
    )
  )
    return 2;
  return 1;
}

/** A shell comment at the end of a line (` # ...` outside quotes) says nothing to run. */
export function stripComment(line: string): string {
  if (line.startsWith('#')) return '';
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#' && i > 0 && /\s/.test(line[i - 1]!)) return line.slice(0, i).trimEnd();
  }
  return line;
}

function unquote(s: string): string {
  return /^(['"]).*\1$/.test(s) ? s.slice(1, -1) : s;
}
