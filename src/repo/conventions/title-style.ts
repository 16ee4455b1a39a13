import { classifySubject, cleanSubject, isRoutine, notImperative, ordinaryFirstWord } from './classify-subject.ts';
import { habitKeys, MAX_TITLE, prefixKeys, type CommitStyle } from './commit-style.ts';

export type ChangeKind = 'fix' | 'feature' | 'docs' | 'other';

const GITMOJI: Record<ChangeKind, string> = { fix: '🐛', feature: '✨', docs: '📝', other: '♻️' };
const CC: Record<ChangeKind, string> = { fix: 'fix', feature: 'feat', docs: 'docs', other: 'chore' };

/** A guess at the kind of change from the words, for types, emoji and templates. */
export function changeKind(text: string): ChangeKind {
  if (/\b(bug|fix|crash|error|broken|fails?|wrong|regression)\b/i.test(text)) return 'fix';
  if (/\b(docs?|documentation|readme|typo)\b/i.test(text)) return 'docs';
  if (/\b(add|support|feature|implement|allow|new)\b/i.test(text)) return 'feature';
  return 'other';
}

/** A pattern for each style, checked before a title is used: why a title does not fit the repository's style, in words the model can act on; null if it fits. */
export function titleProblem(style: CommitStyle | null, raw: string): string | null {
  if (/\n/.test(raw.trim())) return 'the title must be one line';
  // Whitespace noise (a leading space, doubled spaces) is not a matter of style; nor is the `(#123)` a squash merge adds.
  const title = cleanSubject(raw.trim().replace(/\s+/g, ' '));
  if (!title) return 'the title is empty';
  const tooLong = (limit: number) =>
    `the title is ${title.length} characters; this repository's titles stay under ${limit}`;
  if (title.length > MAX_TITLE) return tooLong(MAX_TITLE);
  if (/^\[?(WIP|draft)\b|\[bot\]|^(patchwright|agent|bot)\b:?/i.test(title))
    return 'no `[WIP]`, draft or bot prefix: the draft state already says that';
  if (isRoutine(title)) return null;
  const limit = style?.tolerance?.maxLength ?? 100;
  if (title.length > limit) return tooLong(limit);
  if (!style) return null;
  const c = classifySubject(title);
  const tol = style.tolerance;
  // Another kind of title the team has the habit of, with a prefix it used, is its own voice too.
  const tolerated =
    c.kind !== style.kind &&
    !!tol &&
    (tol.kinds.includes(c.kind) || prefixKeys(c).some((k) => tol.prefixes.includes(k)));
  if (tolerated)
    return habitCasingProblem(tol, habitKeys(c), c.description) ?? casingProblem(style, c.description, c.kind);
  switch (style.kind) {
    case 'conventional': {
      const known = new Set([
        ...(style.types ?? []),
        ...(tol?.prefixes ?? []).filter((p) => /^[a-z]+$/.test(p)),
        'feat',
        'fix',
        'docs',
        'refactor',
        'perf',
        'test',
        'build',
        'ci',
        'chore',
        'style',
        'revert',
      ]);
      const type = /^([a-z]+)(\([^)]+\))?!?: \S/.exec(title)?.[1];
      if (type && !known.has(type))
        return `\`${type}\` is not a type this repository uses; use one of ${[...known].slice(0, 8).join(', ')}`;
      if (c.kind !== 'conventional')
        return `this repository uses Conventional Commits: \`type(scope): description\`, for example \`fix(parser): handle empty input\`${habits(tol)}`;
      return casingProblem(style, c.description);
    }
    case 'gitmoji':
      return c.kind === 'gitmoji'
        ? null
        : 'this repository starts titles with a gitmoji, for example `🐛 Fix the parser`';
    case 'component-prefix':
      return c.kind === 'component-prefix'
        ? casingProblem(style, c.description)
        : `this repository starts titles with the component changed and a colon, for example \`${style.prefixes?.[0] ?? 'net/http'}: fix header parsing\`${habits(tol)}`;
    case 'ticket-prefix':
      // A plain sentence passes where the team writes them; the brief also takes one when the issue names no ticket.
      return c.kind === 'ticket-prefix'
        ? null
        : `this repository starts titles with a ticket reference (\`${style.prefixes?.[0] ?? 'ABC-123'}\`); a plain sentence only when the issue names no ticket${habits(tol)}`;
    default:
      if (c.kind !== 'plain')
        return `this repository writes titles as plain sentences, without a type, emoji or component prefix${habits(tol)}`;
      if ((tol ? tol.imperative : style.imperative) && notImperative(title))
        return 'write it in the imperative mood (`Fix`, not `Fixed`)';
      return casingProblem(style, title);
  }
}

/** A prefix key as a person reads it: `docs:`, `fix(...):`, `[component] `. */
export function prefixLabel(key: string): string {
  return key === '[...]' ? '`[component] `' : `\`${key.replace(/\(\)$/, '(...)')}:\``;
}

/** The prefixes the team's other habits allow, for a message that sends a title back. */
function habits(tol: CommitStyle['tolerance']): string {
  const prefixes = (tol?.prefixes ?? []).slice(0, 6).map(prefixLabel);
  return prefixes.length ? ` (the team also writes titles starting ${prefixes.join(', ')})` : '';
}

/**
 * Only an ordinary first word is judged (`README`, `iOS` or `npm` keep their own case), and only
 * where the team is consistent about it.
 */
function casingProblem(style: CommitStyle, description: string, kind = style.kind): string | null {
  const word = ordinaryFirstWord(description);
  if (!word) return null;
  const rule = style.tolerance
    ? (style.tolerance.casingByKind[kind] ?? null)
    : style.confidence < 0.5
      ? null
      : style.capitalized
        ? 'upper'
        : 'lower';
  if (!rule) return null;
  const upper = /^[A-Z]/.test(word);
  if (upper === (rule === 'upper')) return null;
  return rule === 'upper'
    ? 'start the description with a capital letter, as this repository does'
    : 'start the description with a lower-case letter, as this repository does';
}

/** A habit's title in the casing the team writes that habit in (`docs: fix ...` where its `docs:` titles are lower-case). */
function habitCasingProblem(
  tol: NonNullable<CommitStyle['tolerance']>,
  keys: string[],
  description: string,
): string | null {
  const word = ordinaryFirstWord(description);
  const rule = keys.map((k) => tol.casingByPrefix?.[k]).find(Boolean);
  if (!word || !rule || /^[A-Z]/.test(word) === (rule === 'upper')) return null;
  const which = keys[0] ? `${prefixLabel(keys[0])} titles` : 'plain sentences';
  return `start the description with ${rule === 'upper' ? 'a capital' : 'a lower-case'} letter, as this repository's ${which} do`;
}

/**
 * Repairs or builds a title in the repository's style from a plain description: the type or
 * emoji from the kind of change, the component from the changed files when the history has it.
 */
export function styleTitle(
  style: CommitStyle | null,
  description: string,
  kind: ChangeKind,
  changedFiles: string[] = [],
): string {
  const text = stripPrefixes(description.trim()).replace(/\.$/, '');
  const cased = (s: string) =>
    style?.capitalized ? s.charAt(0).toUpperCase() + s.slice(1) : s.charAt(0).toLowerCase() + s.slice(1);
  if (!style) return cap(text);
  switch (style.kind) {
    case 'conventional': {
      const type = style.types?.includes(CC[kind]) || !style.types?.length ? CC[kind] : (style.types[0] ?? CC[kind]);
      // `fix: fix the parser` says it twice: the type already carries the verb.
      const rest = type === 'fix' ? text.replace(/^fix(es|ed)?\s+/i, '') : text;
      return `${type}: ${cased(rest)}`;
    }
    case 'gitmoji':
      return `${GITMOJI[kind]} ${cap(text)}`;
    case 'component-prefix': {
      const comp = componentFor(style.prefixes ?? [], changedFiles);
      return comp ? `${comp}: ${cased(text)}` : cap(text);
    }
    default:
      return style.capitalized ? cap(text) : cased(text);
  }
}

/**
 * The component a change belongs to: a prefix the repo already uses that the changed files fall
 * under; else one named like them, the way the repo names components: package paths when its
 * prefixes are paths (`gopls/internal/cache`), file names when they are not (`fetch-pack`).
 */
function componentFor(prefixes: string[], files: string[]): string | undefined {
  const dirs = files.map((f) => f.split('/').slice(0, -1).join('/'));
  const known =
    prefixes.find((p) => dirs.some((d) => d === p || d.startsWith(`${p}/`))) ??
    prefixes.find((p) => files.some((f) => f.includes(p)));
  if (known || !files.length) return known;
  const paths = prefixes.filter((p) => p.includes('/')).length * 2 >= prefixes.length;
  const first = files[0]!;
  const name = paths
    ? dirs[0] || undefined
    : first
        .split('/')
        .pop()!
        .replace(/\.[^.]+$/, '');
  return name && /^[\w.@/-]+$/.test(name) ? name : undefined;
}

function stripPrefixes(s: string): string {
  return s.replace(/^\[?(WIP|draft)\]?:?\s*/i, '').replace(/^(bug|feature|feat|fix)\s*:\s*/i, '');
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
