import { lineAt, rangeFits, type FileLines, type Side } from './diff-lines.ts';

export type Severity = 'critical' | 'major' | 'minor' | 'nit';
export const SEVERITIES: Severity[] = ['critical', 'major', 'minor', 'nit'];

/** One thing the reviewing model found, as its tool call states it. */
export interface Finding {
  path: string;
  /** The (last) line it is about, in the new file (RIGHT) unless `side` says LEFT (a deleted line). */
  line: number;
  /** The first line of a range ending at `line`. */
  startLine?: number | undefined;
  side?: Side | undefined;
  severity: Severity;
  title: string;
  body: string;
  /** The text that should replace the lines (a GitHub suggestion); only on the new side. */
  suggestion?: string | undefined;
  /** The failing test or command that shows it, when the model proved it. */
  proof?: string | undefined;
}

/** A comment of GitHub's "create a review" request (`comments[]`). */
export interface ReviewComment {
  path: string;
  line: number;
  side: Side;
  start_line?: number;
  start_side?: Side;
  body: string;
}

export interface Placement {
  inline: Array<{ finding: Finding; comment: ReviewComment }>;
  /** Findings whose place is not in the diff: they go into the review's summary. */
  unplaced: Array<{ finding: Finding; why: string }>;
}

/** A fence longer than any run of backticks in `text`. */
export function fenceFor(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(Math.max(3, longest + 1));
}

/** The body of an inline comment: severity and title, the text, the proof, the suggestion. */
export function commentBody(f: Finding, clean: (text: string) => string, withSuggestion: boolean): string {
  const parts = [`**${f.severity}:** ${clean(f.title)}`, clean(f.body)];
  if (f.proof) parts.push(`Shown by: ${clean(f.proof)}`);
  if (withSuggestion && f.suggestion !== undefined) {
    const fence = fenceFor(f.suggestion);
    parts.push(`${fence}suggestion\n${f.suggestion.replace(/\n$/, '')}\n${fence}`);
  }
  return parts.filter(Boolean).join('\n\n');
}

/**
 * Puts each finding on its line of the diff where GitHub will accept it; what cannot be placed is
 * said in the summary instead, so nothing the model found is lost and the review request never fails
 * on a bad position. `clean` is the sanitizer every posted string passes through.
 */
export function placeFindings(
  findings: Finding[],
  files: Map<string, FileLines>,
  clean: (text: string) => string,
): Placement {
  const out: Placement = { inline: [], unplaced: [] };
  for (const f of findings) {
    const side: Side = f.side ?? 'RIGHT';
    if (!files.has(f.path)) {
      out.unplaced.push({ finding: f, why: `${f.path} is not changed by this pull request` });
      continue;
    }
    const start = f.startLine !== undefined && f.startLine < f.line ? f.startLine : f.line;
    if (!lineAt(files, f.path, side, f.line)) {
      out.unplaced.push({ finding: f, why: `line ${f.line} of ${f.path} is not in the diff` });
      continue;
    }
    const ranged = start !== f.line && rangeFits(files, f.path, side, start, f.line);
    // A suggestion replaces exactly the lines it sits on: none when the range it meant cannot be placed.
    const suggestionFits = f.suggestion !== undefined && side === 'RIGHT' && (start === f.line || ranged);
    const comment: ReviewComment = { path: f.path, line: f.line, side, body: commentBody(f, clean, suggestionFits) };
    if (ranged) {
      comment.start_line = start;
      comment.start_side = side;
    }
    out.inline.push({ finding: f, comment });
  }
  return out;
}
