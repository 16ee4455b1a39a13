import { esc, html, Html } from './html.ts';

const KEYWORDS = new Set(
  'function const let var return if else for while do switch case break continue new class extends import from export default async await try catch finally throw typeof instanceof in of def elif lambda pass raise with as yield None True False nil fn pub impl struct enum mut use mod match func package go defer type interface public private protected static void int bool string true false null undefined this self end module require begin rescue'.split(
    ' ',
  ),
);

/** Light syntax colouring that works for most languages: comments, strings, numbers, keywords. */
export function highlight(line: string): string {
  const out: string[] = [];
  const re =
    /(\/\/.*$|#.*$|\/\*.*?\*\/)|("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`(?:\\.|[^`\\])*`)|\b(\d+(?:\.\d+)?)\b|\b([A-Za-z_]\w*)\b/g;
  let last = 0;
  for (const m of line.matchAll(re)) {
    out.push(esc(line.slice(last, m.index)));
    const [text, comment, str, num, word] = m;
    if (comment) out.push(`<span class="tok-c">${esc(comment)}</span>`);
    else if (str) out.push(`<span class="tok-s">${esc(str)}</span>`);
    else if (num) out.push(`<span class="tok-n">${esc(num)}</span>`);
    else if (word && KEYWORDS.has(word)) out.push(`<span class="tok-k">${esc(word)}</span>`);
    else out.push(esc(text));
    last = (m.index ?? 0) + text.length;
  }
  out.push(esc(line.slice(last)));
  return out.join('');
}

interface FileDiff {
  path: string;
  hunks: Array<{
    header: string;
    lines: Array<{ kind: ' ' | '+' | '-'; text: string; old: number | null; new: number | null }>;
  }>;
}

export function parseUnifiedDiff(diff: string): FileDiff[] {
  const files: FileDiff[] = [];
  let file: FileDiff | null = null;
  let oldNo = 0;
  let newNo = 0;
  for (const line of diff.split('\n')) {
    const start = /^diff --git a\/(.+?) b\/(.+)$/.exec(line);
    if (start) {
      file = { path: start[2]!, hunks: [] };
      files.push(file);
      continue;
    }
    if (!file) continue;
    const h = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@(.*)$/.exec(line);
    if (h) {
      oldNo = Number(h[1]);
      newNo = Number(h[2]);
      file.hunks.push({ header: line, lines: [] });
      continue;
    }
    const hunk = file.hunks.at(-1);
    if (!hunk || /^(\+\+\+|---) /.test(line) || line.startsWith('\\')) continue;
    const kind = line[0];
    if (kind === '+') hunk.lines.push({ kind: '+', text: line.slice(1), old: null, new: newNo++ });
    else if (kind === '-') hunk.lines.push({ kind: '-', text: line.slice(1), old: oldNo++, new: null });
    else if (kind === ' ') hunk.lines.push({ kind: ' ', text: line.slice(1), old: oldNo++, new: newNo++ });
  }
  return files;
}

const cls = { '+': 'add', '-': 'del', ' ': 'ctx' } as const;

function unified(f: FileDiff): Html {
  const rows = f.hunks.flatMap((h) => [
    `<tr class="hunk"><td colspan="3">${esc(h.header)}</td></tr>`,
    ...h.lines.map(
      (l) =>
        `<tr class="${cls[l.kind]}"><td class="ln">${l.old ?? ''}</td><td class="ln">${l.new ?? ''}</td><td class="code"><span class="mark" aria-hidden="true">${l.kind === ' ' ? ' ' : l.kind}</span>${highlight(l.text)}</td></tr>`,
    ),
  ]);
  return new Html(
    `<table class="diff unified"><caption class="sr-only">Changes to ${esc(f.path)}, unified</caption><tbody>${rows.join('')}</tbody></table>`,
  );
}

/** Side by side: removed lines on the left, added on the right, paired in order within a change. */
function split(f: FileDiff): Html {
  const rows: string[] = [];
  for (const h of f.hunks) {
    rows.push(`<tr class="hunk"><td colspan="4">${esc(h.header)}</td></tr>`);
    let i = 0;
    while (i < h.lines.length) {
      const l = h.lines[i]!;
      if (l.kind === ' ') {
        rows.push(
          `<tr class="ctx"><td class="ln">${l.old}</td><td class="code">${highlight(l.text)}</td><td class="ln">${l.new}</td><td class="code">${highlight(l.text)}</td></tr>`,
        );
        i++;
        continue;
      }
      const dels: typeof h.lines = [];
      const adds: typeof h.lines = [];
      while (i < h.lines.length && h.lines[i]!.kind === '-') dels.push(h.lines[i++]!);
      while (i < h.lines.length && h.lines[i]!.kind === '+') adds.push(h.lines[i++]!);
      for (let k = 0; k < Math.max(dels.length, adds.length); k++) {
        const d = dels[k];
        const a = adds[k];
        rows.push(
          `<tr><td class="ln">${d?.old ?? ''}</td><td class="code ${d ? 'del' : 'empty'}">${d ? `<span class="sr-only">removed: </span>${highlight(d.text)}` : ''}</td><td class="ln">${a?.new ?? ''}</td><td class="code ${a ? 'add' : 'empty'}">${a ? `<span class="sr-only">added: </span>${highlight(a.text)}` : ''}</td></tr>`,
        );
      }
    }
  }
  return new Html(
    `<table class="diff split"><caption class="sr-only">Changes to ${esc(f.path)}, side by side</caption><tbody>${rows.join('')}</tbody></table>`,
  );
}

export function diffView(diff: string, mode: 'unified' | 'split', selfUrl: string): Html {
  const files = parseUnifiedDiff(diff);
  if (!files.length) return html`<p>No change to the code.</p>`;
  const other = mode === 'split' ? 'unified' : 'split';
  return html`<p><a href="${selfUrl}?diff=${other}#diff">Show ${other === 'split' ? 'side by side' : 'unified'}</a></p>
    ${files.map((f) => html`<section class="file"><h3>${f.path}</h3><div class="table-wrap">${mode === 'split' ? split(f) : unified(f)}</div></section>`)}`;
}
