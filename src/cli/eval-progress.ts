import type { EvalProgress } from '../eval/eval-engine.ts';
import { duration } from '../eval/report-table.ts';

interface Out {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * How far an eval has got: on a terminal one bar, redrawn in place, with the step under way;
 * elsewhere (CI logs, pipes) one plain line per finished step, so logs stay readable.
 */
export function evalProgress(out: Out): { update(p: EvalProgress): void; done(): void } {
  const started = Date.now();
  let drawn = false;
  // The bar's time moves on while a run works: redrawn each second (never holding the process open).
  let last: [string, number, number, string] | null = null;
  const tick = out.isTTY ? setInterval(() => drawn && last && bar(...last), 1000) : null;
  tick?.unref();
  const clear = () => {
    if (drawn) out.write('\r\x1b[2K');
    drawn = false;
  };
  const bar = (phase: string, done: number, total: number, what: string) => {
    last = [phase, done, total, what];
    const width = 20;
    const filled = total ? Math.round((width * Math.min(done, total)) / total) : 0;
    const line = `${phase} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${duration(Date.now() - started)}  ${what}`;
    clear();
    // A terminal that does not say its width (0, as under `script`) gets 100 columns.
    out.write(line.slice(0, (out.columns && out.columns > 20 ? out.columns : 100) - 1));
    drawn = true;
  };
  const line = (text: string) => {
    clear();
    out.write(`${text}\n`);
  };
  return {
    update(p) {
      const short = (sha: string, s: string) => `${sha.slice(0, 10)} ${s.length > 60 ? `${s.slice(0, 59)}…` : s}`;
      if (p.type === 'validating') {
        if (out.isTTY) bar('finding tasks', p.found, p.wanted, `validating ${short(p.sha, p.subject)}`);
        return;
      }
      if (p.type === 'validated') {
        const text = `${p.valid ? 'task' : 'set aside'} ${short(p.sha, p.subject)}${p.reason ? `: ${p.reason.replace(/\s+/g, ' ').slice(0, 160)}` : ''}${p.reused ? ' (stored)' : ''}`;
        if (out.isTTY && p.reused) return bar('finding tasks', p.found, p.wanted, text);
        return line(text);
      }
      if (p.type === 'running') {
        if (out.isTTY) bar('running', p.done, p.total, `${p.model} #${p.attempt} on ${short(p.sha, p.subject)}`);
        else line(`run ${p.done + 1}/${p.total}: ${p.model} #${p.attempt} on ${short(p.sha, p.subject)}`);
        return;
      }
      const r = p.run;
      const text = `${r.verdict.resolved ? 'resolved' : 'unresolved'} ${short(r.task, p.subject)} by ${r.model} #${r.attempt}: ${r.outcome}, ${r.turns} turn(s), ${duration(r.wallMs)}${p.reused ? ' (stored)' : ''}`;
      if (out.isTTY && p.reused) return bar('running', p.done, p.total, text);
      line(text);
      if (out.isTTY && p.done < p.total) bar('running', p.done, p.total, '');
    },
    done: () => {
      if (tick) clearInterval(tick);
      clear();
    },
  };
}
