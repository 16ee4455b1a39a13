import type { Subject } from '../../protocol/history.ts';
import { git } from './run-git.ts';

const BOT = /\[bot\]|dependabot|renovate|github-actions|gopherbot|greenkeeper|snyk-bot|pre-commit-ci|allcontributors/i;
/** GitHub's merge commits: `Merge pull request #123 from owner/branch`, the PR title in the body. */
const MERGE = /^Merge pull request #(\d+) from (\S+)$/;
const TRAILER = /^[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)+: \S+/;
const BOT_BRANCH = /^[^/]+\/(dependabot|renovate|pre-commit-ci|greenkeeper|snyk-|release-please|changeset-release)/i;

/**
 * The newest non-merge commit subjects of `ref`, with bot authors marked. Empty when there is no
 * history. With `mergedPulls`, the titles of pull requests merged with merge commits in the same
 * span are put in among them by time, marked `merged` (see Subject.merged): where a team merges
 * that way, they are its PR titles.
 */
export async function readHistory(
  dir: string,
  ref = 'HEAD',
  count = 300,
  opts: { mergedPulls?: boolean } = {},
): Promise<Subject[]> {
  const log = (args: string[]) =>
    Promise.resolve()
      .then(() => git(dir).raw(['log', '-n', String(count), ...args, ref]))
      .catch(() => '');
  const commits = (await log(['--no-merges', '--format=%ct%x09%an%x09%ae%x09%s']))
    .split('\n')
    .filter(Boolean)
    .map(commitOf);
  if (!opts.mergedPulls || !commits.length) return commits.map(strip);
  const since = commits.at(-1)!.at;
  const merges = (await log(['--merges', '--format=%x1e%ct%x09%an%x09%s%n%b']))
    .split('\x1e')
    .flatMap(mergedPullOf)
    .filter((m) => m.at >= since);
  // Each merge goes before the first commit older than it; the commits keep git's order.
  const out: Subject[] = [];
  let next = 0;
  for (const { at, ...c } of commits) {
    while (next < merges.length && merges[next]!.at > at) out.push(strip(merges[next++]!));
    out.push(c);
  }
  return [...out, ...merges.slice(next).map(strip)];
}

const strip = ({ at: _at, ...s }: Subject & { at: number }): Subject => s;

function commitOf(line: string): Subject & { at: number } {
  const [at = '0', name = '', email = '', ...rest] = line.split('\t');
  return { at: Number(at), subject: rest.join('\t'), bot: BOT.test(name) || BOT.test(email) };
}

/** A merge commit's record as the PR it merged, `Title (#N)`; none for other merges or an empty body. */
function mergedPullOf(record: string): Array<Subject & { at: number }> {
  const [head = '', ...body] = record.split('\n');
  const [at = '0', name = '', subject = ''] = head.split('\t');
  const m = MERGE.exec(subject.trim());
  const title = body.find((l) => l.trim())?.trim();
  // Some merge bodies carry no title: a trailer (`PiperOrigin-RevId: 9686`, `Signed-off-by: ...`) or a list of squashed commits.
  if (!m || !title || TRAILER.test(title) || /^\* /.test(title)) return [];
  return [
    { at: Number(at), subject: `${title} (#${m[1]})`, bot: BOT_BRANCH.test(m[2]!) || BOT.test(name), merged: true },
  ];
}
