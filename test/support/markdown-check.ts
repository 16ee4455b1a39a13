import MarkdownIt, { type Env, type Token } from 'markdown-it';

/** CommonMark with raw HTML recognised (so it can be found), tables, strikethrough and GitHub's scheme autolinks. */
const parser = new MarkdownIt({ html: true, linkify: true });

/** Invisible characters: controls, format characters (zero-width, bidi, tags), variation selectors (but an emoji's own), fillers. */
const HIDDEN =
  /[\p{Cf}\u034F\u115F\u1160\u17B4\u17B5\u180B-\u180F\u3164\uFE00-\uFE0E\uFFA0\u{E0100}-\u{E01EF}]|(?<!\p{Extended_Pictographic})\uFE0F|(?![\t\n])\p{Cc}/u;
const MENTION = /@[A-Za-z0-9]/;
const CLOSING =
  /\b(close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b[\s:*_~]*((?:[\w.-]+\/[\w.-]+)?#(\d+)|GH-\d+|https?:\/\/\S+\/(?:issues|pull)\/\d+)/gi;

export interface CheckOptions {
  /** The one issue the app may close (`Closes #N` that it wrote itself). */
  ownIssue?: number | null;
  /** Raw HTML the app itself writes (the tracking comment's marker). */
  allowHtml?: (content: string) => boolean;
  /** Links the app itself writes (its PR on the GitHub host). */
  allowLink?: (href: string) => boolean;
}

/**
 * What a reader of the rendered text would be exposed to, found by parsing it as CommonMark and
 * walking every token: raw HTML, images, links the app did not mean, link reference
 * definitions, hidden characters, and in text nodes a live mention or a closing keyword for an
 * issue other than the job's own. Empty when the text is safe.
 */
export function markdownProblems(text: string, opts: CheckOptions = {}): string[] {
  const env: Env = {};
  const tokens = parser.parse(text, env);
  const problems: string[] = [];
  if (env.references && Object.keys(env.references).length)
    problems.push(`link reference definition(s): ${Object.keys(env.references).join(', ')}`);
  if (HIDDEN.test(text))
    problems.push(`hidden character U+${text.codePointAt(text.search(HIDDEN))!.toString(16).toUpperCase()}`);
  const walk = (list: Token[]) => {
    for (const t of list) {
      if ((t.type === 'html_block' || t.type === 'html_inline') && !opts.allowHtml?.(t.content))
        problems.push(`raw HTML ${JSON.stringify(t.content.slice(0, 60))}`);
      if (t.type === 'image') problems.push(`image ${t.attrGet('src')}`);
      if (t.type === 'link_open' && !opts.allowLink?.(String(t.attrGet('href') ?? '')))
        problems.push(`link to ${t.attrGet('href')}`);
      if (t.type === 'text' && MENTION.test(t.content))
        problems.push(`live mention in ${JSON.stringify(t.content.slice(0, 80))}`);
      if (t.type === 'text' && /(^|[^A-Za-z0-9])www\./i.test(t.content))
        problems.push(`autolinked www. in ${JSON.stringify(t.content.slice(0, 80))}`);
      if (t.type === 'inline') problems.push(...closingKeywords(t.children ?? [], opts.ownIssue ?? null));
      if (t.children) walk(t.children);
    }
  };
  walk(tokens);
  return problems;
}

/** Closing keywords over one block's visible text, code spans cut out (GitHub reads no reference inside them). */
function closingKeywords(children: Token[], ownIssue: number | null): string[] {
  const text = children
    .map((c) =>
      c.type === 'text'
        ? c.content
        : c.type === 'softbreak' || c.type === 'hardbreak'
          ? ' '
          : c.type === 'code_inline'
            ? '\u0000'
            : '',
    )
    .join('');
  const found: string[] = [];
  for (const m of text.matchAll(CLOSING)) {
    if (m[3] !== undefined && !m[2]!.includes('/') && Number(m[3]) === ownIssue) continue;
    found.push(`closing keyword ${JSON.stringify(m[0])}`);
  }
  return found;
}

/** Plain text (a commit message, a title as GitHub shows it): hidden characters and closing keywords for other issues. */
export function plainProblems(text: string, ownIssue: number | null): string[] {
  const problems: string[] = [];
  if (HIDDEN.test(text))
    problems.push(`hidden character U+${text.codePointAt(text.search(HIDDEN))!.toString(16).toUpperCase()}`);
  for (const m of text.matchAll(CLOSING)) {
    if (m[3] !== undefined && !m[2]!.includes('/') && Number(m[3]) === ownIssue) continue;
    problems.push(`closing keyword ${JSON.stringify(m[0])}`);
  }
  return problems;
}
