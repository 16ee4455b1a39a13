import { RepoFiles } from '../repo-files.ts';
import type { SubjectKind } from './classify-subject.ts';
import { detectCommitStyle, type CommitStyle, type Subject } from './commit-style.ts';
import { explicitConventional } from './explicit-rules.ts';
import { learnPrHabits, type MergedPull, type PrHabits } from './pr-habits.ts';
import { findPrTemplate, type PrTemplate } from './pr-template.ts';
import type { ChangeKind } from './title-style.ts';

export const DEFAULT_BRANCH_PATTERN = 'agent/{issue}-{slug}';

/** The pattern new branches get: `.github/agent.yml`'s, else the team's own, else the default. */
export function branchNaming(
  habits: PrHabits,
  configured?: string,
): { pattern: string; source: Conventions['branchSource']; kinds: PrHabits['branchKinds'] } {
  const [pattern, source] = configured
    ? [configured, 'config' as const]
    : habits.branchPattern
      ? [habits.branchPattern, 'merged-prs' as const]
      : [DEFAULT_BRANCH_PATTERN, 'default' as const];
  return { pattern, source, kinds: habits.branchKinds };
}

/** Conventions a repository states outright in `.github/agent.yml`. */
export interface StatedConventions {
  commitStyle?: SubjectKind | undefined;
  prTitleStyle?: SubjectKind | undefined;
  closingKeyword?: string | undefined;
}

export interface Conventions {
  commitStyle: CommitStyle | null;
  /** PR titles follow the commit style unless merged PRs say otherwise (squash merges make them one). */
  prTitleStyle: CommitStyle | null;
  /**
   * Where the PR title style was read from: `merged-prs` the API's merged PRs; `squash-merges` the
   * PR titles the history records (squash-merged subjects, and merge commits' titles where read).
   */
  prTitleSource: 'config' | 'merged-prs' | 'squash-merges' | 'commits';
  prTemplate: { path: string; headings: string[] } | null;
  /** From recent merged human PRs: the headings their bodies share and the word that links issues. */
  prBody: { sample: number; headings: string[]; closingKeyword: string };
  /** The pattern new branches get: `.github/agent.yml`'s, else the team's own, else the default. */
  branchPattern: string;
  branchSource: 'config' | 'merged-prs' | 'default';
  branchKinds: PrHabits['branchKinds'];
}

/** What a checkout, its history and its merged PRs say about how the team writes commits, titles and PRs. */
export function detectConventions(
  dir: string,
  history: Subject[],
  pulls: MergedPull[] = [],
  configuredBranch?: string,
  kind: ChangeKind = 'other',
  stated: StatedConventions = {},
): Conventions & { template: PrTemplate | null } {
  const repo = new RepoFiles(dir);
  const rule = explicitConventional(repo);
  // PR titles read from merge commits are not commit subjects.
  const fromHistory = detectCommitStyle(history.filter((s) => !s.merged));
  const prTitles = pulls.map((p) => ({ subject: p.title, bot: p.bot }));
  // A PR title style is the present majority's: the recent-switch rule is for commit history.
  const fromPulls = detectCommitStyle(prTitles, 50, { followSwitch: false });
  // Squash-merged subjects (`... (#123)`) and merge commits' titles are PR titles as merged: their habits can differ from direct commits'.
  const squashed = history.filter(isMergedTitle);
  const fromSquash =
    squashed.length >= MIN_MERGED_TITLES ? detectCommitStyle(squashed, 50, { followSwitch: false }) : null;
  // `.github/agent.yml` first, then a commitlint or semantic-PR config, then history.
  const commitStyle = stated.commitStyle
    ? statedStyle(stated.commitStyle, fromHistory)
    : rule
      ? statedStyle('conventional', fromHistory)
      : fromHistory;
  const prTitleStyle = stated.prTitleStyle
    ? statedStyle(stated.prTitleStyle, fromPulls ?? fromHistory)
    : stated.commitStyle || rule
      ? commitStyle
      : (fromPulls ?? fromSquash ?? commitStyle);
  const prTitleSource: Conventions['prTitleSource'] =
    stated.prTitleStyle || stated.commitStyle || rule
      ? 'config'
      : fromPulls
        ? 'merged-prs'
        : fromSquash
          ? 'squash-merges'
          : 'commits';
  const template = findPrTemplate(repo, kind);
  const habits = learnPrHabits(pulls);
  const branch = branchNaming(habits, configuredBranch);
  return {
    commitStyle,
    prTitleStyle,
    prTitleSource,
    prTemplate: template ? { path: template.path, headings: template.headings } : null,
    prBody: {
      sample: habits.sample,
      headings: habits.headings,
      closingKeyword: stated.closingKeyword ?? habits.closingKeyword,
    },
    branchPattern: branch.pattern,
    branchSource: branch.source,
    branchKinds: branch.kinds,
    template,
  };
}

/** With fewer merged PR titles than this in the history, the PR title style is the commit style. */
export const MIN_MERGED_TITLES = 10;

/** A PR title as the history records it: a human squash-merged subject (`... (#123)`), or one read from a merge commit. */
export const isMergedTitle = (s: Subject): boolean => !s.bot && (!!s.merged || /\(#\d+\)\s*$/.test(s.subject));

/** A stated style keeps the details history shows for it (types, scopes, casing), else plain defaults. */
function statedStyle(kind: SubjectKind, seen: CommitStyle | null): CommitStyle {
  if (seen?.kind === kind) return { ...seen, source: 'config' };
  // The kind is stated; casing, mood and length are the history's to show, and it shows none for this kind.
  const tolerance = {
    casingByKind: {},
    imperative: false,
    maxLength: seen?.tolerance?.maxLength ?? 100,
    kinds: [kind],
    prefixes: [],
    casingByPrefix: {},
  };
  return {
    confidence: 1,
    sample: 0,
    capitalized: kind !== 'conventional' && kind !== 'component-prefix',
    imperative: true,
    kind,
    source: 'config',
    tolerance,
  };
}
