import type { RunEvent } from '../../protocol/run-event.ts';

export interface ProgressState {
  phase: string;
  plan: Array<{ text: string; status: string }>;
  command: string | null;
  tests: string | null;
  startedAt: number;
}

/**
 * Folds the event stream into what the tracking comment shows, and writes it at most once per
 * `intervalMs`, and only when the text changed. `flush` writes the last state at once.
 */
export function progressReporter(write: (text: string) => Promise<void>, render: (s: ProgressState) => string, intervalMs = 3000, now = Date.now) {
  const state: ProgressState = { phase: 'preparing', plan: [], command: null, tests: null, startedAt: now() };
  let lastText = '';
  let lastWrite = 0;
  let timer: NodeJS.Timeout | undefined;
  let chain = Promise.resolve();
  const push = () => {
    const text = render(state);
    if (text === lastText) return;
    lastText = text;
    lastWrite = now();
    chain = chain.then(() => write(text)).catch(() => {});
  };
  const schedule = () => {
    if (timer) return;
    const wait = Math.max(0, lastWrite + intervalMs - now());
    timer = setTimeout(() => {
      timer = undefined;
      push();
    }, wait);
  };
  return {
    event(e: RunEvent): void {
      if (e.type === 'run.phase') state.phase = e.phase;
      else if (e.type === 'item.started' && e.item.kind === 'command_execution') state.command = e.item.command;
      else if (e.type === 'item.completed' && e.item.kind === 'command_execution') state.command = null;
      else if (e.type === 'item.completed' && e.item.kind === 'plan') state.plan = e.item.steps;
      else if (e.type === 'item.completed' && e.item.kind === 'test_run') {
        state.tests = `${e.item.command}: exit ${e.item.exitCode ?? 'timeout'}, passed ${e.item.passed ?? '?'}, failed ${e.item.failed ?? '?'}`;
      } else return;
      schedule();
    },
    async flush(): Promise<void> {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await chain;
    },
    state,
  };
}
