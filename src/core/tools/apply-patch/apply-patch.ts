import path from 'node:path';
import type { WorkspaceFiles } from '../../ports.ts';
import { locate } from './locate.ts';
import { parsePatch, PatchSyntaxError, type Chunk, type PatchOp } from './parse-patch.ts';

export interface AppliedChange {
  path: string;
  kind: 'add' | 'update' | 'delete' | 'move';
  movePath?: string;
  diff: string;
}

/** `refused`: a path the harness never writes (outside the checkout, `.git`, protected, a link or special file). */
export type ApplyResult =
  | { ok: true; changes: AppliedChange[] }
  | { ok: false; error: string; refused?: boolean; declined?: boolean };

/**
 * Applies a whole patch or nothing: every hunk of every file is located and every path checked
 * before the first write.
 */
export async function applyPatch(
  input: string,
  files: WorkspaceFiles,
  protectedPaths: string[],
  /** Asked with the whole change before anything is written; false writes nothing. */
  approve?: (changes: AppliedChange[]) => Promise<boolean>,
): Promise<ApplyResult> {
  let ops: PatchOp[];
  try {
    ops = parsePatch(input);
  } catch (error) {
    if (error instanceof PatchSyntaxError) return { ok: false, error: error.message };
    throw error;
  }
  const next = new Map<string, string | null>();
  const current = async (p: string) => (next.has(p) ? next.get(p)! : files.read(p));
  const changes: AppliedChange[] = [];
  for (const op of ops) {
    for (const p of [op.path, ...(op.kind === 'update' && op.moveTo ? [op.moveTo] : [])]) {
      const refusal = await checkPath(p, files, protectedPaths);
      if (refusal) return { ok: false, error: refusal, refused: true };
    }
    const before = await current(op.path);
    if (op.kind === 'add') {
      if (before !== null)
        return { ok: false, error: `${op.path} already exists; use "*** Update File:" to change it` };
      next.set(op.path, op.lines.join('\n') + '\n');
      changes.push({ path: op.path, kind: 'add', diff: op.lines.map((l) => `+${l}`).join('\n') });
      continue;
    }
    if (before === null) return { ok: false, error: `${op.path} does not exist` };
    if (op.kind === 'delete') {
      next.set(op.path, null);
      changes.push({ path: op.path, kind: 'delete', diff: '' });
      continue;
    }
    const applied = applyChunks(op.path, before, op.chunks);
    if ('error' in applied) return { ok: false, error: applied.error };
    const updated = applied.text;
    const diff = applied.hunks.join('\n');
    if (op.moveTo && op.moveTo !== op.path) {
      if ((await current(op.moveTo)) !== null)
        return { ok: false, error: `cannot move ${op.path} to ${op.moveTo}: it exists` };
      next.set(op.path, null);
      next.set(op.moveTo, updated);
      changes.push({ path: op.path, kind: 'move', movePath: op.moveTo, diff });
    } else {
      next.set(op.path, updated);
      changes.push({ path: op.path, kind: 'update', diff });
    }
  }
  if (approve && !(await approve(changes)))
    return { ok: false, error: 'the user declined this change', declined: true };
  for (const [p, text] of next) {
    if (text === null) await files.remove(p);
    else await files.write(p, text);
  }
  return { ok: true, changes };
}

/** The new text, and each chunk as a unified-diff hunk with its real line numbers (what clients draw). */
function applyChunks(
  file: string,
  text: string,
  chunks: Chunk[],
): { text: string; hunks: string[] } | { error: string } {
  const endsWithNewline = text.endsWith('\n');
  const lines = (endsWithNewline ? text.slice(0, -1) : text).split('\n');
  let cursor = 0;
  const edits: Array<{ at: number; remove: number; insert: string[] }> = [];
  const hunks: string[] = [];
  let shift = 0;
  for (const [n, chunk] of chunks.entries()) {
    const anchored = chunk.anchor !== undefined || n > 0;
    if (chunk.anchor) {
      const a = locate(lines, [chunk.anchor], cursor, false);
      if (!a.ok && a.reason === 'missing')
        return { error: `${file}: hunk ${n + 1}: the line "@@ ${chunk.anchor}" was not found` };
      if (a.ok) cursor = a.index + 1;
    }
    const found = locate(lines, chunk.oldLines, cursor, chunk.atEnd, anchored);
    if (!found.ok) {
      const context = chunk.oldLines.join('\n');
      if (found.reason === 'ambiguous') {
        return {
          error: `${file}: hunk ${n + 1}: this context matches more than one place; add more context lines or an @@ anchor:\n${context}`,
        };
      }
      const near = found.nearest ? `\nThe closest text is at line ${found.nearest.line}:\n${found.nearest.text}` : '';
      return { error: `${file}: hunk ${n + 1}: this context was not found:\n${context}${near}` };
    }
    edits.push({
      at: found.index,
      remove: chunk.oldLines.length,
      insert: replacement(chunk, lines.slice(found.index)),
    });
    hunks.push(hunkText(chunk, lines.slice(found.index), found.index, shift));
    shift += edits.at(-1)!.insert.length - chunk.oldLines.length;
    cursor = found.index + chunk.oldLines.length;
  }
  for (const e of edits.reverse()) lines.splice(e.at, e.remove, ...e.insert);
  const out = lines.join('\n');
  return { text: endsWithNewline || out.length > 0 ? `${out}\n` : out, hunks };
}

function hunkText(chunk: Chunk, from: string[], at: number, shift: number): string {
  const body: string[] = [];
  let o = 0;
  let n = 0;
  for (const mark of chunk.marks) {
    if (mark === ' ') {
      body.push(` ${from[o] ?? chunk.newLines[n]}`);
      o++;
      n++;
    } else if (mark === '-') body.push(`-${from[o++]}`);
    else body.push(`+${chunk.newLines[n++]}`);
  }
  const oldCount = chunk.oldLines.length;
  const newCount = chunk.newLines.length;
  const oldStart = oldCount ? at + 1 : at;
  const newStart = newCount ? at + shift + 1 : at + shift;
  return [
    `@@ -${oldStart},${oldCount} +${newStart},${newCount} @@${chunk.anchor ? ` ${chunk.anchor}` : ''}`,
    ...body,
  ].join('\n');
}

/** The chunk's new lines, with context lines taken from the file as it is. */
function replacement(chunk: Chunk, from: string[]): string[] {
  const out: string[] = [];
  let o = 0;
  let n = 0;
  for (const mark of chunk.marks) {
    if (mark === ' ') {
      out.push(from[o] ?? chunk.newLines[n]!);
      o++;
      n++;
    } else if (mark === '-') o++;
    else out.push(chunk.newLines[n++]!);
  }
  return out;
}

async function checkPath(p: string, files: WorkspaceFiles, protectedPaths: string[]): Promise<string | undefined> {
  if (!p || path.isAbsolute(p)) return `${p || '(empty path)'}: paths must be relative to the repository root`;
  const norm = path.posix.normalize(p);
  if (norm.startsWith('../') || norm === '..') return `${p}: outside the repository`;
  if (norm.split('/').includes('.git')) return `${p}: .git cannot be changed`;
  const glob = protectedPaths.find((g) => path.matchesGlob(norm, g));
  if (glob) return `${p}: protected by the repository's config (${glob})`;
  const why = await files.refusal(norm);
  if (why) return `${p}: ${why}`;
  return undefined;
}
