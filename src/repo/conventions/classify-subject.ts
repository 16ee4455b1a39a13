export type SubjectKind = 'conventional' | 'gitmoji' | 'component-prefix' | 'ticket-prefix' | 'plain';

/** Conventional Commits types seen in the wild; a word outside this list is a component, not a type. */
export const CC_TYPES = new Set([
  'feat',
  'fix',
  'docs',
  'doc',
  'chore',
  'refactor',
  'test',
  'tests',
  'ci',
  'build',
  'perf',
  'style',
  'revert',
  'deps',
  'release',
  'security',
  'types',
  'wip',
]);

const CONVENTIONAL = /^([a-z]+)(\(([^)]+)\))?(!)?: \S/i;
const GITMOJI = /^(\p{Extended_Pictographic}|:[a-z0-9_+-]+:)/u;
const COMPONENT = /^([\w.@/*{}-]+(?:, ?[\w.@/*{}-]+)*): \S/;
const TICKET =
  /^(\[[A-Z][A-Z0-9]+-\d+\]|[A-Z][A-Z0-9]+-\d+:? |\[(?:Fix(?:es)?|Close[sd]?|Resolve[sd]?) #\d+\]|#\d+:? )/;

export interface Classified {
  kind: SubjectKind;
  type?: string;
  scope?: string;
  breaking?: boolean;
  prefix?: string;
  description: string;
}

/** One subject's style. `net/http: fix x` is a component prefix, not a Conventional Commit. */
export function classifySubject(subject: string): Classified {
  const cc = CONVENTIONAL.exec(subject);
  if (cc && CC_TYPES.has(cc[1]!.toLowerCase())) {
    return {
      kind: 'conventional',
      type: cc[1]!.toLowerCase(),
      ...(cc[3] ? { scope: cc[3] } : {}),
      breaking: !!cc[4],
      description: subject.slice(subject.indexOf(': ') + 2),
    };
  }
  const emoji = GITMOJI.exec(subject);
  if (emoji) return { kind: 'gitmoji', prefix: emoji[1]!, description: subject.slice(emoji[0].length).trim() };
  const ticket = TICKET.exec(subject);
  if (ticket)
    return { kind: 'ticket-prefix', prefix: ticket[1]!.trim(), description: subject.slice(ticket[0].length).trim() };
  const comp = COMPONENT.exec(subject);
  if (comp && !/\s/.test(comp[1]!.replace(/, /g, ',')))
    return { kind: 'component-prefix', prefix: comp[1]!, description: subject.slice(comp[1]!.length + 2) };
  return { kind: 'plain', description: subject };
}

/**
 * The first word of a description when it is an ordinary word, the one a casing rule judges:
 * `README`, `iOS`, `npm2` or `[core]` keep their own case and are not judged.
 */
export function ordinaryFirstWord(description: string): string | undefined {
  return /^[A-Za-z][a-z]+\b/.exec(description)?.[0];
}

/** `Fixed`/`Fixing`/`Fixes`, not `Fix`: the description does not start with an imperative verb. */
export function notImperative(description: string): boolean {
  const word = /^[A-Za-z]+\b/.exec(description)?.[0] ?? '';
  // `Need`, `Speed`, `Embed`, `Bring` or `String` only look like past tenses and gerunds.
  const past = /ed$/i.test(word) && !/eed$/i.test(word) && !/^(embed|shed|bed|red|shred|wed)$/i.test(word);
  const gerund = /ing$/i.test(word) && !/^(bring|string|spring|ping|sing|ring|thing|swing|king)$/i.test(word);
  return past || gerund || /^(Adds|Fixes|Updates|Removes|Makes|Uses)$/.test(word);
}

/** The subject without squash-merge suffixes and CI markers. */
export function cleanSubject(subject: string): string {
  return subject
    .replace(/\s*\((?:#\d+(?:, ?#\d+)*)\)\s*$/, '')
    .replace(/\s*\[(?:ci skip|skip ci)\]\s*$/i, '')
    .trim();
}

/**
 * Titles every team merges without a second look, whatever its style: reverts, releases and
 * dependency bumps. Neither examples of the style nor held against anyone.
 */
export function isRoutine(subject: string): boolean {
  return (
    isNoise(subject) ||
    /^(Revert|Reapply|Reland)\b/i.test(subject) ||
    /^(chore|build|ci|release)(\([^)]*\))?!?: (release|prepare|publish|bump|version|cut)\b/i.test(subject) ||
    /^(release|prepare|publish|bump|version|cut)\b.*\bv?\d+\.\d+/i.test(subject) ||
    /^(prepare|cut|publish) (the |a )?(next )?release\b/i.test(subject) ||
    /^(Bump|Update|Upgrade) \S+ (from \S+ )?to v?\d/i.test(subject) ||
    /^(chore|build|fix|ci)\(deps(-dev)?\)/i.test(subject) ||
    /^(Update|Pin|Lock file maintenance)\b.*\bdependenc(y|ies)\b/i.test(subject)
  );
}

/** Reverts, merges, release and version bumps say nothing about how people write. */
function isNoise(subject: string): boolean {
  return /^(Revert "|Merge (pull request|branch|remote)|Release v?\d|v?\d+\.\d+(\.\d+)?$|Bump version|Version Packages|Publish Release)/i.test(
    subject,
  );
}
