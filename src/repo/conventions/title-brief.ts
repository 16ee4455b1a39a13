import type { TitleBrief } from '../../protocol/title-brief.ts';
import { classifySubject, cleanSubject, isRoutine } from './classify-subject.ts';
import type { CommitStyle, Subject } from './commit-style.ts';
import { styleTitle, titleProblem, type ChangeKind } from './title-style.ts';

export interface BriefInput {
  style: CommitStyle | null;
  /** Newest first: merged PR titles, or commit subjects when the repo has too few PRs. */
  recent: Subject[];
  issueTitle: string;
  kind: ChangeKind;
  what?: TitleBrief['what'];
  /** The issue's body: a ticket key it names (`ABC-123`) belongs in a ticket-prefix title. */
  issueBody?: string;
  /** The issue's number, for repos whose titles start with `[Fix #123]` or `#123:`. */
  issueNumber?: number | null;
}

/** What the model is told about the repository's titles, and how the harness checks and repairs them. */
export function titleBrief(input: BriefInput): TitleBrief {
  const { style } = input;
  const examples = input.recent
    .filter((s) => !s.bot)
    .map((s) => cleanSubject(s.subject))
    .filter((s) => s && !isRoutine(s) && (!style || classifySubject(s).kind === style.kind))
    .slice(0, 6);
  const ticket =
    style?.kind === 'ticket-prefix'
      ? ticketFor(style, `${input.issueTitle}\n${input.issueBody ?? ''}`, input.issueNumber ?? null)
      : null;
  const problem = (title: string): string | null => {
    if (style?.kind === 'ticket-prefix') {
      if (ticket && !title.includes(ticket.key))
        return `start with the ticket, as this repository does: \`${ticket.prefix}\``;
      // With no ticket to name, the title is a plain sentence (as the guidance says).
      if (!ticket && classifySubject(title.trim()).kind === 'plain') return null;
    }
    return titleProblem(style, title);
  };
  return {
    what: input.what ?? 'pull request title',
    guidance:
      describeStyle(style) + (ticket ? ` This issue's ticket is ${ticket.key}: start with \`${ticket.prefix}\`.` : ''),
    examples,
    problem,
    repair(attempt, changedFiles) {
      const withTicket = (t: string) => (ticket && !t.includes(ticket.key) ? `${ticket.prefix}${t}` : t);
      const candidates = [
        ...(attempt
          ? [withTicket(styleTitle(style, classifySubject(attempt).description, input.kind, changedFiles))]
          : []),
        withTicket(styleTitle(style, input.issueTitle, input.kind, changedFiles)),
      ];
      return candidates.find((t) => problem(t) === null) ?? styleTitle(null, input.issueTitle, input.kind);
    },
  };
}

/** A commit subject in the commit style, from a title that may be in the PR title style. */
export function commitSubject(
  style: CommitStyle | null,
  title: string,
  kind: ChangeKind,
  changedFiles: string[],
): string {
  if (titleProblem(style, title) === null) return title;
  const restyled = styleTitle(style, classifySubject(title).description, kind, changedFiles);
  return titleProblem(style, restyled) === null ? restyled : title;
}

/** The ticket key the issue names, in a project the repo's titles use, and the repo's way of writing it. */
function ticketFor(style: CommitStyle, text: string, issue: number | null): { key: string; prefix: string } | null {
  const github =
    issue === null
      ? undefined
      : (style.prefixes ?? [])
          .map((p) => /^(\[(?:Fix(?:es)?|Close[sd]?|Resolve[sd]?) )#\d+(\])$|^()#\d+(:?)$/.exec(p))
          .find((m) => m !== null);
  if (github && issue !== null)
    return { key: `#${issue}`, prefix: `${github[1] ?? github[3]}#${issue}${github[2] ?? github[4]} ` };
  const forms = (style.prefixes ?? [])
    .map((p) => /^(\[?)([A-Z][A-Z0-9]+)-\d+(\]?)(:?)$/.exec(p))
    .filter((m) => m !== null);
  for (const form of forms) {
    // `GH-123` is the GitHub issue itself (Apache Arrow's form): this issue's number, named or not.
    const key =
      form[2] === 'GH' && issue !== null ? `GH-${issue}` : new RegExp(`\\b${form[2]}-\\d+\\b`).exec(text)?.[0];
    if (key) return { key, prefix: `${form[1]}${key}${form[3]}${form[4]} ` };
  }
  return null;
}

function describeStyle(style: CommitStyle | null): string {
  if (!style)
    return 'This repository has no clear title convention: write a short, capitalised sentence in the imperative mood (`Fix ...`, `Add ...`).';
  const casing = style.capitalized ? 'starts with a capital letter' : 'starts with a lower-case letter';
  const mood = style.imperative ? 'in the imperative mood (`fix`, not `fixed`)' : 'in the same mood as the examples';
  switch (style.kind) {
    case 'conventional':
      return [
        `Titles here follow Conventional Commits: \`type(scope): description\`, where the description ${casing}, ${mood}.`,
        style.types?.length ? `Types in use, most used first: ${style.types.join(', ')}.` : '',
        style.scopes?.length
          ? `Scopes in use: ${style.scopes.join(', ')}; use one only if it names what you changed, else leave the scope out.`
          : 'Scopes are rarely used here; leave it out.',
        style.breakingMarker ? 'A breaking change gets `!` after the type.' : '',
      ]
        .filter(Boolean)
        .join(' ');
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
