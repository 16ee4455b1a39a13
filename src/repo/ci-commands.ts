import type { RepoFiles } from './repo-files.ts';

export interface CiCommand {
  command: string;
  file: string;
  line: number;
  /** The workflow job the step belongs to. */
  job: string;
}

/**
 * Every `run:` command line in `.github/workflows/*.yml`, with its line number and job, trailing
 * shell comments removed. Workflows that run on every push (`ci`, `test`, `build`, `main`...)
 * come before scheduled, release and analysis ones.
 */
export function ciCommands(repo: RepoFiles): CiCommand[] {
  const dir = '.github/workflows';
  const out: CiCommand[] = [];
  const names = repo.list(dir).filter((f) => /\.ya?ml$/.test(f)).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const name of names) {
    const file = `${dir}/${name}`;
    const lines = (repo.read(file) ?? '').split('\n');
    let job = '';
    let inJobs = false;
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i] ?? '';
      if (/^jobs:\s*$/.test(text)) inJobs = true;
      else if (/^\S/.test(text)) inJobs = false;
      const jobKey = inJobs ? /^ {2}([\w.-]+):\s*$/.exec(text) : null;
      if (jobKey) job = jobKey[1]!;
      const m = /^(\s*)(?:-\s+)?run:\s*(.*)$/.exec(text);
      if (!m) continue;
      const value = (m[2] ?? '').trim();
      if (!/^[|>][-+]?\s*$/.test(value)) {
        const command = stripComment(unquote(value));
        if (command) out.push({ command, file, line: i + 1, job });
        continue;
      }
      const indent = (m[1] ?? '').length;
      for (let j = i + 1; j < lines.length; j++) {
        const l = lines[j] ?? '';
        if (l.trim() === '') continue;
        if (l.length - l.trimStart().length <= indent) break;
        const command = stripComment(l.trim());
        if (command) out.push({ command, file, line: j + 1, job });
        i = j;
      }
    }
  }
  return out;
}

export const TEST_COMMANDS: RegExp[] = [
  /^(npm|pnpm|yarn|bun)( run)? (test|tests|test:[\w:-]+)\b/,
  /^npm t\b/,
  /^(uv run |poetry run |pipenv run |hatch run )?(python3? -m )?pytest\b/,
  /^(python3? -m )?(tox|nox)\b/,
  /^hatch (run )?test/,
  /^(python3? -m )?unittest\b/,
  /^go test\b/,
  /^cargo (test|nextest run)\b/,
  /^(\.\/mvnw|mvn)\b.*\b(test|verify|install)\b/,
  /^(\.\/gradlew|gradle)\b.*\b(test|check|build)\b/,
  /^bundle exec (rake|rspec)\b/,
  /^(rake|rspec)\b/,
  // `make test`, `make -j4 check`, `make V=1 test`; not `make -C tests/modules all`.
  /^make((\s+-C\s+\S+)|(\s+-[\w-]+)|(\s+[A-Z_]+=\S+))*\s+(test|check|tests)(\s|$)/,
  // A repo's own test runner script: `./runtest`, `./run-tests.sh`, `./test.sh`.
  /^\.\/(runtests?|run[-_]tests?(\.sh)?|tests?\.sh)(\s|$)/,
];

/** A build step a test step needs first: `make`, with options or variables but no other target. */
const BUILD_COMMAND = /^make((\s+-[\w-]+)|(\s+[A-Z_]+=\S+))*(\s+(all|build))?\s*$/;

/** The CI commands that run a test suite, push workflows first; templated ones are skipped. */
export function ciTestCommands(repo: RepoFiles): Array<CiCommand & { setup: CiCommand[] }> {
  const all = ciCommands(repo);
  return all
    .filter((c) => !c.command.includes('${{') && TEST_COMMANDS.some((re) => re.test(c.command)))
    .map((c) => ({ ...c, setup: all.filter((b) => b.file === c.file && b.job === c.job && b.line < c.line && BUILD_COMMAND.test(b.command)).slice(0, 1) }));
}

/** Workflows that run on every change first; scheduled, release and scanning ones last. */
function rank(name: string): number {
  if (/^(ci|tests?|build|main|check|push|pr|pull[-_]request)\b/i.test(name)) return 0;
  if (/daily|nightly|weekly|schedule|cron|release|publish|deploy|codeql|coverity|scorecard|stale|label|docs?\b|spell/i.test(name)) return 2;
  return 1;
}

/** A shell comment at the end of a line (` # ...` outside quotes) says nothing to run. */
function stripComment(line: string): string {
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
