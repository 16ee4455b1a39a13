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
 * `intervalMs`, and only when the text changed. A heartbeat every `heartbeatMs` refreshes the
 * elapsed time while nothing else happens (a long test run). `flush` stops both and waits for
 * writes in flight; the caller then writes the final state.
 */
export function progressReporter<T extends { text: string }>(
  write: (text: T) => Promise<void>,
  render: (s: ProgressState) => T,
  intervalMs = 3000,
  now = Date.now,
  heartbeatMs = 30_000,
) {
  const state: ProgressState = { phase: 'preparing', plan: [], command: null, tests: null, startedAt: now() };
  let lastText = '';
  let lastFingerprint = '';
  let dirty = false;
  let lastWrite = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let chain = Promise.resolve();
  const push = () => {
    if (!dirty) return;
    dirty = false;
    const text = render(state);
    if (text.text === lastText) return;
    lastText = text.text;
    lastWrite = now();
    chain = chain.then(() => write(text)).catch(() => {});
  };
  const schedule = () => {
    dirty = true;
    if (timer) return;
    const wait = Math.max(0, lastWrite + intervalMs - now());
    timer = setTimeout(() => {
      timer = undefined;
      push();
    }, wait);
  };
  const heartbeat = setInterval(schedule, heartbeatMs);
  heartbeat.unref();
  return {
    event(e: RunEvent): void {
      if (e.type === 'run.phase') state.phase = e.phase;
      else if (e.type === 'item.started' && e.item.kind === 'command_execution') state.command = e.item.command;
      else if (e.type === 'item.completed' && e.item.kind === 'command_execution') state.command = null;
      else if (e.type === 'item.completed' && e.item.kind === 'plan') state.plan = e.item.steps;
      else if (e.type === 'item.completed' && e.item.kind === 'test_run') {
        state.tests = `${e.item.command}: exit ${e.item.exitCode ?? 'timeout'}, passed ${e.item.passed ?? '?'}, failed ${e.item.failed ?? '?'}`;
      } else return;
      // Only a change in what is shown earns a write; the clock alone waits for the heartbeat.
      const fingerprint = JSON.stringify([state.phase, state.plan, state.command, state.tests]);
      if (fingerprint === lastFingerprint) return;
      lastFingerprint = fingerprint;
      schedule();
    },
    async flush(): Promise<void> {
      clearInterval(heartbeat);
      if (timer) clearTimeout(timer);
      timer = undefined;
      await chain;
    },
    state,
  };
}
