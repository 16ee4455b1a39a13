import { afterAll, beforeAll, expect, it } from 'vitest';
import { deliver, tempDir } from '../support/app-harness.ts';
import { payload } from '../support/payloads.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';
import { wsClient } from '../support/rpc-client.ts';
import { resumeMidRun, startWatchedWidgets, type WatchedWidgets } from '../support/watched-widgets.ts';
import { startServerProcess, waitFor, type ServerProcess } from '../faults/server-process.ts';

// Scale-out with the app server: `serve --role web --app-server ...` on one process, the job run by
// a worker process elsewhere, both sharing a real redis-server. A Codex client on the web process
// lists the job as a thread, resumes it mid-run (what it did so far, read from Redis) and gets the
// rest live (events published by the worker), each item once, to the end.

let w: WatchedWidgets;
let redis: RedisServer;
const procs: ServerProcess[] = [];

beforeAll(async () => {
  w = await startWatchedWidgets();
  redis = await startRedis(tempDir('pw-redis-'));
}, 60_000);

afterAll(async () => {
  w?.release();
  await Promise.all(procs.map((p) => p.kill().catch(() => {})));
  await Promise.all([w?.close(), redis?.close()]);
});

function start(role: 'web' | 'worker', args: string[] = []): Promise<ServerProcess> {
  return startServerProcess({
    githubUrl: w.github.url,
    modelUrl: w.model.baseURL,
    dataDir: tempDir(`pw-scaled-as-${role}-`),
    args: ['--role', role, ...args],
    extraEnv: { PATCHWRIGHT_REDIS_URL: redis.url, PATCHWRIGHT_JOB_LOCK_SECONDS: '6' },
  }).then((p) => (procs.push(p), p));
}

it('a job run by a worker process is a thread on the web process’s app server: listed, resumed mid-run from Redis, streamed live to its end', {
  timeout: 240_000,
}, async () => {
  const web = await start('web', ['--app-server', 'ws://127.0.0.1:0']);
  await start('worker');
  const appServerUrl = await waitFor(
    'the app server to listen',
    () => /App server \(Codex protocol\) on (ws:\/\/[\d.]+:\d+)/.exec(web.output())?.[1],
    30_000,
  );

  const issue = { number: 7, title: 'Fix add', body: 'add(2, 3) returns -1.', pull_request: undefined };
  const body = payload('issues', 'labeled', {
    label: { name: 'agent' },
    issue,
    repository: { name: 'widgets', full_name: 'octo/widgets', clone_url: `${w.git.url}/widgets.git` },
  });
  expect((await deliver(web.url, 'issues', body)).status).toBe(200);
  await w.paused;

  const { client, ws } = await wsClient(appServerUrl);
  await client.request('initialize', { clientInfo: { name: 'watcher', version: '1' } });
  const list = (await client.request('thread/list', { limit: 10 })).result as {
    data: Array<{ id: string; name: string; status: { type: string } }>;
  };
  const thread = list.data.find((t) => /widgets#7: Fix add$/.test(t.name));
  expect(thread).toMatchObject({ status: { type: 'active', activeFlags: [] } });
  const threadId = thread!.id;

  // What it did so far, from the event log: the task, the model's first look.
  await resumeMidRun(client, threadId);

  w.release();
  const done = await client.waitFor((m) => m.method === 'turn/completed', 120_000);
  expect(done.params).toMatchObject({ threadId, turn: { status: 'completed' } });
  const live = client
    .notifications('item/completed')
    .map((m) => m.params!.item as { id: string; type: string; text?: string; changes?: Array<{ path: string }> });
  expect(live.some((i) => i.type === 'fileChange' && i.changes![0]!.path === 'math.js')).toBe(true);
  expect(live.some((i) => i.text === 'Fixed add: it now returns the sum.')).toBe(true);
  // Nothing the answer carried came again, and nothing live came twice.
  expect(live.some((i) => i.text === 'Looking at math.js first.')).toBe(false);
  expect(new Set(live.map((i) => i.id)).size).toBe(live.length);

  // Finished: the thread reads as completed, with the whole run, from any client.
  type Read = {
    thread: { status: { type: string }; turns: Array<{ status: string; items: Array<{ type: string }> }> };
  };
  const read = await waitFor(
    'the job to end',
    async () => {
      const r = (await client.request('thread/read', { threadId })).result as Read;
      return r.thread.status.type === 'idle' && r;
    },
    60_000,
  );
  expect(w.github.pulls).toHaveLength(1);
  expect(read.thread.turns[0]!.status).toBe('completed');
  expect(read.thread.turns[0]!.items.some((i) => i.type === 'fileChange')).toBe(true);
  ws.close();
});
