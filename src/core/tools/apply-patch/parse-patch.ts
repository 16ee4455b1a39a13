export type PatchOp =
  | { kind: 'add'; path: string; lines: string[] }
  | { kind: 'delete'; path: string }
  | { kind: 'update'; path: string; moveTo?: string; chunks: Chunk[] };

export interface Chunk {
  /** Text after `@@`, used to find the region (a function or class line). */
  anchor?: string;
  oldLines: string[];
  newLines: string[];
  /** The chunk in order, so context lines can keep the file's own text (its whitespace). */
  marks: Array<' ' | '-' | '+'>;
  /** `*** End of File`: the chunk must match at the end of the file. */
  atEnd: boolean;
}

export class PatchSyntaxError extends Error {
  readonly code = 'patch_syntax';
}

/** Parses Codex's `*** Begin Patch` format (no line numbers; context lines locate each change). */
export function parsePatch(input: string): PatchOp[] {
  const lines = input.replace(/\r\n/g, '\n').trim().split('\n');
  if (lines[0]?.trim() !== '*** Begin Patch') throw new PatchSyntaxError('the patch must start with "*** Begin Patch"');
  if (lines.at(-1)?.trim() !== '*** End Patch') throw new PatchSyntaxError('the patch must end with "*** End Patch"');
  const ops: PatchOp[] = [];
  let i = 1;
  while (i < lines.length - 1) {
    const line = lines[i]!;
    const header = /^\*\*\* (Add|Delete|Update) File: (.+)$/.exec(line);
    if (!header)
      throw new PatchSyntaxError(
        `line ${i + 1}: expected "*** Add File:", "*** Update File:" or "*** Delete File:", got ${JSON.stringify(line)}`,
      );
    const [, verb, path] = header as unknown as [string, string, string];
    i++;
    if (verb === 'Delete') {
      ops.push({ kind: 'delete', path: path.trim() });
      continue;
    }
    if (verb === 'Add') {
      const added: string[] = [];
      while (i < lines.length - 1 && !lines[i]!.startsWith('*** ')) {
        const l = lines[i]!;
        if (!l.startsWith('+'))
          throw new PatchSyntaxError(`line ${i + 1}: every line of an added file starts with "+"`);
        added.push(l.slice(1));
        i++;
      }
      ops.push({ kind: 'add', path: path.trim(), lines: added });
      continue;
    }
    let moveTo: string | undefined;
    const move = /^\*\*\* Move to: (.+)$/.exec(lines[i] ?? '');
    if (move) {
      moveTo = move[1]!.trim();
      i++;
    }
    const chunks: Chunk[] = [];
    let current: Chunk | undefined;
    while (i < lines.length - 1 && !/^\*\*\* (Add|Delete|Update) File: /.test(lines[i]!)) {
      const l = lines[i]!;
      if (l.startsWith('@@')) {
        current = {
          oldLines: [],
          newLines: [],
          marks: [],
          atEnd: false,
          ...(l.slice(2).trim() ? { anchor: l.slice(2).trim() } : {}),
        };
        chunks.push(current);
      } else if (l === '*** End of File') {
        if (current) current.atEnd = true;
      } else {
        if (!current) {
          current = { oldLines: [], newLines: [], marks: [], atEnd: false };
          chunks.push(current);
        }
        const mark = l[0] ?? ' ';
        const text = l.slice(1);
        if (mark === ' ' || l === '') {
          current.oldLines.push(text);
          current.newLines.push(text);
          current.marks.push(' ');
        } else if (mark === '-') {
          current.oldLines.push(text);
          current.marks.push('-');
        } else if (mark === '+') {
          current.newLines.push(text);
          current.marks.push('+');
        } else
          throw new PatchSyntaxError(
            `line ${i + 1}: a change line starts with " ", "-" or "+", got ${JSON.stringify(l)}`,
          );
      }
      i++;
    }
    if (chunks.length === 0 && !moveTo) throw new PatchSyntaxError(`"*** Update File: ${path.trim()}" has no changes`);
    ops.push({ kind: 'update', path: path.trim(), ...(moveTo ? { moveTo } : {}), chunks });
  }
  return ops;
}
