import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { postable, postableInline, postableName, postableTitle } from '../../src/github/publish/postable.ts';
import { block, login, md, name, title } from '../../src/github/publish/posted.ts';
import { hostileCorpus, PAYLOADS, WRAPPERS } from '../support/hostile-text.ts';
import { markdownProblems, plainProblems } from '../support/markdown-check.ts';

const corpus = hostileCorpus(25, 600);
const parser = new MarkdownIt({ html: true, linkify: true });

/** The corpus strings whose sanitized form still has a problem, with the problems (empty when all are safe). */
function failing(
  make: (s: string) => string,
  check: (out: string) => string[],
): Array<{ input: string; output: string; problems: string[] }> {
  return corpus
    .map((input) => ({ input, output: make(input) }))
    .map((x) => ({ ...x, problems: check(x.output) }))
    .filter((x) => x.problems.length);
}

describe('the sanitizer against a generated corpus of hostile text, read back by a CommonMark parser', () => {
  it(`covers ${PAYLOADS.length} payloads × ${WRAPPERS.length} wrappers and 600 random nestings`, () => {
    expect(corpus.length).toBe(PAYLOADS.length * WRAPPERS.length + 600);
  });

  it('markdown (summaries, replies, check-run text): no live mention, closing keyword, raw HTML, link, image, definition or hidden text', () => {
    expect(failing(postable, (out) => markdownProblems(out)).slice(0, 3)).toEqual([]);
  });

  it('one line (plan steps, reasons), alone and inside a task list item', () => {
    expect(failing(postableInline, (out) => markdownProblems(out)).slice(0, 3)).toEqual([]);
    expect(
      failing(
        (s) => `- [ ] ${postableInline(s)} ⏳`,
        (out) => markdownProblems(out),
      ).slice(0, 3),
    ).toEqual([]);
    expect(
      failing(
        (s) => (postableInline(s).split('\n').length === 1 ? 'one line' : 'many lines'),
        (out) => (out === 'one line' ? [] : [out]),
      ).slice(0, 3),
    ).toEqual([]);
  });

  it('names (files, tests, commands) are one code span holding exactly the name', () => {
    for (const input of corpus) {
      const out = postableName(input);
      const inline = parser.parse(out, {}).find((t) => t.type === 'inline')!;
      const kids = (inline.children ?? []).filter((c) => c.type !== 'text' || c.content !== '');
      expect(
        kids.map((k) => k.type),
        JSON.stringify(input),
      ).toEqual(['code_inline']);
      expect(markdownProblems(out)).toEqual([]);
    }
  });

  it('titles and commit subjects: safe read as markdown and as plain text, the own issue kept', () => {
    expect(
      failing(
        (s) => postableTitle(s, 7),
        (out) => [...markdownProblems(out, { ownIssue: 7 }), ...plainProblems(out, 7)],
      ).slice(0, 3),
    ).toEqual([]);
    expect(postableTitle('Fix add, closes #7 and fixes #12', 7)).toBe('Fix add, closes #7 and fixes issue 12');
  });

  it('pieces side by side stay apart: two names, a name and a line, in one template', () => {
    const checked = corpus.slice(0, 400).flatMap((a, i) => {
      const b = corpus[(i * 7 + 3) % corpus.length]!;
      const out = md`Running: ${name(a)}${name(b)} then ${a}${login('x')}${b}`.text;
      const problems = markdownProblems(out);
      return problems.length ? [{ a, b, out, problems }] : [];
    });
    expect(checked.slice(0, 3)).toEqual([]);
  });
});

describe('what the sanitizer keeps', () => {
  it('ordinary markdown reads as written', () => {
    const text =
      'Fixed `add` to add instead of subtract.\n\n- **Note**: the _old_ test still passes\n1. one\n\n```js\nconst a = 1;\n```\n> quoted';
    expect(postable(text)).toBe(text);
  });

  it('hidden text goes, HTML and pings are shown, credentials removed, code stays as written', () => {
    // Made at run time, so no token-shaped string is committed.
    const token = ['gh', 'p_', '0123456789abcdefghijklmnopqrstuvwxyzAB'].join('');
    const text = postable(
      `Hi @alice <!-- merge me -->\u202E\nCloses #4, fixes o/r#5\n<details>x</details>\n${token}\n\`\`\`\n<b>@bob Closes #6</b>\n\`\`\``,
    );
    expect(text).toBe(
      'Hi `@alice` \nCloses `#4`, fixes `o/r#5`\n&lt;details>x&lt;/details>\n\\[GitHub token removed\\]\n```\n<b>@bob Closes #6</b>\n```',
    );
  });

  it('a line starting with a slash command is shown, not a command to other bots', () => {
    expect(postable('Done.\n/approve\n  /merge now\nsee a/b path')).toBe(
      'Done.\n`/approve`\n  `/merge` now\nsee a/b path',
    );
  });

  it('a name with backticks gets a longer fence; titles keep their punctuation', () => {
    expect(postableName('a`b``c')).toBe('```a`b``c```');
    expect(postableName('`x')).toBe('`` `x ``');
    expect(postableTitle('[core] fix a & b <3 for @carol', null)).toBe('[core] fix a & b <3 for `@carol`');
    expect(title('Fix #12: parse dates, closes #3', 12).text).toBe('Fix #12: parse dates, closes issue 3');
    expect(block('x').text).toBe('x');
  });
});
