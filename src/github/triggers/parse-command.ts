export type CommandVerb = 'retry' | 'stop' | 'approve' | 'doctor' | 'instructions';

export interface Command {
  verb: CommandVerb;
  /** Text after the verb (for `instructions`, everything after the command word). */
  text: string;
}

const FENCE = /^\s{0,3}(```|~~~)/;
const QUOTE = /^\s{0,3}>/;
const INDENTED_CODE = /^( {4}|\t)/;

/**
 * Finds the first `/word ...` command line in a comment body: at the start of a line, not in a
 * fenced or indented code block, not in a quote. Lines after it (outside code and quotes) join
 * the instructions. Returns undefined when there is none.
 */
export function parseCommand(body: string | null | undefined, word: string): Command | undefined {
  if (!body) return undefined;
  const head = new RegExp(`^\\s{0,3}/${escapeRegExp(word)}(?=\\s|$)(.*)$`, 'i');
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  let fence: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const fenceMatch = FENCE.exec(line);
    if (fenceMatch) {
      const marker = fenceMatch[1];
      fence = fence === undefined ? marker : fence === marker ? undefined : fence;
      continue;
    }
    if (fence !== undefined || QUOTE.test(line) || INDENTED_CODE.test(line)) continue;
    const m = head.exec(line);
    if (!m) continue;
    const rest = [(m[1] ?? '').trim(), ...plainLines(lines.slice(i + 1))].filter(Boolean).join('\n').trim();
    return toCommand(rest);
  }
  return undefined;
}

/** True when the body has any `/something` line that could be a command (cheap pre-filter). */
export function mayHaveCommand(body: string | null | undefined): boolean {
  return !!body && /^\s{0,3}\/[a-z]/im.test(body);
}

function toCommand(rest: string): Command {
  const m = /^(retry|stop|approve|doctor)\b[ \t]*([\s\S]*)$/i.exec(rest);
  if (!m) return { verb: 'instructions', text: rest };
  return { verb: (m[1] ?? '').toLowerCase() as CommandVerb, text: (m[2] ?? '').trim() };
}

function plainLines(lines: string[]): string[] {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of lines) {
    const f = FENCE.exec(line);
    if (f) {
      fence = fence === undefined ? f[1] : fence === f[1] ? undefined : fence;
      out.push(line);
      continue;
    }
    if (fence === undefined && QUOTE.test(line)) continue;
    out.push(line);
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
