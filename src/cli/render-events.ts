import type { RunEvent } from '../protocol/run-event.ts';
import { outcomeWords } from '../protocol/outcome.ts';

export interface Renderer {
  event(e: RunEvent): void;
  close(): void;
}

export function jsonlRenderer(out: NodeJS.WritableStream = process.stdout): Renderer {
  return { event: (e) => out.write(`${JSON.stringify(e)}\n`), close: () => {} };
}

/**
 * Text from the model, a command or a repository, made inert for a terminal: escape sequences
 * (colours, cursor moves, OSC 52 clipboard writes, title changes) and other control characters
 * become visible `\x..` instead of acting.
 */
export function inert(s: string): string {
  return s.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** The terminal view: phases, the plan, each command with exit code and time, a spinner while the model thinks. */
export function humanRenderer(out: NodeJS.WriteStream = process.stdout): Renderer {
  const tty = out.isTTY === true;
  let spinner: NodeJS.Timeout | undefined;
  let frame = 0;
  const stopSpin = () => {
    if (spinner) clearInterval(spinner);
    spinner = undefined;
    if (tty) out.write('\r\x1b[K');
  };
  const line = (s: string) => {
    stopSpin();
    out.write(`${inert(s)}\n`);
  };
  return {
    event(e) {
      switch (e.type) {
        case 'run.started':
          return line(`▶ ${e.task} (${e.repo})`);
        case 'run.phase':
          return line(`· ${e.phase}`);
        case 'turn.started':
          if (tty) spinner = setInterval(() => out.write(`\r${FRAMES[frame++ % FRAMES.length]} thinking…`), 100);
          return;
        case 'item.completed': {
          const i = e.item;
          if (i.kind === 'command_execution')
            return line(`  $ ${i.command}  → exit ${i.exitCode ?? '?'} in ${(i.durationMs / 1000).toFixed(1)}s`);
          if (i.kind === 'plan')
            return line(
              i.steps
                .map((s) => `  [${s.status === 'completed' ? 'x' : s.status === 'in_progress' ? '~' : ' '}] ${s.text}`)
                .join('\n'),
            );
          if (i.kind === 'file_change')
            return line(
              i.changes.map((c) => `  ✎ ${c.kind} ${c.path}${c.movePath ? ` → ${c.movePath}` : ''}`).join('\n'),
            );
          if (i.kind === 'test_run')
            return line(
              `  ✓ tests: ${i.command} → exit ${i.exitCode ?? 'timeout'} (passed ${i.passed ?? '?'}, failed ${i.failed ?? '?'}, skipped ${i.skipped ?? '?'})`,
            );
          if (i.kind === 'agent_message') return line(`  ${i.text.split('\n').join('\n  ')}`);
          if (i.kind === 'error') return line(`  ! ${i.message}`);
          return;
        }
        case 'turn.completed':
          return stopSpin();
        case 'run.completed': {
          const ev = e.evidence;
          const t = (s: typeof ev.baseline) =>
            s
              ? `passed ${s.passed ?? '?'}, failed ${s.failed ?? '?'}, skipped ${s.skipped ?? '?'} (exit ${s.exitCode ?? 'timeout'})`
              : 'not run';
          return line(
            [
              '',
              `Outcome: ${e.outcome} — ${outcomeWords[e.outcome]}`,
              e.question ? `Question: ${e.question}` : '',
              `Summary: ${e.summary}`,
              e.title
                ? `Commit subject: ${e.title.text}${e.title.source === 'repaired' ? ' (the model’s did not fit the repo’s style; repaired)' : ''}`
                : '',
              ...(ev.final?.failureLocations?.slice(0, 10).map((f) => `Failing: ${f.name} at ${f.path}:${f.line}`) ??
                []),
              `Tests before: ${t(ev.baseline)}`,
              `Tests after:  ${t(ev.final)}`,
              `Files changed: ${ev.filesChanged.join(', ') || 'none'}`,
              `Tokens: ${ev.usage.inputTokens} in (${ev.usage.cachedInputTokens} cached), ${ev.usage.outputTokens} out · cost ${ev.usage.costUsd === null ? 'unknown (no price for this model)' : `$${ev.usage.costUsd.toFixed(4)}`} · ${(ev.durationMs / 1000).toFixed(1)}s`,
            ]
              .filter(Boolean)
              .join('\n'),
          );
        }
        default:
          return;
      }
    },
    close: stopSpin,
  };
}
