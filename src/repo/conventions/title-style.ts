import type { CommitStyle } from './commit-style.ts';

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

/** A title pattern for each style: what the harness checks before a title is used. */
export function isValidTitle(style: CommitStyle | null, title: string): boolean {
  if (!title.trim() || title.length > 100 || /^\[?(WIP|draft)\b|\[bot\]|^(patchwright|agent):/i.test(title)) return false;
  if (!style) return true;
  switch (style.kind) {
    case 'conventional':
      return /^[a-z]+(\([^)]+\))?!?: \S/.test(title);
    case 'gitmoji':
      return /^(\p{Extended_Pictographic}|:[a-z0-9_+-]+:)/u.test(title);
    case 'component-prefix':
      return /^[\w.@/*{}-]+(, ?[\w.@/*{}-]+)*: \S/.test(title);
    case 'ticket-prefix':
      return true;
    default:
      return true;
  }
}

/**
 * Repairs or builds a title in the repository's style from a plain description: the type or
 * emoji from the kind of change, the component from the changed files when the history has it.
 */
export function styleTitle(style: CommitStyle | null, description: string, kind: ChangeKind, changedFiles: string[] = []): string {
  const text = stripPrefixes(description.trim()).replace(/\.$/, '');
  const cased = (s: string) => (style?.capitalized ? s.charAt(0).toUpperCase() + s.slice(1) : s.charAt(0).toLowerCase() + s.slice(1));
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

function componentFor(prefixes: string[], files: string[]): string | undefined {
  const dirs = files.map((f) => f.split('/').slice(0, -1).join('/'));
  return prefixes.find((p) => dirs.some((d) => d === p || d.startsWith(`${p}/`))) ?? prefixes.find((p) => files.some((f) => f.includes(p)));
}

function stripPrefixes(s: string): string {
  return s.replace(/^\[?(WIP|draft)\]?:?\s*/i, '').replace(/^(bug|feature|feat|fix)\s*:\s*/i, '');
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
