import { RepoFiles } from '../repo-files.ts';
import { detectCommitStyle, type CommitStyle, type Subject } from './commit-style.ts';
import { explicitConventional } from './explicit-rules.ts';
import { findPrTemplate, type PrTemplate } from './pr-template.ts';

export interface Conventions {
  commitStyle: CommitStyle | null;
  /** PR titles follow the commit style unless merged PRs say otherwise (squash merges make them one). */
  prTitleStyle: CommitStyle | null;
  prTemplate: { path: string; headings: string[] } | null;
  branchPattern: string;
}

/** What a checkout and its history say about how the team writes commits, titles and PRs. */
export function detectConventions(dir: string, history: Subject[], branchPattern: string, prTitles: Subject[] = []): Conventions & { template: PrTemplate | null } {
  const repo = new RepoFiles(dir);
  const rule = explicitConventional(repo);
  const fromHistory = detectCommitStyle(history);
  const commitStyle: CommitStyle | null = rule
    ? { ...(fromHistory?.kind === 'conventional' ? fromHistory : { capitalized: false, imperative: true, confidence: 1, sample: 0 }), kind: 'conventional', source: 'config' }
    : fromHistory;
  const prTitleStyle = rule ? commitStyle : (detectCommitStyle(prTitles, 50) ?? commitStyle);
  const template = findPrTemplate(repo);
  return {
    commitStyle,
    prTitleStyle,
    prTemplate: template ? { path: template.path, headings: template.headings } : null,
    branchPattern,
    template,
  };
}
