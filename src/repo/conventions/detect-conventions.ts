import { RepoFiles } from '../repo-files.ts';
import { detectCommitStyle, type CommitStyle, type Subject } from './commit-style.ts';
import { explicitConventional } from './explicit-rules.ts';
import { learnPrHabits, type MergedPull, type PrHabits } from './pr-habits.ts';
import { findPrTemplate, type PrTemplate } from './pr-template.ts';
import type { ChangeKind } from './title-style.ts';

export const DEFAULT_BRANCH_PATTERN = 'agent/{issue}-{slug}';

export interface Conventions {
  commitStyle: CommitStyle | null;
  /** PR titles follow the commit style unless merged PRs say otherwise (squash merges make them one). */
  prTitleStyle: CommitStyle | null;
  prTemplate: { path: string; headings: string[] } | null;
  /** From recent merged human PRs: the headings their bodies share and the word that links issues. */
  prBody: { sample: number; headings: string[]; closingKeyword: string };
  /** The pattern new branches get: `.github/agent.yml`'s, else the team's own, else the default. */
  branchPattern: string;
  branchSource: 'config' | 'merged-prs' | 'default';
  branchKinds: PrHabits['branchKinds'];
}

/** What a checkout, its history and its merged PRs say about how the team writes commits, titles and PRs. */
export function detectConventions(dir: string, history: Subject[], pulls: MergedPull[] = [], configuredBranch?: string, kind: ChangeKind = 'other'): Conventions & { template: PrTemplate | null } {
  const repo = new RepoFiles(dir);
  const rule = explicitConventional(repo);
  const fromHistory = detectCommitStyle(history);
  const commitStyle: CommitStyle | null = rule
    ? { ...(fromHistory?.kind === 'conventional' ? fromHistory : { capitalized: false, imperative: true, confidence: 1, sample: 0 }), kind: 'conventional', source: 'config' }
    : fromHistory;
  const prTitles = pulls.map((p) => ({ subject: p.title, bot: p.bot }));
  const prTitleStyle = rule ? commitStyle : (detectCommitStyle(prTitles, 50) ?? commitStyle);
  const template = findPrTemplate(repo, kind);
  const habits = learnPrHabits(pulls);
  const [branchPattern, branchSource] = configuredBranch
    ? [configuredBranch, 'config' as const]
    : habits.branchPattern
      ? [habits.branchPattern, 'merged-prs' as const]
      : [DEFAULT_BRANCH_PATTERN, 'default' as const];
  return {
    commitStyle,
    prTitleStyle,
    prTemplate: template ? { path: template.path, headings: template.headings } : null,
    prBody: { sample: habits.sample, headings: habits.headings, closingKeyword: habits.closingKeyword },
    branchPattern,
    branchSource,
    branchKinds: habits.branchKinds,
    template,
  };
}
