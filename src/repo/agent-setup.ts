import { ciCommands, stripComment } from './ci-commands.ts';
import { at, type Detected } from './detection.ts';
import type { RepoFiles } from './repo-files.ts';
import { isTestCommand, normaliseCommand } from './test-commands.ts';

/**
 * What a repository already tells other coding agents about its environment: Copilot's setup
 * workflow (`.github/workflows/copilot-setup-steps.yml`, the `copilot-setup-steps` job's `run`
 * steps), the dev container's `updateContentCommand` and `postCreateCommand`, and commands stated
 * in AGENTS.md. Trusted after `.github/agent.yml` and before CI and ecosystem files.
 */
export function agentSetup(repo: RepoFiles): { setup: Detected[]; tests: Detected[] } {
  const setup = [...copilotSteps(repo), ...devcontainer(repo)];
  const stated = agentsMd(repo);
  return { setup: setup.length ? setup : stated.setup, tests: stated.tests };
}

function copilotSteps(repo: RepoFiles): Detected[] {
  const file = '.github/workflows/copilot-setup-steps.yml';
  if (!repo.exists(file)) return [];
  // Steps that only talk to the runner (`echo ... >> $GITHUB_ENV`, PowerShell `$env:`) or need CI's values are not setup.
  return ciCommands(repo)
    .filter((c) => c.file === file && c.job === 'copilot-setup-steps' && !c.cwd)
    .map((c) => ({ c, n: normaliseCommand(c.command) }))
    .filter(({ n }) => 'command' in n && n.command && !/^(echo|printf|export|set|\$env:)\b/.test(n.command))
    .map(({ c }) => at(c.command, c.file, c.line, 'Copilot’s setup steps run it'));
}

function devcontainer(repo: RepoFiles): Detected[] {
  const file = ['.devcontainer/devcontainer.json', '.devcontainer.json'].find((f) => repo.exists(f));
  if (!file) return [];
  const text = repo.read(file) ?? '';
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(stripJsonc(text)) as Record<string, unknown>;
  } catch {
    return [];
  }
  const out: Detected[] = [];
  for (const key of ['updateContentCommand', 'postCreateCommand']) {
    const line = repo.lineOf(file, new RegExp(`"${key}"`));
    // `${containerWorkspaceFolder}` is the checkout, where Patchwright runs setup.
    for (const command of commandsOf(json[key]))
      out.push(
        at(
          command.replace(/\$\{containerWorkspaceFolder\}\/?/g, './').replace(/\.\/\//g, './'),
          file,
          line,
          `the dev container’s ${key} runs it`,
        ),
      );
  }
  return out;
}

/** A devcontainer command: a shell string, an argv array, or an object of named commands of either kind. */
function commandsOf(value: unknown): string[] {
  if (typeof value === 'string') return value.trim() ? [value.trim()] : [];
  if (Array.isArray(value))
    return value.every((v) => typeof v === 'string') && value.length ? [value.map(shellQuote).join(' ')] : [];
  if (value && typeof value === 'object') return Object.values(value).flatMap(commandsOf);
  return [];
}

const SETUP_COMMANDS = [
  /^(npm (ci|install|i)|pnpm (install|i)|yarn( install)?|bun install|corepack enable)\b/,
  /^(python3? -m )?pip install\b/,
  /^(uv sync|poetry install|pipenv install|hatch env create|pdm install)\b/,
  /^(bundle install|go mod download|cargo (fetch|build)|mvn (-[\w.=-]+ )*(install|dependency:go-offline)|\.\/gradlew (assemble|build))\b/,
];

/** Commands AGENTS.md shows in inline code or code blocks: its test commands, in order, and install commands. */
function agentsMd(repo: RepoFiles): { setup: Detected[]; tests: Detected[] } {
  const file = ['AGENTS.md', 'agents.md'].find((f) => repo.exists(f));
  if (!file) return { setup: [], tests: [] };
  const lines = (repo.read(file) ?? '').split('\n');
  const setup: Detected[] = [];
  const tests: Detected[] = [];
  let fenced = false;
  lines.forEach((text, i) => {
    if (/^\s*```/.test(text)) {
      fenced = !fenced;
      return;
    }
    const candidates = fenced
      ? [stripComment(text.trim().replace(/^\$\s+/, ''))]
      : [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!.trim());
    for (const c of candidates) {
      if (!c || /<[\w -]+>/.test(c)) continue; // `pnpm vitest run <path>`: a pattern, not a command
      // A single word in running text (`mocha`, `jest`) names a tool; only a few runners are a command on their own.
      if (!fenced && !/\s/.test(c) && !/^(pytest|tox|nox|rspec|ctest)$/.test(c)) continue;
      if (isTestCommand(c)) {
        if (!tests.some((t) => t.command === c)) tests.push(at(c, file, i + 1, 'AGENTS.md states it'));
      } else if (SETUP_COMMANDS.some((re) => re.test(c)) && !setup.some((s) => s.command === c))
        setup.push(at(c, file, i + 1, 'AGENTS.md states it'));
    }
  });
  return { setup, tests };
}

/** JSON with comments and trailing commas, as dev container files are written. */
function stripJsonc(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      out += ch;
      if (ch === '\\') out += text[++i] ?? '';
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (ch === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2);
      if (i < 0) break;
      i++;
    } else out += ch;
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
