import { expect, it } from 'vitest';
import type { Job } from '../../src/adapters/store/job-store.ts';
import type { EventsPort, JobsPort } from '../../src/adapters/store/ports.ts';
import { GithubWatch, jobThreadId } from '../../src/app-server/github-watch.ts';
import type { Subscriber } from '../../src/app-server/thread-hub.ts';
import type { RunEvent } from '../../src/protocol/run-event.ts';

/**
 * The store may be another machine's (Redis): reading a job's log takes a while, and live events
 * (published with their place in the log) arrive in any order relative to that read. A watcher
 * must get every event that is not in its answer exactly once, and none that is.
 */

const message = (id: string, text: string): RunEvent => ({
  type: 'item.completed',
  item: { id, kind: 'agent_message', text },
});
const job: Job = {
  id: 5,
  deliveryId: 'd',
  repo: 'octo/widgets',
  number: 7,
  action: 'start',
  task: { title: 'Fix add', body: 'add is broken' } as Job['task'],
  state: 'running',
  attempts: 1,
  reason: null,
  outcome: null,
  createdAt: new Date().toISOString(),
  startedAt: new Date().toISOString(),
  finishedAt: null,
};

it('an event written while the log is read is told once; one the answer carries is not told again; deltas from before the answer are dropped', async () => {
  const log: RunEvent[] = [message('a', 'first look')];
  let tell: (jobId: number, e: RunEvent, seq?: number) => void = () => {};
  let readStarted: () => void = () => {};
  let finishRead: () => void = () => {};
  const reading = new Promise<void>((r) => (readStarted = r));
  const jobs = { get: async () => job, list: async () => [job] } as unknown as JobsPort;
  const events = {
    list: (): Promise<RunEvent[]> =>
      new Promise((resolve) => {
        readStarted();
        // The log as it was when the read reached the store; it answers later.
        const snapshot = [...log];
        finishRead = () => resolve(snapshot);
      }),
    listen: (fn: typeof tell) => ((tell = fn), () => {}),
  } as unknown as EventsPort;
  const watch = new GithubWatch(jobs, events, 'gpt-5');
  const got: Array<{ method: string; params: Record<string, unknown> }> = [];
  const sub: Subscriber = {
    id: 1,
    notify: (method, params) => got.push({ method, params }),
    request: () => ({ id: 0, answer: Promise.resolve(null) }),
  };

  const threadId = jobThreadId(job.id);
  const answer = watch.attach(threadId, sub);
  await reading;
  // While the read is on its way back: event 1 (already in the snapshot) is published late, a delta,
  // then event 2 is written and published.
  tell(job.id, log[0]!, 1);
  tell(job.id, { type: 'item.delta', itemId: 'b', delta: 'par' }, undefined);
  log.push(message('b', 'second thought'));
  tell(job.id, log[1]!, 2);
  finishRead();
  const rec = await answer;
  expect(rec.turns[0]!.items.some((i) => 'text' in i && i.text === 'first look')).toBe(true);
  expect(got).toEqual([]);

  watch.replay(threadId, sub);
  // After the answer: event 3, and event 2 published a second time (a reconnecting subscriber).
  log.push(message('c', 'third'));
  tell(job.id, log[2]!, 3);
  tell(job.id, log[1]!, 2);
  const texts = got.filter((m) => m.method === 'item/completed').map((m) => (m.params.item as { text?: string }).text);
  expect(texts).toEqual(['second thought', 'third']);
  expect(got.some((m) => m.method === 'item/agentMessage/delta')).toBe(false);
});
