import type { TitleBrief } from '../../core/ports.ts';
import { classifySubject, cleanSubject, isNoise } from './classify-subject.ts';
import type { CommitStyle, Subject } from './commit-style.ts';
import { styleTitle, titleProblem, type ChangeKind } from './title-style.ts';

export interface BriefInput {
  style: CommitStyle | null;
  /** Newest first: merged PR titles, or commit subjects when the repo has too few PRs. */
  recent: Subject[];
  issueTitle: string;
  kind: ChangeKind;
  what?: TitleBrief['what'];
}

/** What the model is told about the repository's titles, and how the harness checks and repairs them. */
export function titleBrief(input: BriefInput): TitleBrief {
  const { style } = input;
  const examples = input.recent
    .filter((s) => !s.bot)
    .map((s) => cleanSubject(s.subject))
    .filter((s) => s && !isNoise(s) && (!style || classifySubject(s).kind === style.kind))
    .slice(0, 6);
  const problem = (title: string) => titleProblem(style, title);
  return {
    what: input.what ?? 'pull request title',
    guidance: describeStyle(style),
    examples,
    problem,
    repair(attempt, changedFiles) {
      const candidates = [
        ...(attempt ? [styleTitle(style, classifySubject(attempt).description, input.kind, changedFiles)] : []),
        styleTitle(style, input.issueTitle, input.kind, changedFiles),
      ];
      return candidates.find((t) => problem(t) === null) ?? styleTitle(null, input.issueTitle, input.kind);
    },
  };
}

/** A commit subject in the commit style, from a title that may be in the PR title style. */
export function commitSubject(style: CommitStyle | null, title: string, kind: ChangeKind, changedFiles: string[]): string {
  if (titleProblem(style, title) === null) return title;
  const restyled = styleTitle(style, classifySubject(title).description, kind, changedFiles);
  return titleProblem(style, restyled) === null ? restyled : title;
}

function describeStyle(style: CommitStyle | null): string {
  if (!style) return 'This repository has no clear title convention: write a short, capitalised sentence in the imperative mood (`Fix ...`, `Add ...`).';
  const casing = style.capitalized ? 'starts with a capital letter' : 'starts with a lower-case letter';
  const mood = style.imperative ? 'in the imperative mood (`fix`, not `fixed`)' : 'in the same mood as the examples';
  switch (style.kind) {
    case 'conventional':
      return [
        `Titles here follow Conventional Commits: \`type(scope): description\`, where the description ${casing}, ${mood}.`,
        style.types?.length ? `Types in use, most used first: ${style.types.join(', ')}.` : '',
        style.scopes?.length ? `Scopes in use: ${style.scopes.join(', ')}; use one only if it names what you changed, else leave the scope out.` : 'Scopes are rarely used here; leave it out.',
        style.breakingMarker ? 'A breaking change gets `!` after the type.' : '',
      ].filter(Boolean).join(' ');
    case 'gitmoji':
      return `Titles here start with a gitmoji (${(style.prefixes ?? []).slice(0, 6).join(' ') || '🐛 ✨ 📝'}) for the kind of change, then a description that ${casing}.`;
    case 'component-prefix':
      return `Titles here start with the component or package changed and a colon (\`net/http: fix ...\`), then a description that ${casing}, ${mood}. Components in use: ${(style.prefixes ?? []).slice(0, 8).join(', ')}.`;
    case 'ticket-prefix':
      return `Titles here start with a ticket reference (${(style.prefixes ?? []).slice(0, 3).join(', ')}); use one only if the issue names it, else write a plain sentence.`;
    default:
      return `Titles here are plain sentences without a type or component prefix; each ${casing}, ${mood}.`;
  }
}
