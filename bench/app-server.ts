import { readSettings } from '../src/adapters/env/read-settings.ts';
import { localEngine } from '../src/app-server/local-engine.ts';
import type { ServerFacts } from '../src/app-server/session-answers.ts';
import { ThreadHub } from '../src/app-server/thread-hub.ts';
import { serveWebSocket } from '../src/app-server/transports.ts';
import type { TurnEngine } from '../src/app-server/turn-engine.ts';
import type { ModelClient } from '../src/core/model/model-port.ts';
import { tempDir } from '../test/support/app-harness.ts';
import { fixtureRepo } from '../test/support/fixture-repo.ts';
import { wsClient, type Msg } from '../test/support/rpc-client.ts';
import { median, percentile, type Figure } from './stats.ts';

const defaults = { approval: 'never' as const, sandbox: { type: 'workspaceWrite' as const, networkAccess: false } };

function facts(dataDir: string, model: string): ServerFacts {
  return {
    version: 'bench',
    model,
    dataDir,
    trusted: () => true,
    setTrust: () => {},
    trustFile: `${dataDir}/t.json`,
    defaultApproval: 'never',
    defaultSandbox: defaults.sandbox,
  };
}

/**
 * The app server over a real WebSocket on loopback: (1) from `turn/start` to the first
 * `item/started` (the user's message, as Codex sends it) and to the engine's first item (the real
 * local engine: snapshot, inspect, sandbox, with a model that answers at once); (2) how many
 * notifications per second one client receives from a turn that streams as fast as it can.
 */
export async function benchAppServer(): Promise<Figure[]> {
  const dataDir = tempDir('pw-bench-as-');
  const zero: ModelClient = {
    model: 'zero-latency',
    complete: async () => ({
      text: 'ok',
      toolCalls: [],
      usage: { inputTokens: 10, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0 },
    }),
  };
  const engine = localEngine(readSettings({ PATCHWRIGHT_DATA_DIR: dataDir }), { OPENAI_API_KEY: 'x' }, zero);
  const hub = new ThreadHub({ engine, version: 'bench', defaults });
  const listener = await serveWebSocket({ host: '127.0.0.1', port: 0 }, hub, facts(dataDir, engine.model));
  const { client, ws } = await wsClient(listener.url);
  await client.request('initialize', { clientInfo: { name: 'bench', version: '1' } });
  const repo = fixtureRepo({ 'a.txt': 'a\n' });
  const threadId = ((await client.request('thread/start', { cwd: repo })).result as { thread: { id: string } }).thread
    .id;
  const firstItem: number[] = [];
  const firstEngineItem: number[] = [];
  for (let i = 0; i < 30; i++) {
    const seen = client.received.length;
    const t0 = performance.now();
    const turnId = (
      (await client.request('turn/start', { threadId, input: [{ type: 'text', text: `say ok ${i}` }] })).result as {
        turn: { id: string };
      }
    ).turn.id;
    const after = (test: (m: Msg) => boolean) =>
      client.waitFor((m) => client.received.findIndex((r) => r.msg === m) >= seen && test(m));
    await after((m) => m.method === 'item/started');
    firstItem.push(performance.now() - t0);
    await after((m) => m.method === 'item/started' && (m.params!.item as { type: string }).type !== 'userMessage');
    firstEngineItem.push(performance.now() - t0);
    await after((m) => m.method === 'turn/completed' && (m.params!.turn as { id: string }).id === turnId);
  }
  ws.close();
  await listener.close();

  // Throughput: an engine that streams 50,000 deltas without pause.
  const n = 50_000;
  const flood: TurnEngine = {
    model: 'flood',
    contextTokens: undefined,
    checkCwd: async () => null,
    title: async () => 't',
    async run(req) {
      for (let i = 0; i < n; i++) req.emit({ type: 'item.delta', itemId: 'm', delta: 'x' });
      return {
        type: 'run.completed',
        outcome: 'no_changes',
        summary: '',
        evidence: {
          testCommand: null,
          baseline: null,
          final: null,
          preExistingFailures: [],
          usage: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, costUsd: 0 },
          durationMs: 0,
          filesChanged: [],
        },
      };
    },
  };
  const hub2 = new ThreadHub({ engine: flood, version: 'bench', defaults });
  const listener2 = await serveWebSocket({ host: '127.0.0.1', port: 0 }, hub2, facts(dataDir, 'flood'));
  const rates: number[] = [];
  for (let r = 0; r < 3; r++) {
    const c = await wsClient(listener2.url);
    await c.client.request('initialize', { clientInfo: { name: 'bench', version: '1' } });
    const id = ((await c.client.request('thread/start', { cwd: repo })).result as { thread: { id: string } }).thread.id;
    const t0 = performance.now();
    await c.client.request('turn/start', { threadId: id, input: [{ type: 'text', text: 'flood' }] });
    await c.client.waitFor((m) => m.method === 'turn/completed', 120_000);
    const secs = (performance.now() - t0) / 1000;
    rates.push(c.client.notifications('item/agentMessage/delta').length / secs);
    c.ws.close();
  }
  await listener2.close();
  return [
    {
      name: 'app server: turn/start → first item/started (the user message), median of 30',
      value: median(firstItem),
      unit: 'ms',
      target: '<= 20 ms',
    },
    {
      name: 'app server: turn/start → first engine item (local engine, zero-latency model), median / p90 of 30',
      value: median(firstEngineItem),
      unit: `ms (p90 ${percentile(firstEngineItem, 90).toFixed(1)} ms)`,
      target: '',
    },
    {
      name: 'app server: notifications per second to one WebSocket client (50,000 deltas, median of 3)',
      value: median(rates),
      unit: 'events/s',
      target: '',
    },
  ];
}
