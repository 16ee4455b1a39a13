import type { ProjectEnvironment } from '../../protocol/toolchain.ts';
import type { Sandbox } from '../ports.ts';

const BUILTINS = new Set([
  'cd',
  'export',
  'set',
  'unset',
  'source',
  '.',
  'test',
  '[',
  'echo',
  'printf',
  'true',
  'false',
  'exit',
  'exec',
  'env',
  'time',
  'if',
  'then',
  'else',
  'fi',
  'for',
  'do',
  'done',
  'while',
  'case',
  'esac',
  '!',
  '{',
  '}',
  '(',
  ')',
  'eval',
  'command',
  'type',
  'ulimit',
  'umask',
  'wait',
  'shift',
  'read',
  'trap',
]);

/** The programs a shell command line starts: the first word of each part, after `VAR=x` assignments. */
export function programsOf(command: string): string[] {
  const out: string[] = [];
  for (const part of command.split(/&&|\|\||;|\||\n/)) {
    const words = part
      .trim()
      .replace(/^[({]\s*/, '')
      .split(/\s+/)
      .filter(Boolean);
    let ownPath = false;
    while (words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!))
      ownPath = words.shift()!.startsWith('PATH=') || ownPath;
    // A part that sets its own PATH (node_modules/.bin) finds programs the check cannot see.
    if (ownPath) continue;
    const first = words[0];
    if (!first || BUILTINS.has(first) || first.includes('/') || first.includes('$') || /^['"`]/.test(first)) continue;
    out.push(first);
  }
  return [...new Set(out)];
}

/**
 * Which of the programs these commands start the worker does not have, asked inside the sandbox
 * (what the commands will see). A missing `bun` or `uv` is then named in plain words before
 * anything runs, instead of a `command not found` deep in a log.
 */
export async function missingPrograms(
  sandbox: Sandbox,
  commands: string[],
  cwd: string,
  signal: AbortSignal,
): Promise<string[]> {
  const programs = [...new Set(commands.flatMap(programsOf))].filter((p) => /^[\w.+-]+$/.test(p));
  if (!programs.length) return [];
  const res = await sandbox.run({
    command: ['sh', '-c', 'for p in "$@"; do command -v "$p" >/dev/null 2>&1 || echo "$p"; done', 'check', ...programs],
    cwd,
    network: false,
    timeoutMs: 30_000,
    outputLimitBytes: 16 * 1024,
    signal,
    stage: 'setup',
  });
  if (res.exitCode !== 0) return [];
  return res.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => programs.includes(l));
}

/** Where a project's own tool comes from, for a worker that lacks it. */
const HOW: Record<string, string> = {
  uv: 'uv’s standalone binary (https://docs.astral.sh/uv/) or `pipx install uv`',
  poetry: '`pipx install poetry`',
  hatch: '`pipx install hatch`',
  pdm: '`pipx install pdm`',
  pnpm: 'corepack (it comes with Node) or `npm install -g pnpm`',
  yarn: 'corepack (it comes with Node) or `npm install -g yarn`',
  bun: 'bun’s installer (https://bun.sh)',
};

export function missingProgramText(
  missing: string[],
  commands: string[],
  when: 'setup' | 'test',
  environment?: ProjectEnvironment,
): string {
  const python = environment?.python;
  const needs = missing
    .map((p) => {
      const own = python?.manager === p ? `; this project’s environment is ${p}’s (${python.file})` : '';
      return `\`${p}\` (for \`${commands.find((c) => programsOf(c).includes(p)) ?? p}\`${own}${HOW[p] ? `; it installs with ${HOW[p]}` : ''})`;
    })
    .join(', ');
  return `${missing.length === 1 ? 'a program the' : 'programs the'} ${when} ${when === 'setup' ? 'steps need' : 'command needs'} ${missing.length === 1 ? 'is' : 'are'} not installed on the worker: ${needs}. Install ${missing.length === 1 ? 'it' : 'them'} on the worker (or name ${missing.length === 1 ? 'its' : 'their'} folder in PATCHWRIGHT_SANDBOX_PATHS), or set \`setup\` and \`test\` in .github/agent.yml.`;
}
