/**
 * Which lines of a pull request's diff a review comment may sit on. GitHub places a comment by
 * `path`, `line` and `side`: RIGHT is a line of the new file (added or unchanged context), LEFT a
 * line of the old one (deleted or context), and only lines inside the diff's hunks qualify.
 * A multi-line comment (`start_line` .. `line`) must stay inside one hunk, on one side.
 */
export type Side = 'LEFT' | 'RIGHT';

export interface DiffLine {
  side: Side;
  line: number;
  kind: 'added' | 'deleted' | 'context';
  /** Which hunk of the file it is in (ranges may not cross hunks). */
  hunk: number;
  text: string;
}

export interface FileLines {
  path: string;
  /** Keyed by `${side}:${line}`. */
  lines: Map<string, DiffLine>;
}

const key = (side: Side, line: number) => `${side}:${line}`;

/** Reads a unified diff (`git diff` or the `patch` of GitHub's PR files, with or without `diff --git` headers). */
export function commentableLines(diff: string, pathOfPatch?: string): Map<string, FileLines> {
  const files = new Map<string, FileLines>();
  let file: FileLines | null = pathOfPatch ? { path: pathOfPatch, lines: new Map() } : null;
  if (file) files.set(file.path, file);
  let oldLine = 0;
  let newLine = 0;
  let hunk = -1;
  let inHunk = false;
  for (const raw of diff.split('\n')) {
    const header = /^diff --git a\/(.+?) b\/(.+)$/.exec(raw);
    if (header) {
      file = { path: header[2]!, lines: new Map() };
      files.set(file.path, file);
      inHunk = false;
      continue;
    }
    const to = /^\+\+\+ (?:b\/(.+)|\/dev\/null)$/.exec(raw);
    if (to && !inHunk) {
      if (to[1] && file && file.path !== to[1]) {
        files.delete(file.path);
        file = { path: to[1], lines: new Map() };
        files.set(file.path, file);
      }
      continue;
    }
    if (/^--- /.test(raw) && !inHunk) continue;
    const h = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(raw);
    if (h) {
      oldLine = Number(h[1]);
      newLine = Number(h[2]);
      hunk++;
      inHunk = true;
      continue;
    }
    if (!inHunk || !file) continue;
    const mark = raw[0];
    const text = raw.slice(1);
    if (mark === '+') {
      file.lines.set(key('RIGHT', newLine), { side: 'RIGHT', line: newLine, kind: 'added', hunk, text });
      newLine++;
    } else if (mark === '-') {
      file.lines.set(key('LEFT', oldLine), { side: 'LEFT', line: oldLine, kind: 'deleted', hunk, text });
      oldLine++;
    } else if (mark === ' ') {
      file.lines.set(key('RIGHT', newLine), { side: 'RIGHT', line: newLine, kind: 'context', hunk, text });
      file.lines.set(key('LEFT', oldLine), { side: 'LEFT', line: oldLine, kind: 'context', hunk, text });
      oldLine++;
      newLine++;
    } else if (mark !== '\\' && raw !== '') {
      // Not a hunk line ("\ No newline at end of file" is one, and the diff's last newline ends it).
      inHunk = false;
    }
  }
  return files;
}

/** The diff line at a place, or undefined when a comment cannot sit there. */
export function lineAt(files: Map<string, FileLines>, path: string, side: Side, line: number): DiffLine | undefined {
  return files.get(path)?.lines.get(key(side, line));
}

/** Whether `start`..`end` on one side are all commentable and in one hunk. */
export function rangeFits(
  files: Map<string, FileLines>,
  path: string,
  side: Side,
  start: number,
  end: number,
): boolean {
  if (start > end) return false;
  const first = lineAt(files, path, side, start);
  if (!first) return false;
  for (let n = start; n <= end; n++) {
    const l = lineAt(files, path, side, n);
    if (!l || l.hunk !== first.hunk) return false;
  }
  return true;
}
