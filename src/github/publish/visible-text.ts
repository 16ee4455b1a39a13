/**
 * Characters a reader cannot see: controls, format characters (zero-width, bidi controls and
 * isolates, soft hyphen, Unicode tags), variation selectors (they can carry data after a
 * letter) and the blank fillers some scripts have. Tab and newline stay.
 */
const INVISIBLE =
  /[\p{Cc}\p{Cf}\u034F\u115F\u1160\u17B4\u17B5\u180B-\u180F\u3164\uFE00-\uFE0F\uFFA0\u{E0100}-\u{E01EF}]/gu;
const COMMENT = /<!--[\s\S]*?(?:-->|$)/g;

/**
 * Text as a reader of GitHub sees it: line endings made `\n`, invisible characters removed, then
 * HTML comments removed (in that order, so a zero-width character cannot keep a comment whole).
 */
export function visibleText(text: string): string {
  let out = text
    .toWellFormed()
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(INVISIBLE, (c) => (c === '\t' || c === '\n' ? c : ''));
  // Removing one comment can join the pieces of another (`<!<!-- -->-- x -->`): until none is left.
  for (let before = ''; before !== out; ) {
    before = out;
    out = out.replace(COMMENT, '');
  }
  return out;
}
