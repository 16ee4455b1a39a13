import { shellWords, splitEnvPrefix } from '../repo/shell-words.ts';

/** Words that start a runner: the command itself, or after `python -m`, `uv run`, `poetry run`, `npx`... */
const LAUNCHERS = new Set(['-m', 'run', 'exec', 'npx', 'pnpx', 'bunx']);

/**
 * The repository's test command as the harness runs it to tell every test apart: unittest with
 * `-v`, pytest with `-rA`, go test with `-v`, vitest with the verbose reporter, cargo without
 * `-q`. Only a single command is changed (no `&&`, pipes or scripts), and one that already asks
 * for verbose output is left alone; anything else runs as it is and is judged by its counts.
 */
export function namedTestsCommand(command: string): string {
  if (/[;&|<>`()]|\$\(/.test(command.replace(/'[^']*'|"[^"]*"/g, ''))) return command;
  const words = splitEnvPrefix(shellWords(command)).rest;
  const runner = (re: RegExp) => words.findIndex((w, i) => re.test(w) && (i === 0 || LAUNCHERS.has(words[i - 1]!)));
  const has = (re: RegExp) => words.some((w) => re.test(w));
  if (runner(/^unittest$/) > 0 && /^python[\d.]*$/.test(words[runner(/^unittest$/) - 2] ?? ''))
    return has(/^(-v|--verbose)$/) ? command : `${command} -v`;
  if (runner(/^(py\.test|pytest)$/) >= 0)
    return has(/^-r\w*[aA]/) || has(/^(-v+|--verbose)$/) ? command : `${command} -rA`;
  if (words[0] === 'go' && words[1] === 'test')
    return has(/^-(test\.)?v(=true)?$/) || has(/^-json$/) ? command : command.replace(/\bgo test\b/, 'go test -v');
  if (runner(/^vitest$/) >= 0) return has(/^--reporter\b/) ? command : `${command} --reporter=verbose`;
  if (words[0] === 'cargo' && words[1] === 'test') return command.replace(/\s+(-q|--quiet)\b/g, '');
  return command;
}
