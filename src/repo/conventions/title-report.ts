import { cleanSubject } from './classify-subject.ts';
import type { CommitStyle, Subject } from './commit-style.ts';
import { isMergedTitle, MIN_MERGED_TITLES } from './detect-conventions.ts';
import { titleProblem } from './title-style.ts';

export interface TitleReport {
  /** Where the titles came from: merged PR titles (squash-merged subjects, merge commits' titles), else commit subjects. */
  source: 'squash-merges' | 'commits';
  titles: Array<{
    title: string;
    /** What the check says of it today (null: fits). */
    now: string | null;
    /** What the check said when the title was new: judged by the history older than it. */
    before: string | null;
  }>;
}

/**
 * How the title check treats the team's own newest titles: each judged by the style read from
 * the whole history (what the check says today) and by the history before it (what it said when
 * the title was new). `styleOf` reads a PR title style from a history, newest first.
 */
export function titleReport(
  history: Subject[],
  styleOf: (history: Subject[]) => CommitStyle | null,
  count = 30,
): TitleReport {
  const source = history.filter(isMergedTitle).length >= MIN_MERGED_TITLES ? 'squash-merges' : 'commits';
  const picked = history
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => (source === 'squash-merges' ? isMergedTitle(s) : !s.bot && !s.merged && cleanSubject(s.subject)))
    .slice(0, count);
  const today = styleOf(history);
  return {
    source,
    titles: picked.map(({ s, i }) => {
      const title = cleanSubject(s.subject);
      return { title, now: titleProblem(today, title), before: titleProblem(styleOf(history.slice(i + 1)), title) };
    }),
  };
}
