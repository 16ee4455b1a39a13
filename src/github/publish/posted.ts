import { postable, postableCode, postableInline, postableName, postableTitle } from './postable.ts';

const made = new WeakSet<object>();
/** Only this file holds it: a Posted is made here or nowhere. */
const MAKER = Symbol('posted');

/**
 * Text that may be posted to GitHub as it is: only the builders below make one, and each runs
 * every string it did not write itself through the sanitizer (postable.ts). The Octokit the app
 * posts with (posted-octokit.ts) sends a `Posted` as its text and sanitizes anything else as
 * untrusted, so a call site that forgets is still safe. Serialised, it is its text.
 */
export class Posted {
  readonly text: string;
  /** Lines of markdown (a summary): only ever placed on lines of their own, so a fence in it stays a fence. */
  readonly block: boolean;
  private constructor(text: string, block: boolean) {
    this.text = text;
    this.block = block;
  }

  static of(value: unknown): value is Posted {
    return value instanceof Posted && made.has(value);
  }

  toJSON(): string {
    return this.text;
  }

  toString(): string {
    return this.text;
  }

  /** Only the builders in this file can call it: the key is theirs. */
  static make(key: symbol, text: string, block = false): Posted {
    if (key !== MAKER) throw new Error('a Posted is made only by the builders in posted.ts');
    const p = new Posted(text, block);
    made.add(p);
    return p;
  }
}

export type Part = Posted | string | number;

/**
 * Markdown the app writes, with what it did not write filled in: literal parts are the app's
 * own; an interpolated string is one line of untrusted text; a number is a number; a `Posted`
 * is already clean. Where a piece ends in a backtick and the next starts with one, a space keeps
 * their code spans apart.
 */
export function md(strings: TemplateStringsArray, ...values: Part[]): Posted {
  let out = strings[0] ?? '';
  let multiline = false;
  values.forEach((v, i) => {
    const after = strings[i + 1] ?? '';
    if (Posted.of(v) && v.block) {
      multiline = true;
      out = `${out.replace(/[ \t]+$/, '')}${out === '' || out.endsWith('\n') ? '' : '\n\n'}${v.text}${after === '' || after.startsWith('\n') ? '' : '\n\n'}`;
      out += after;
      return;
    }
    out = join(join(out, piece(v)), after);
  });
  return make(out, multiline);
}

/** Untrusted markdown of many lines (a summary): kept as markdown, made safe. */
export function block(text: string): Posted {
  return make(postable(text), true);
}

/** Untrusted prose: one line stays on the line it is put on; more lines are a block of their own. */
export function prose(text: string): Posted {
  const t = text.trim();
  return t.includes('\n') ? block(t) : make(postableInline(t));
}

/** Output (a command's tail) as a fenced code block. */
export function codeBlock(text: string): Posted {
  return make(postableCode(text), true);
}

/** A name (file, test, command, branch, config key, login): inline code. */
export function name(text: string): Posted {
  return make(postableName(text));
}

/** A GitHub login as the app mentions it: shown, never pinged. */
export function login(user: string): Posted {
  return name(`@${user}`);
}

/** A PR title, commit subject or check-run title; only `ownIssue` keeps its `#`. */
export function title(text: string, ownIssue: number | null): Posted {
  return make(postableTitle(text, ownIssue));
}

/** Plain lines (an annotation's message): as `title`, line breaks kept. */
export function plainLines(text: string, ownIssue: number | null = null): Posted {
  return make(postableTitle(text, ownIssue, { lines: true }));
}

/** Posted pieces joined with the app's own separator. */
export function joined(parts: Posted[], separator: string): Posted {
  const lines = separator.includes('\n');
  if (!lines && parts.some((p) => p.block)) throw new Error('lines of markdown are joined only with line breaks');
  return make(
    parts.map((p) => p.text).reduce((acc, t, i) => (i === 0 ? t : join(join(acc, separator), t)), ''),
    lines && parts.length > 1 ? true : parts.some((p) => p.block),
  );
}

/**
 * The app's own text, with nothing filled in: a string literal (or a union of them) only, so
 * text made at run time cannot pass as the app's (`literal(someString)` does not type-check).
 */
export function literal<T extends string>(text: string extends T ? never : T): Posted {
  return make(text);
}

/** A URL GitHub gave the app (a PR's html_url): a link, if it has nothing odd in it; else shown as a name. */
export function link(url: string): Posted {
  return /^https?:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~%/-]*)?$/.test(url) ? make(url) : name(url);
}

/** A heading marker of a template's level. */
export function heading(level: number): Posted {
  return make('#'.repeat(Math.min(6, Math.max(1, Math.trunc(level)))));
}

/**
 * A Posted cut to `max` characters (GitHub's size limits), always at a line break: every line
 * the sanitizer makes pairs its own code spans, so a cut there cannot wake anything up (inside
 * a fenced block, the rest is code).
 */
export function clipped(p: Posted, max: number, note: Posted): Posted {
  if (p.text.length <= max) return p;
  const cut = Math.max(0, p.text.lastIndexOf('\n', max - note.text.length - 2));
  return make(`${p.text.slice(0, cut)}\n\n${note.text}`, p.block);
}

function make(text: string, block = false): Posted {
  return Posted.make(MAKER, text, block);
}

function piece(v: Part): string {
  if (Posted.of(v)) return v.text;
  if (typeof v === 'number') return String(v);
  return postableInline(String(v));
}

function join(a: string, b: string): string {
  return a.endsWith('`') && b.startsWith('`') ? `${a} ${b}` : a + b;
}
