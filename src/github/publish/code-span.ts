/**
 * Inline code as CommonMark reads it. A span's fence is one backtick longer than the longest run
 * inside, so nothing inside can close it; content that starts or ends with a backtick or a space
 * is padded with one space each side, which CommonMark strips again.
 */
export function codeSpan(content: string): string {
  const text = content.replace(/\n/g, ' ');
  if (!text) return '` `';
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(text) && !/^ +$/.test(text) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

export type Piece = { code: boolean; text: string };

const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;

/**
 * One line split into its code spans (with their fences) and the text between, the way
 * CommonMark pairs backticks: a backslash escapes the backtick after it, and a run of n
 * backticks opens a span only if a later run of exactly n closes it. A run that does not pair is
 * text (the caller decides what to do with it).
 */
export function splitCodeSpans(line: string): Piece[] {
  const pieces: Piece[] = [];
  let text = '';
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length && ASCII_PUNCTUATION.test(line[i + 1]!)) {
      text += line.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c !== '`') {
      text += c;
      i++;
      continue;
    }
    const run = runAt(line, i);
    const close = closingRun(line, i + run, run);
    if (close < 0) {
      text += line.slice(i, i + run);
      i += run;
      continue;
    }
    if (text) pieces.push({ code: false, text });
    text = '';
    pieces.push({ code: true, text: line.slice(i, close + run) });
    i = close + run;
  }
  if (text) pieces.push({ code: false, text });
  return pieces;
}

function runAt(line: string, i: number): number {
  let n = 0;
  while (line[i + n] === '`') n++;
  return n;
}

function closingRun(line: string, from: number, length: number): number {
  for (let j = from; j < line.length; ) {
    if (line[j] !== '`') {
      j++;
      continue;
    }
    const n = runAt(line, j);
    if (n === length) return j;
    j += n;
  }
  return -1;
}
