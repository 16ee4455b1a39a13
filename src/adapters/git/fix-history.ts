import { git, gitText } from './run-git.ts';

export interface HistoryCommit {
  sha: string;
  parents: string[];
  author: string;
  email: string;
  /** ISO 8601, the author's date. */
  date: string;
  message: string;
}

const FIELD = '\x1f';
const RECORD = '\x1e';
const FORMAT = ['%H', '%P', '%an', '%ae', '%aI', '%B'].join('%x1f') + '%x1e';

/**
 * The commits of the history a team merged, newest first: the first-parent line from `tip` (a
 * merge stands for its whole branch; the branch's own commits are not repeated), after `since`
 * (a commit, or a date git understands), at most `max` of them.
 */
export async function mainlineCommits(
  dir: string,
  o: { tip: string; since?: string | undefined; max: number },
): Promise<HistoryCommit[]> {
  const g = git(dir);
  const range: string[] = [];
  if (o.since) {
    const rev = await g.raw(['rev-parse', '--verify', '--quiet', `${o.since}^{commit}`]).then(
      (s) => s.trim(),
      () => '',
    );
    range.push(...(rev ? [`${rev}..${o.tip}`] : [`--since=${o.since}`, o.tip]));
  } else range.push(o.tip);
  const out = await g.raw(['log', '--first-parent', '-n', String(o.max), `--format=${FORMAT}`, ...range]);
  return out
    .split(RECORD)
    .map((r) => r.replace(/^\n/, ''))
    .filter((r) => r.trim())
    .map(commitOf);
}

/** Each of these commits (a sha or any name git resolves), whatever line of the history it is on. */
export async function namedCommits(dir: string, names: string[]): Promise<HistoryCommit[]> {
  const g = git(dir);
  const out: HistoryCommit[] = [];
  for (const name of names) {
    const rev = await g.raw(['rev-parse', '--verify', '--quiet', `${name}^{commit}`]).then(
      (s) => s.trim(),
      () => '',
    );
    if (!rev) throw new HistoryError(`--only ${name}: no such commit in ${dir}`);
    out.push(commitOf((await g.raw(['log', '-n', '1', `--format=${FORMAT}`, rev])).replace(/\x1e\s*$/, '')));
  }
  return out;
}

/** The paths a change touches, renames as a delete and an add (so each side is classified on its own). */
export async function changedPaths(dir: string, base: string, sha: string): Promise<string[]> {
  const out = await git(dir).raw([
    'diff',
    '--name-only',
    '-z',
    '--no-renames',
    '--no-ext-diff',
    '--no-textconv',
    base,
    sha,
  ]);
  return out.split('\0').filter(Boolean);
}

/** The messages of the commits a merge brought in (its branch), oldest first. */
export async function branchMessages(dir: string, base: string, sha: string): Promise<string[]> {
  const out = await git(dir).raw(['log', '--reverse', '--no-merges', '--format=%B%x1e', `${base}..${sha}`]);
  return out
    .split(RECORD)
    .map((m) => m.trim())
    .filter(Boolean);
}

/** The change from `base` to `sha` for these paths, as a patch `git apply` takes (binary files included). */
export async function patchOf(dir: string, base: string, sha: string, paths: string[]): Promise<string> {
  if (!paths.length) return '';
  return gitText(dir, [
    'diff',
    '--binary',
    '--full-index',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    '--no-renames',
    base,
    sha,
    '--',
    ...paths.map((p) => `:(literal)${p}`),
  ]);
}

export class HistoryError extends Error {
  readonly code = 'eval_history';
}

function commitOf(record: string): HistoryCommit {
  const [sha = '', parents = '', author = '', email = '', date = '', ...rest] = record.split(FIELD);
  return { sha, parents: parents.split(' ').filter(Boolean), author, email, date, message: rest.join(FIELD).trim() };
}
