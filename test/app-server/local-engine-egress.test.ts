import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import YAML from 'yaml';
import { localEngine } from '../../src/app-server/local-engine.ts';
import { readSettings } from '../../src/adapters/env/read-settings.ts';
import type { ModelClient } from '../../src/core/model/model-port.ts';
import type { RunEvent } from '../../src/protocol/run-event.ts';
import { tempDir } from '../support/app-harness.ts';
import { fixtureRepo, nodeBuggy } from '../support/fixture-repo.ts';
import { startStandIn, type StandIn } from '../support/stand-in.ts';

/**
 * The app server's local engine builds its own sandbox (in the person's checkout): its setup goes
 * through the same egress firewall, with the checkout's `sandbox.egress` narrowing the
 * deployment's list.
 */
let standIn: StandIn;
let host: net.Server;
let hostPort = 0;
let hits = 0;
beforeAll(async () => {
  standIn = await startStandIn();
  host = net.createServer((s) => (hits++, s.end()));
  await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
  hostPort = (host.address() as net.AddressInfo).port;
});
afterAll(async () => {
  host?.close();
  await standIn?.close();
});

it("a first turn's setup reaches only what both the deployment and the checkout allow, and never the host", async () => {
  const usage = { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0 };
  const model: ModelClient = { model: 'm', complete: async () => ({ text: 'Looked.', toolCalls: [], usage }) };
  const setup = [
    `curl -sf -m 5 http://localhost:${standIn.httpPort}/__echo >/dev/null && echo allowed-reached`,
    `curl -s -m 5 -o /dev/null -p telnet://localhost:${standIn.echoPort}; true`,
    `python3 -c "import socket; socket.create_connection(('127.0.0.1', ${hostPort}), 3); print('PWNED')" 2>/dev/null; true`,
  ];
  const cwd = fixtureRepo({
    ...nodeBuggy,
    '.github/agent.yml': YAML.stringify({
      setup,
      test: 'node --test',
      sandbox: { egress: [`localhost:${standIn.httpPort}`] },
    }),
  });
  // When root, turns run as the user past the jobs' range: 61157 here.
  const settings = readSettings({
    PATCHWRIGHT_DATA_DIR: tempDir('pw-data-'),
    PATCHWRIGHT_SANDBOX: 'bwrap',
    PATCHWRIGHT_CONCURRENCY: '1',
    PATCHWRIGHT_SANDBOX_UID: '61156',
    PATCHWRIGHT_EGRESS_ALLOW: `localhost:${standIn.httpPort},localhost:${standIn.echoPort}`,
  });
  const events: RunEvent[] = [];
  const done = await localEngine(settings, { PATH: process.env.PATH }, model).run({
    threadId: 'thread-egress-1',
    cwd,
    prompt: 'Look around',
    history: '',
    firstTurn: true,
    sandbox: { type: 'workspaceWrite', networkAccess: false },
    emit: (e) => events.push(e),
    steer: () => [],
    signal: new AbortController().signal,
  });
  const outputs = events.flatMap((e) =>
    // The repository's own steps (the python3 one makes the harness make a .venv first).
    e.type === 'item.completed' && e.item.kind === 'command_execution' && setup.includes(e.item.command)
      ? [e.item.output]
      : [],
  );
  expect(outputs[0]).toBe('allowed-reached');
  expect(outputs.join('\n')).not.toContain('PWNED');
  expect(hits).toBe(0);
  expect(done.evidence.egressRefused).toEqual([
    {
      host: 'localhost',
      port: standIn.echoPort,
      phase: 'setup',
      count: 1,
      reason: "not on the repository's allow-list (.github/agent.yml sandbox.egress)",
    },
  ]);
});
