import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { IssueText } from '../eval/fix-message.ts';
import { parseIssuesFile } from '../eval/issues-file.ts';

export const EVAL_USAGE = `Usage: patchwright eval [DIR] --from-history N [--model M ...] [--attempts K] [--json]
         [--issues-from FILE] [--since REV|DATE] [--only SHA ...] [--scan N] [--max-turns N] [--max-cost USD]
         [--out FILE] [--fresh]
       patchwright eval [DIR] --resume [--json] [--out FILE]
`;

const OPTIONS = {
  'from-history': { type: 'string' },
  model: { type: 'string', multiple: true },
  attempts: { type: 'string' },
  json: { type: 'boolean' },
  'issues-from': { type: 'string' },
  since: { type: 'string' },
  only: { type: 'string', multiple: true },
  scan: { type: 'string' },
  'max-turns': { type: 'string' },
  'max-cost': { type: 'string' },
  out: { type: 'string' },
  fresh: { type: 'boolean' },
  resume: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

export class UsageError extends Error {
  readonly code = 'bad_arguments';
}

export interface EvalArgs {
  /** What `--resume` repeats. */
  args: string[];
  /** The commit the history is read from (the first eval's, when resuming). */
  head: string;
  wanted: number;
  attempts: number;
  scan: number;
  budgets: { maxTurns?: number; maxCostUsd?: number };
  models: string[];
  since: string | undefined;
  only: string[];
  json: boolean;
  out: string | undefined;
  fresh: boolean;
  issuesFile: string | undefined;
}

/** The command line as parsed, or a UsageError that names the flag. */
export function parseEvalArgs(argv: string[]): { dir: string; help: boolean } {
  const parsed = (() => {
    try {
      return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  })();
  if (parsed.positionals.length > 1) throw new UsageError(`give one folder, not ${parsed.positionals.length}`);
  return { dir: path.resolve(parsed.positionals[0] ?? '.'), help: !!parsed.values.help };
}

/**
 * The eval's arguments, checked: with `--resume`, the last eval's own (and the commit it started
 * at, so new commits since do not change its tasks), plus `--json`/`--out` given now.
 */
export function resolveEvalArgs(
  argv: string[],
  last: { args: string[]; head: string } | null,
  head: string | null,
  defaultModel: string,
  repoTop: string,
): EvalArgs {
  let args = argv.filter((a) => a !== '--resume');
  let values = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true }).values;
  if (argv.includes('--resume')) {
    if (!last) throw new UsageError(`no earlier eval of ${repoTop} to resume; start one with --from-history N`);
    const extra = Object.keys(values).filter((k) => !['json', 'out'].includes(k));
    if (extra.length)
      throw new UsageError(
        `--resume repeats the last eval's arguments (${last.args.join(' ')}); give either --resume or new arguments, not --${extra[0]}`,
      );
    args = [...last.args, ...(values.json ? ['--json'] : []), ...(values.out ? ['--out', values.out] : [])];
    values = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true }).values;
    head = last.head;
  }
  if (!head) throw new UsageError(`${repoTop} has no commits yet`);
  if (!values['from-history'] && !values.only?.length)
    throw new UsageError('say how many of the history’s fixes to evaluate: --from-history N (or --only SHA)');
  const wanted = values.only?.length ? values.only.length : num('from-history', values['from-history'], 0);
  return {
    args,
    head,
    wanted,
    attempts: num('attempts', values.attempts, 1),
    scan: num('scan', values.scan, Math.max(2000, wanted * 50)),
    budgets: {
      ...(values['max-turns'] ? { maxTurns: num('max-turns', values['max-turns'], 0) } : {}),
      ...(values['max-cost'] ? { maxCostUsd: num('max-cost', values['max-cost'], 0, false) } : {}),
    },
    models: values.model?.length ? [...new Set(values.model)] : [defaultModel],
    since: values.since,
    only: values.only ?? [],
    json: !!values.json,
    out: values.out,
    fresh: !!values.fresh,
    issuesFile: values['issues-from'],
  };
}

/** `--issues-from`'s issues by number, and a hash of the file (stored results depend on it). */
export function readIssues(file: string | undefined): { issues: Map<number, IssueText>; hash: string | null } {
  if (!file) return { issues: new Map(), hash: null };
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(file), 'utf8');
  } catch {
    throw new UsageError(`--issues-from ${file}: no such readable file`);
  }
  try {
    return { issues: parseIssuesFile(text, file), hash: crypto.createHash('sha256').update(text).digest('hex') };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function num(name: string, v: string | undefined, fallback: number, int = true): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (int && !Number.isInteger(n)))
    throw new UsageError(`--${name} must be a positive ${int ? 'whole ' : ''}number, got ${v}`);
  return n;
}
