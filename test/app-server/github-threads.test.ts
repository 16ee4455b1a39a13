import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../src/adapters/env/read-settings.ts';
import { jobThreadId } from '../../src/app-server/github-watch.ts';
import type { WsListener } from '../../src/app-server/transports.ts';
import { startServeAppServer } from '../../src/cli/serve.ts';
import type { RunningServer } from '../../src/server/start-server.ts';
import { deliver, tempDir } from '../support/app-harness.ts';
import { startAppWithWorker } from '../support/app-with-worker.ts';
import { payload } from '../support/payloads.ts';
import { wsClient } from '../support/rpc-client.ts';
import { resumeMidRun, startWatchedWidgets, type WatchedWidgets } from '../support/watched-widgets.ts';
import { TmuxPane } from '../support/tmux-pane.ts';

/**
 * GitHub runs are threads: with the app server inside `patchwright serve`, a labelled issue's job
 * is listed by `thread/list`, and a Codex client that resumes it while it runs gets what it did so
 * far and then every item live, to the end. Watched by a protocol client and by the real Codex TUI.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
let w: WatchedWidgets;
let server: RunningServer;
let appServer: WsListener;
let pane: TmuxPane | undefined;

beforeAll(async () => {
  w = await startWatchedWidgets();
  server = await startAppWithWorker(w.github.url, w.model.baseURL);
  const settings = readSettings({ PATCHWRIGHT_DATA_DIR: tempDir('pw-as-data-'), PATCHWRIGHT_MODEL: 'gpt-5' });
  appServer = await startServeAppServer('ws://127.0.0.1:0', undefined, settings, { OPENAI_API_KEY: 'x' }, server);
}, 60_000);

afterAll(async () => {
  pane?.kill();
  w?.release();
  await appServer?.close();
  await server?.close();
  await w?.close();
});

describe('GitHub jobs as app-server threads', () => {
  it('a running job is listed, resumed with what it did so far, and streamed live to its end (protocol client and the Codex TUI)', async () => {
    const issue = { number: 7, title: 'Fix add', body: 'add(2, 3) returns -1.', pull_request: undefined };
    expect(
      (
        await deliver(
          server.url,
          'issues',
          payload('issues', 'labeled', {
            label: { name: 'agent' },
            issue,
            repository: { clone_url: `${w.git.url}/widgets.git` },
          }),
        )
      ).status,
    ).toBe(200);
    await w.paused;
    const job = server.jobs.list()[0]!;
    const threadId = jobThreadId(job.id);

    const { client, ws } = await wsClient(appServer.url);
    await client.request('initialize', { clientInfo: { name: 'watcher', version: '1' } });
    const list = (await client.request('thread/list', { limit: 10 })).result as {
      data: Array<{ id: string; name: string; status: { type: string } }>;
    };
    expect(list.data).toContainEqual(
      expect.objectContaining({
        id: threadId,
        name: expect.stringMatching(/widgets#7: Fix add$/),
        status: { type: 'active', activeFlags: [] },
      }),
    );
    // What it did so far, from the event log: the task, the model's first look.
    await resumeMidRun(client, threadId);
    // A GitHub job is driven from GitHub, not from here.
    expect(
      (await client.request('turn/start', { threadId, input: [{ type: 'text', text: 'hi' }] })).error?.message,
    ).toMatch(/GitHub job[\s\S]*\/agent commands/);

    // The real Codex TUI resumes the same running job.
    pane = new TmuxPane(
      'watch',
      [path.join(ROOT, 'node_modules/.bin/codex'), 'resume', threadId, '--remote', appServer.url]
        .map((a) => `'${a}'`)
        .join(' '),
      { env: { CODEX_HOME: tempDir('codex-home-'), TERM: 'xterm-256color' } },
    );
    const before = await pane.waitFor(/Looking at math\.js first\./, 30_000);
    pane.save(path.join(ROOT, 'artifacts/codex-tui/5-github-job-resumed.txt'));
    expect(before).not.toContain('Fixed add: it now returns the sum.');

    w.release();
    const done = await client.waitFor((m) => m.method === 'turn/completed', 120_000);
    expect(done.params).toMatchObject({ threadId, turn: { status: 'completed' } });
    const live = client
      .notifications('item/completed')
      .map((m) => m.params!.item as { type: string; text?: string; changes?: Array<{ path: string }> });
    expect(live.some((i) => i.type === 'fileChange' && i.changes![0]!.path === 'math.js')).toBe(true);
    expect(live.some((i) => i.text === 'Fixed add: it now returns the sum.')).toBe(true);
    // Nothing it had already been given came again.
    expect(live.some((i) => i.text === 'Looking at math.js first.')).toBe(false);

    const after = await pane.waitFor(
      /Fixed add: it now returns the sum\.[\s\S]*the change is made and the tests pass/,
      60_000,
    );
    pane.save(path.join(ROOT, 'artifacts/codex-tui/6-github-job-finished.txt'));
    expect(after).toMatch(/Edited math\.js/);
    await server.pool.idle();
    expect(w.github.pulls).toHaveLength(1);
    ws.close();
  }, 240_000);
});
