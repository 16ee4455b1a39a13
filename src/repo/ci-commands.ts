import type { RepoFiles } from './repo-files.ts';

export interface CiCommand {
  command: string;
  file: string;
  line: number;
}

/** Every `run:` command line in `.github/workflows/*.yml`, with its line number. */
export function ciCommands(repo: RepoFiles): CiCommand[] {
  const dir = '.github/workflows';
  const out: CiCommand[] = [];
  for (const name of repo.list(dir).filter((f) => /\.ya?ml$/.test(f))) {
    const file = `${dir}/${name}`;
    const lines = (repo.read(file) ?? '').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const m = /^(\s*)(?:-\s+)?run:\s*(.*)$/.exec(lines[i] ?? '');
      if (!m) continue;
      const value = (m[2] ?? '').trim();
      if (!/^[|>][-+]?\s*$/.test(value)) {
        if (value) out.push({ command: unquote(value), file, line: i + 1 });
        continue;
      }
      const indent = (m[1] ?? '').length;
      for (let j = i + 1; j < lines.length; j++) {
        const l = lines[j] ?? '';
        if (l.trim() === '') continue;
        if (l.length - l.trimStart().length <= indent) break;
        if (!l.trim().startsWith('#')) out.push({ command: l.trim(), file, line: j + 1 });
        i = j;
      }
    }
  }
  return out;
}

const TEST_COMMANDS: RegExp[] = [
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
  /^make( -\S+)* (test|check|tests)\b/,
];

/** The CI commands that run a test suite, in file order; templated ones are skipped. */
export function ciTestCommands(repo: RepoFiles): CiCommand[] {
  return ciCommands(repo).filter((c) => !c.command.includes('${{') && TEST_COMMANDS.some((re) => re.test(c.command)));
}

function unquote(s: string): string {
  return /^(['"]).*\1$/.test(s) ? s.slice(1, -1) : s;
}
