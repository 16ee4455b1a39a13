import type { FileVersion } from '../ports.ts';

/**
 * A file's text as a reader (or a runtime) sees it: UTF-16 when its bytes say so (a byte-order
 * mark, or NULs between ASCII characters), UTF-8 otherwise. Binary files come out as text too:
 * whatever a `-diff` attribute or a NUL byte would hide from a diff is still read here.
 */
export function textOf(v: FileVersion | null): string {
  if (!v || v.mode === '160000') return '';
  const b = Buffer.from(v.bytes.buffer, v.bytes.byteOffset, v.bytes.byteLength);
  return utf16Text(b) ?? b.toString('utf8');
}

/** The UTF-16 reading of `b`, or null when it does not look like UTF-16. */
export function utf16Text(b: Buffer): string | null {
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return b.subarray(2).toString('utf16le');
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return swapBytes(b.subarray(2)).toString('utf16le');
  if (b.length < 8) return null;
  let evenZero = 0;
  let oddZero = 0;
  const n = Math.min(b.length - (b.length % 2), 64 * 1024);
  for (let i = 0; i < n; i += 2) {
    if (b[i] === 0) evenZero++;
    if (b[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero > pairs * 0.6 && evenZero < pairs * 0.1)
    return b.subarray(0, b.length - (b.length % 2)).toString('utf16le');
  if (evenZero > pairs * 0.6 && oddZero < pairs * 0.1)
    return swapBytes(b.subarray(0, b.length - (b.length % 2))).toString('utf16le');
  return null;
}

function swapBytes(b: Buffer): Buffer {
  const out = Buffer.from(b);
  return out.swap16();
}

export interface NumberedLine {
  /** 1-based, in the newer text. */
  line: number;
  text: string;
}

export function splitLines(text: string): string[] {
  return text.split(/\r\n|\n|\r/);
}

/**
 * The lines of `after` beyond as many as `before` has of each: what the change adds, line by
 * line from the two whole texts (a diff's own `+`/`-` lines can be forged by the text itself).
 */
export function addedLines(before: string, after: string): NumberedLine[] {
  const left = new Map<string, number>();
  for (const l of splitLines(before)) left.set(l, (left.get(l) ?? 0) + 1);
  const out: NumberedLine[] = [];
  splitLines(after).forEach((text, i) => {
    const n = left.get(text) ?? 0;
    if (n > 0) left.set(text, n - 1);
    else out.push({ line: i + 1, text });
  });
  return out;
}

/** The lines of `before` that `after` no longer has (as many of each as went). */
export function removedLines(before: string, after: string): NumberedLine[] {
  return addedLines(after, before);
}
