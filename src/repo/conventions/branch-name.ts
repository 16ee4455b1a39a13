import type { ChangeKind } from './title-style.ts';

/** A repository's own words for each kind of change in branch names (`bugfix`, `feature`...). */
export type BranchKinds = Partial<Record<ChangeKind, string>>;

/** Words teams put first in branch names, by the kind of change they name. */
export const KIND_WORDS: Record<ChangeKind, string[]> = {
  fix: ['fix', 'bugfix', 'bug', 'hotfix', 'fixes'],
  feature: ['feat', 'feature', 'features', 'enhancement'],
  docs: ['docs', 'doc', 'documentation'],
  other: ['chore', 'refactor', 'misc', 'maintenance', 'improvement'],
};
const ALL_KIND_WORDS = new Set(Object.values(KIND_WORDS).flat());

/** A branch-safe slug of a title: lower case, dashes, at most 40 characters. */
export function slugify(text: string): string {
  return (
    text
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40)
      .replace(/-+$/, '') || 'task'
  );
}

/** `fix/123-empty-list` is `{kind}/{issue}-{slug}`; a prefix that is nobody's name and no kind stays literal. */
export function branchShape(branch: string, author = ''): { pattern: string; kindWord?: string } {
  const parts = branch.split('/');
  const last = parts.pop()!;
  const prefix = parts.join('/');
  const issue = /^(?:(?:issue|gh)[-_]?)?(\d+)(?:[-_](.+))?$/i.exec(last);
  const rest = issue ? (issue[2] ? '{issue}-{slug}' : `${last.replace(issue[1]!, '{issue}')}`) : '{slug}';
  if (!prefix) return { pattern: rest };
  const word = prefix.toLowerCase();
  if (ALL_KIND_WORDS.has(word)) return { pattern: `{kind}/${rest}`, kindWord: word };
  if (author && word === author.toLowerCase()) return { pattern: `{user}/${rest}` };
  return { pattern: `${prefix}/${rest}` };
}

/** A branch name from a pattern: `{kind}` in the repo's own words when it has them. */
export function expandBranch(
  pattern: string,
  v: { issue: number; slug: string; kind: ChangeKind; kinds?: BranchKinds },
): string {
  const kindWord = v.kinds?.[v.kind] ?? { fix: 'fix', feature: 'feat', docs: 'docs', other: 'chore' }[v.kind];
  return pattern.replaceAll('{issue}', String(v.issue)).replaceAll('{slug}', v.slug).replaceAll('{kind}', kindWord);
}
