import type { FixCandidate } from '../protocol/eval.ts';
import type { FileRole } from '../repo/test-files.ts';

/** A commit as the history gives it (see adapters/git/fix-history.ts). */
export interface CommitInfo {
  sha: string;
  parents: string[];
  author: string;
  email: string;
  date: string;
  message: string;
}

/** A text the model may read about an issue or pull request (from `--issues-from`). */
export interface IssueText {
  title: string;
  body: string;
}

const MERGE_PR = /^Merge pull request #(\d+) from (\S+)/;
const SQUASH_PR = /\s\(#(\d+)\)$/;
const CLOSES = /\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b:?\s+(?:[\w.-]+\/[\w.-]+)?#(\d+)/gi;
/** `issue-1215-...` in a merged branch's name, `Issue 1214: ...` in a title. */
const ISSUE_WORD = /\bissues?[-_ ]?#?(\d+)\b/gi;
const TRAILER = /^[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+: \S/;
const BOT = /\[bot\]|dependabot|renovate|github-actions|greenkeeper|snyk-bot|pre-commit-ci|allcontributors/i;

export const isBot = (c: Pick<CommitInfo, 'author' | 'email'>) => BOT.test(c.author) || BOT.test(c.email);

/** Where a change came from: a merged branch, a squashed pull request, or a plain commit. */
export function candidateOf(c: CommitInfo, paths: string[], roleOf: (p: string) => FileRole): FixCandidate | null {
  const base = c.parents[0];
  if (!base) return null;
  const subject = c.message.split('\n')[0]!.trim();
  const kind = c.parents.length > 1 ? 'merge' : SQUASH_PR.test(subject) ? 'squash' : 'commit';
  const pr = Number((kind === 'merge' ? MERGE_PR.exec(subject) : SQUASH_PR.exec(subject))?.[1]) || null;
  const roles = paths.map((p) => [p, roleOf(p)] as const);
  const files = (r: FileRole) => roles.filter(([, x]) => x === r).map(([p]) => p);
  return {
    sha: c.sha,
    base,
    kind,
    subject,
    message: c.message,
    author: c.author,
    date: c.date,
    pr,
    issues: linkedIssues(c.message),
    testFiles: files('test'),
    codeFiles: files('code'),
    otherFiles: files('other'),
  };
}

/** Issues a message says it fixes (`Fixes #12`, `closes owner/repo#3`) or names (`issue-1215-...`, `Issue 1214:`). */
export function linkedIssues(text: string): number[] {
  const found = [...text.matchAll(CLOSES), ...text.matchAll(ISSUE_WORD)].map((m) => Number(m[1]));
  return [...new Set(found)].filter((n) => n > 0);
}

/**
 * What the model is told: the change's own title and message (for a merge, the pull request's
 * title and its branch's commits), and the text of the issues it links where `--issues-from`
 * has them. Trailers (Signed-off-by, Co-authored-by) are dropped.
 */
export function taskText(
  c: FixCandidate,
  branch: string[],
  issues: Map<number, IssueText>,
): { title: string; body: string } {
  const [first = '', ...rest] = c.message.split('\n');
  const merged = MERGE_PR.test(first);
  const restText = clean(rest.join('\n'));
  const branchTexts = branch.map(clean).filter(Boolean);
  const title =
    (merged
      ? restText.split('\n')[0]
      : c.kind === 'merge'
        ? branchTexts[0]?.split('\n')[0]
        : first.replace(SQUASH_PR, '')
    )?.trim() || first.trim();
  const body: string[] = [];
  const description = merged ? restText.split('\n').slice(1).join('\n').trim() : c.kind === 'merge' ? '' : restText;
  if (description) body.push(description);
  if (c.kind === 'merge' && branchTexts.length)
    body.push(`The commits of this change:\n${branchTexts.map((t) => `- ${t.replace(/\n/g, '\n  ')}`).join('\n')}`);
  const pr = c.pr ? issues.get(c.pr) : undefined;
  if (pr) body.push(`Pull request #${c.pr}: ${pr.title}\n\n${pr.body.trim()}`.trim());
  const linked = [
    ...new Set([...c.issues, ...branch.flatMap(linkedIssues), ...(pr ? linkedIssues(pr.body) : [])]),
  ].filter((n) => n !== c.pr);
  for (const n of linked) {
    const issue = issues.get(n);
    if (issue) body.push(`Issue #${n}: ${issue.title}\n\n${issue.body.trim()}`.trim());
  }
  return { title: title.slice(0, 200), body: body.join('\n\n') || title };
}

function clean(text: string): string {
  return text
    .split('\n')
    .filter((l) => !TRAILER.test(l.trim()))
    .join('\n')
    .trim();
}
