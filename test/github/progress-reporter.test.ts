import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { progressReporter } from '../../src/github/report/progress-reporter.ts';
import { renderProgress } from '../../src/github/report/render-progress.ts';

beforeEach(() => vi.useFakeTimers({ now: 0 }));
afterEach(() => vi.useRealTimers());

const command = (id: string, cmd: string, done = false) =>
  ({
    type: done ? 'item.completed' : 'item.started',
    item: {
      id,
      kind: 'command_execution',
      command: cmd,
      cwd: '/w',
      exitCode: done ? 0 : null,
      durationMs: 0,
      output: '',
    },
  }) as const;

it('writes at most once per 3 s, only on change, with the plan, the command, the tests and the time', async () => {
  const writes: Array<{ at: number; text: string }> = [];
  const r = progressReporter(
    async (text) => void writes.push({ at: Date.now(), text: text.text }),
    (s) => renderProgress(7, s),
    3000,
    Date.now,
  );
  r.event({ type: 'run.phase', phase: 'working' });
  r.event({
    type: 'item.completed',
    item: {
      id: 'p',
      kind: 'plan',
      steps: [
        { text: 'Find the bug', status: 'completed' },
        { text: 'Fix add', status: 'in_progress' },
      ],
    },
  });
  r.event(command('c1', 'npm test'));
  await vi.advanceTimersByTimeAsync(10);
  expect(writes).toHaveLength(1);
  expect(writes[0]!.text).toBe(
    '**Patchwright** · 🛠️ working (job 7, 0m 0s)\n\n- [x] Find the bug\n- [ ] Fix add ⏳\n\nRunning: `npm test`',
  );
  // A burst of events inside the window: one more write, three seconds after the first.
  for (let i = 0; i < 20; i++) r.event(command(`c${i}`, `echo ${i}`));
  r.event({
    type: 'item.completed',
    item: {
      id: 't',
      kind: 'test_run',
      command: 'npm test',
      exitCode: 1,
      passed: 3,
      failed: 1,
      skipped: 0,
      failures: ['adds'],
      durationMs: 5,
    },
  });
  await vi.advanceTimersByTimeAsync(3000);
  expect(writes.map((w) => w.at)).toEqual([0, 3000]);
  expect(writes[1]!.text).toMatch(/Running: `echo 19`\n\nTests: npm test: exit 1, passed 3, failed 1$/);
  // The same state again: nothing to write.
  r.event(command('c19', 'echo 19'));
  await vi.advanceTimersByTimeAsync(3000);
  expect(writes).toHaveLength(2);
  // A long quiet command: the heartbeat refreshes the elapsed time.
  await vi.advanceTimersByTimeAsync(30_000);
  expect(writes.at(-1)!.text).toMatch(/working \(job 7, 0m 3\ds\)/);
  await r.flush();
  const count = writes.length;
  await vi.advanceTimersByTimeAsync(120_000);
  expect(writes).toHaveLength(count);
});
