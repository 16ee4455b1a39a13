import { scanTextForSecrets } from '../../adapters/git/secret-scan.ts';
import { codeSpan, splitCodeSpans } from './code-span.ts';
import { visibleText } from './visible-text.ts';

/**
 * The one sanitizer for text that reaches GitHub from the model, the repository (file names,
 * test names, commands, CI output) or an outsider. It does not try to understand the text: it
 * rebuilds it so that any CommonMark parser sees only what is safe.
 *
 * - Nothing hidden: invisible characters and HTML comments are removed (visible-text.ts).
 * - Markdown (`postable`): every character that starts HTML, an entity, a link, an image, a link
 *   reference definition (`[//]: # (...)` included), a table or an escape is escaped; a word that
 *   holds a mention (`@x`, `@org/team`, `@@x`, `/@x`), an issue reference (`#12`, `o/r#12`,
 *   `GH-12`: so no closing keyword can reach one) or a URL (off the GitHub host or not: shown,
 *   never a link) becomes inline code. Code spans and fenced blocks stay code, under fences
 *   longer than anything inside.
 * - Titles and commit subjects (`postableTitle`): no escapes (they are shown as typed), the same
 *   words become inline code, and every issue reference but the job's own loses its `#`.
 * - Names (`postableName`): one code span, whatever the name holds.
 */
export function postable(text: string): string {
  const lines = visibleText(scanTextForSecrets(text)).split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE_OPEN.exec(lines[i]!);
    if (!open) {
      out.push(inline(lines[i]!, 'markdown'));
      continue;
    }
    const marker = open[2]!;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !closes(lines[j]!, marker); j++) body.push(lines[j]!);
    out.push(...fencedBlock(open[3]!, body));
    i = j;
  }
  return out.join('\n');
}

/** One line of markdown (a plan step, a reason): newlines become spaces. */
export function postableInline(text: string): string {
  return inline(visibleText(scanTextForSecrets(text)).replace(/\s*\n\s*/g, ' '), 'markdown');
}

/** A file name, test name, command or branch: inline code, on one line. */
export function postableName(text: string): string {
  return codeSpan(
    visibleText(scanTextForSecrets(text))
      .replace(/\s*\n\s*/g, ' ')
      .slice(0, 2000),
  );
}

/** Command output shown as it is: a fenced block whose fence nothing inside can close. */
export function postableCode(text: string, language = 'text'): string {
  return fencedBlock(language, visibleText(scanTextForSecrets(text)).split('\n')).join('\n');
}

/**
 * A PR title, commit subject or check-run title. Only `#ownIssue` keeps its `#` (the one issue
 * the job was made for); every other reference reads `issue 12`, so no closing keyword here can
 * close it. `lines: true` keeps line breaks (an annotation's message).
 */
export function postableTitle(text: string, ownIssue: number | null, opts: { lines?: boolean } = {}): string {
  const clean = visibleText(scanTextForSecrets(text));
  const lines = opts.lines ? clean.split('\n') : [clean.replace(/\s*\n\s*/g, ' ').trim()];
  return lines.map((l) => inline(unreference(l, ownIssue), 'title')).join('\n');
}

type Policy = 'markdown' | 'title';

const FENCE_OPEN = /^( {0,3})(`{3,}|~{3,})(.*)$/;
/** Renderers GitHub runs on a fenced block's content (diagrams, maps, models, math). */
const RENDERED = /^(mermaid|geojson|topojson|stl|math)$/i;

function closes(line: string, marker: string): boolean {
  const m = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
  return !!m && m[1]![0] === marker[0] && m[1]!.length >= marker.length;
}

/** A fenced block rebuilt: a backtick fence longer than any run inside, a plain language word. */
function fencedBlock(info: string, body: string[]): string[] {
  const longest = Math.max(2, ...body.flatMap((l) => [...l.matchAll(/`+/g)].map((m) => m[0].length)));
  const fence = '`'.repeat(longest + 1);
  const word = /^\s*([A-Za-z0-9_+.-]{1,30})/.exec(info)?.[1] ?? '';
  return [`${fence}${RENDERED.test(word) ? '' : word}`, ...body, fence];
}

/**
 * A word (a run of non-space characters) that must not be read as markdown or by GitHub's
 * autolinker: a mention, an issue reference, a URL, and for titles raw HTML, an entity or link
 * syntax too (titles keep their punctuation unescaped).
 */
function risky(word: string, policy: Policy, lineStart: boolean): boolean {
  if (/@[A-Za-z0-9_]/.test(word)) return true;
  if (/:\/\/|(^|[^A-Za-z0-9])www\.|(mailto|xmpp):/i.test(word)) return true;
  if (lineStart && /^\/[A-Za-z]/.test(word)) return true;
  if (lineStart && /^(~{3,}|`{3,})/.test(word)) return true;
  if (policy === 'markdown') return /#\d|(^|[^A-Za-z0-9])GH-\d/i.test(word);
  return /<[A-Za-z/!?]|&#?[A-Za-z0-9]+;|\]\(|\]:|\\$|^[|:-]*\|[|:-]*$/.test(word);
}

const MARKDOWN_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '`': '\\`',
  '[': '\\[',
  ']': '\\]',
  '|': '\\|',
  '<': '&lt;',
  '&': '&amp;',
};

/** Text that is not code: escaped (markdown) or left as typed (titles), with an unpaired backtick made harmless. */
function plain(text: string, policy: Policy): string {
  if (policy === 'markdown') return text.replace(/[\\`[\]|<&]/g, (c) => MARKDOWN_ESCAPES[c]!);
  return text.replace(/(^|[^\\])`+/g, (m, before: string) => before + "'".repeat(m.length - before.length));
}

/**
 * One line: code spans kept (they show as code), every other word escaped or, when risky, made
 * inline code of its own. A span of ours never touches another backtick, so none can pair
 * with a fence it was not meant for.
 */
function inline(line: string, policy: Policy): string {
  let out = '';
  let first = true;
  for (const piece of splitCodeSpans(line)) {
    if (piece.code) {
      out += out.endsWith('`') ? ` ${piece.text}` : piece.text;
      first = false;
      continue;
    }
    for (const part of piece.text.split(/(\s+)/)) {
      if (!part) continue;
      if (/^\s+$/.test(part)) {
        out += part;
        continue;
      }
      const lineStart = first && /^\s*$/.test(out);
      first = false;
      if (risky(part, policy, lineStart)) {
        // Punctuation around a word stays outside its span: `(@alice),` reads (`@alice`),
        const [, lead = '', core = part, trail = ''] = /^(\(?)(.*?)([.,;:!?)]*)$/.exec(part) ?? [];
        const tight = core && risky(core, policy, lineStart && !lead);
        const span = codeSpan(tight ? core : part);
        const before = tight ? plain(lead, policy) : '';
        out += /[`\\]$/.test(out + before) ? `${before} ${span}` : before + span;
        if (tight) out += plain(trail, policy);
        continue;
      }
      const text = plain(part, policy);
      out += out.endsWith('`') && text.startsWith('`') ? ` ${text}` : text;
    }
  }
  return out;
}

/** Issue and pull request references, each read as `issue N` unless it is the job's own `#N`. */
function unreference(line: string, ownIssue: number | null): string {
  return line
    .replace(
      /\bhttps?:\/\/[^\s/]+\/([\w.-]+\/[\w.-]+)\/(?:issues|pull)\/(\d+)\S*/gi,
      (_m, repo: string, n: string) => `${repo} issue ${n}`,
    )
    .replace(
      /(^|[^A-Za-z0-9&])([\w.-]+\/[\w.-]+)?#(\d+)(?!\d)/g,
      (m, before: string, repo: string | undefined, n: string) =>
        !repo && ownIssue !== null && Number(n) === ownIssue ? m : `${before}${repo ? `${repo} ` : ''}issue ${n}`,
    )
    .replace(/(?<![A-Za-z0-9])GH-(\d+)(?!\d)/gi, 'issue $1');
}
