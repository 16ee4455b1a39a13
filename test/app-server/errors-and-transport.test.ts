import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readSettings } from '../../src/adapters/env/read-settings.ts';
import { Connection, MAX_IN_FLIGHT } from '../../src/app-server/connection.ts';
import { localEngine } from '../../src/app-server/local-engine.ts';
import type { ServerFacts } from '../../src/app-server/session-answers.ts';
import { ThreadHub } from '../../src/app-server/thread-hub.ts';
import { ListenError, serveWebSocket, type WsListener } from '../../src/app-server/transports.ts';
import type { TurnEngine, TurnRequest } from '../../src/app-server/turn-engine.ts';
import type { OutgoingMessage } from '../../src/app-server/jsonrpc.ts';
import type { RunCompleted } from '../../src/core/loop/run-agent.ts';
import { tempDir } from '../support/app-harness.ts';
import { fixtureRepo } from '../support/fixture-repo.ts';
import { wsClient } from '../support/rpc-client.ts';

const completed = (summary: string): RunCompleted => ({
  type: 'run.completed',
  outcome: 'no_changes',
  summary,
  evidence: {
    testCommand: null,
    baseline: null,
    final: null,
    preExistingFailures: [],
    usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0, costUsd: 0 },
    durationMs: 1,
    filesChanged: [],
  },
});

/** An engine that answers at once, or holds a turn until `release` (to watch a running thread). */
function fakeEngine(opts: { checkCwd?: () => Promise<string | null> } = {}) {
  let release: () => void = () => {};
  const engine: TurnEngine = {
    model: 'fake-model',
    contextTokens: undefined,
    checkCwd: opts.checkCwd ?? (async () => null),
    async run(req: TurnRequest) {
      req.emit({ type: 'item.completed', item: { id: 'm1', kind: 'agent_message', text: `echo: ${req.prompt}` } });
      if (req.prompt.includes('hold')) {
        await new Promise<void>((r) => {
          release = r;
          req.signal.addEventListener('abort', () => r(), { once: true });
        });
        req.emit({ type: 'item.completed', item: { id: 'm2', kind: 'agent_message', text: 'released' } });
      }
      return completed('done');
    },
    title: async () => 'A title',
  };
  return { engine, release: () => release() };
}

function facts(dataDir: string): ServerFacts {
  return {
    version: 'test',
    model: 'fake-model',
    dataDir,
    trusted: () => false,
    setTrust: () => {},
    trustFile: path.join(dataDir, 'trust.json'),
    defaultApproval: 'on-request',
    defaultSandbox: { type: 'workspaceWrite', networkAccess: false },
  };
}

function connection(engine: TurnEngine) {
  const out: OutgoingMessage[] = [];
  const dir = tempDir('pw-as-');
  const hub = new ThreadHub({
    engine,
    version: 'test',
    defaults: { approval: 'never', sandbox: { type: 'workspaceWrite', networkAccess: false } },
  });
  const conn = new Connection((m) => out.push(m), hub, facts(dir));
  const init = () =>
    conn.handle(
      JSON.stringify({ id: 'init', method: 'initialize', params: { clientInfo: { name: 't', version: '1' } } }),
    );
  const settle = () => new Promise((r) => setTimeout(r, 20));
  const reply = (id: string | number) =>
    out.find((m) => 'id' in m && m.id === id && !('method' in m)) as
      | { result?: unknown; error?: { code: number; message: string } }
      | undefined;
  return { conn, out, hub, init, settle, reply };
}

describe('app server: each malformed input gets its error', () => {
  it('parse error -32700, not an object -32600, not initialized, unknown method, again initialize, bad params', async () => {
    const { conn, out, init, settle, reply } = connection(fakeEngine().engine);
    conn.handle('{not json');
    expect(out.at(-1)).toMatchObject({ id: null, error: { code: -32700 } });
    conn.handle('[1,2]');
    expect(out.at(-1)).toMatchObject({ id: null, error: { code: -32600 } });
    conn.handle(JSON.stringify({ id: 1, method: 'thread/list', params: {} }));
    expect(out.at(-1)).toEqual({ id: 1, error: { code: -32600, message: 'Not initialized' } });
    init();
    await settle();
    expect(reply('init')?.result).toMatchObject({ platformFamily: 'unix' });
    conn.handle(JSON.stringify({ id: 2, method: 'bogus/method', params: {} }));
    expect(reply(2)?.error?.code).toBe(-32601);
    init();
    await settle();
    expect(out.at(-1)).toEqual({ id: 'init', error: { code: -32600, message: 'Already initialized' } });
    conn.handle(JSON.stringify({ id: 3, method: 'thread/start', params: { cwd: 5 } }));
    conn.handle(
      JSON.stringify({
        id: 4,
        method: 'turn/start',
        params: { threadId: 'nope', input: [{ type: 'text', text: 'x' }] },
      }),
    );
    conn.handle(
      JSON.stringify({
        id: 5,
        method: 'config/batchWrite',
        params: { edits: [{ keyPath: 'model', value: 'other', mergeStrategy: 'replace' }] },
      }),
    );
    conn.handle(
      JSON.stringify({ id: 6, method: 'turn/steer', params: { threadId: 'x', expectedTurnId: 'y', input: [] } }),
    );
    conn.handle(JSON.stringify({ id: 7 }));
    await settle();
    expect(reply(3)?.error).toMatchObject({ code: -32602, message: expect.stringContaining('cwd') });
    expect(reply(4)?.error).toMatchObject({ code: -32600, message: 'no thread nope' });
    expect(reply(5)?.error?.message).toMatch(/only projects\."<folder>"\.trust_level can be written/);
    expect(reply(6)?.error).toMatchObject({ code: -32600, message: 'no thread x' });
    expect(reply(7)?.error?.code).toBe(-32600);
  });

  it('an overloaded connection answers -32001 and recovers', async () => {
    let open: (v: null) => void = () => {};
    const gate = new Promise<null>((r) => (open = r));
    const { conn, init, settle, reply } = connection(fakeEngine({ checkCwd: () => gate }).engine);
    init();
    await settle();
    for (let i = 0; i < MAX_IN_FLIGHT + 1; i++)
      conn.handle(JSON.stringify({ id: `s${i}`, method: 'thread/start', params: { cwd: '/' } }));
    await settle();
    expect(reply(`s${MAX_IN_FLIGHT}`)?.error?.code).toBe(-32001);
    open(null);
    await settle();
    expect(reply('s0')?.result).toMatchObject({ thread: { cwd: '/' } });
    conn.handle(JSON.stringify({ id: 'after', method: 'thread/loaded/list', params: {} }));
    await settle();
    expect((reply('after')!.result as { data: string[] }).data).toHaveLength(MAX_IN_FLIGHT);
  });

  it('a folder that is not a git checkout is refused with the reason', async () => {
    const engine = localEngine(readSettings({ PATCHWRIGHT_DATA_DIR: tempDir('pw-data-') }), { OPENAI_API_KEY: 'x' });
    const { conn, init, settle, reply } = connection(engine);
    init();
    const plain = tempDir('pw-plain-');
    conn.handle(JSON.stringify({ id: 1, method: 'thread/start', params: { cwd: plain } }));
    conn.handle(JSON.stringify({ id: 2, method: 'thread/start', params: { cwd: fixtureRepo({ 'a.txt': 'a\n' }) } }));
    await new Promise((r) => setTimeout(r, 300));
    await settle();
    expect(reply(1)?.error?.message).toBe(
      `${plain} is not inside a git checkout: Patchwright works in a checkout, so every change can be seen and undone`,
    );
    expect(reply(2)?.result).toBeDefined();
  });
});

describe('app server over WebSocket', () => {
  let listener: WsListener | undefined;
  afterEach(async () => {
    await listener?.close();
    listener = undefined;
  });

  it('refuses a non-loopback listener without a token, before it listens', async () => {
    const { engine } = fakeEngine();
    const hub = new ThreadHub({
      engine,
      version: 't',
      defaults: { approval: 'never', sandbox: { type: 'workspaceWrite', networkAccess: false } },
    });
    await expect(serveWebSocket({ host: '0.0.0.0', port: 0 }, hub, facts(tempDir('pw-')))).rejects.toThrow(ListenError);
    // The CLI says the same and exits non-zero.
    const res = spawnSync(
      path.resolve('node_modules/.bin/node'),
      ['bin/patchwright.js', 'app-server', '--listen', 'ws://0.0.0.0:0'],
      {
        env: { PATH: process.env.PATH, OPENAI_API_KEY: 'x', PATCHWRIGHT_DATA_DIR: tempDir('pw-') },
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without a token[\s\S]*--ws-token-file/);
  });

  it('bearer token in constant time, no Origin, health endpoints; a turn streams; a second client watches a running thread', async () => {
    const { engine, release } = fakeEngine();
    const hub = new ThreadHub({
      engine,
      version: 't',
      defaults: { approval: 'never', sandbox: { type: 'workspaceWrite', networkAccess: false } },
    });
    const token = `tok-${Math.random().toString(36).slice(2)}`;
    listener = await serveWebSocket({ host: '127.0.0.1', port: 0, token }, hub, facts(tempDir('pw-')));
    const http = listener.url.replace('ws:', 'http:');
    expect((await fetch(`${http}/healthz`)).status).toBe(200);
    expect((await fetch(`${http}/readyz`)).status).toBe(200);
    expect((await fetch(`${http}/healthz`, { headers: { origin: 'https://evil.example' } })).status).toBe(403);
    await expect(wsClient(listener.url)).rejects.toThrow('HTTP 401');
    await expect(wsClient(listener.url, { authorization: 'Bearer wrong' })).rejects.toThrow('HTTP 401');
    await expect(
      wsClient(listener.url, { authorization: `Bearer ${token}`, origin: 'https://evil.example' }),
    ).rejects.toThrow('HTTP 403');

    const auth = { authorization: `Bearer ${token}` };
    const a = await wsClient(listener.url, auth);
    await a.client.request('initialize', { clientInfo: { name: 'a', version: '1' } });
    const repo = fixtureRepo({ 'x.txt': 'x\n' });
    const thread = (await a.client.request('thread/start', { cwd: repo })).result as { thread: { id: string } };
    const threadId = thread.thread.id;
    const turn = (await a.client.request('turn/start', { threadId, input: [{ type: 'text', text: 'please hold' }] }))
      .result as { turn: { id: string } };
    await a.client.waitFor(
      (m) => m.method === 'item/completed' && (m.params!.item as { text?: string }).text === 'echo: please hold',
    );

    // Another client joins the running thread and sees the rest of it.
    const b = await wsClient(listener.url, auth);
    await b.client.request('initialize', { clientInfo: { name: 'b', version: '1' } });
    const resumed = (await b.client.request('thread/resume', { threadId })).result as {
      thread: { status: { type: string } };
    };
    expect(resumed.thread.status.type).toBe('active');
    release();
    for (const c of [a.client, b.client]) {
      const done = await c.waitFor((m) => m.method === 'turn/completed');
      expect(done.params).toMatchObject({ threadId, turn: { id: turn.turn.id, status: 'completed' } });
      expect(c.notifications('item/completed').map((m) => (m.params!.item as { text?: string }).text)).toContain(
        'released',
      );
    }
    expect(listener.connections()).toBe(2);
    a.ws.close();
    b.ws.close();
  });

  it('the trust file keeps a folder trusted across restarts', async () => {
    const { appServerCore } = await import('../../src/app-server/start-app-server.ts');
    const dataDir = tempDir('pw-data-');
    const settings = readSettings({ PATCHWRIGHT_DATA_DIR: dataDir });
    const first = appServerCore(settings, { OPENAI_API_KEY: 'x' });
    first.facts.setTrust('/some/checkout', true);
    first.db.close();
    const second = appServerCore(settings, { OPENAI_API_KEY: 'x' });
    expect(second.facts.trusted('/some/checkout')).toBe(true);
    expect(second.facts.trusted('/other')).toBe(false);
    expect(fs.statSync(second.facts.trustFile).mode & 0o777).toBe(0o600);
    second.db.close();
  });
});
