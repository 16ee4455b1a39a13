/** The reason a run's signal carries when its time budget ran out (not a user's cancel). */
export class TimeBudgetReached extends Error {
  readonly code = 'time_budget';
}

/**
 * A signal that fires when the caller's does, or when the run's time budget is spent: the
 * budget holds during a command or a model request too, not only between turns.
 */
export function withDeadline(
  outer: AbortSignal,
  ms: number,
  label: string,
): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onOuter = () => controller.abort(outer.reason);
  if (outer.aborted) onOuter();
  outer.addEventListener('abort', onOuter, { once: true });
  const timer = setTimeout(
    () => controller.abort(new TimeBudgetReached(`the time budget ran out (${label})`)),
    Math.max(0, ms),
  );
  timer.unref?.();
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      outer.removeEventListener('abort', onOuter);
    },
  };
}

/**
 * Waits for `work`, but no longer than `signal` allows: a tool stuck in something it cannot
 * cancel (a read that blocks) must not keep the run, or Ctrl-C, waiting.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}
