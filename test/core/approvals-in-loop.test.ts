import { noVerifier, staticChanges } from '../support/fake-changes.ts';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { localFiles } from '../../src/adapters/git/local-files.ts';
import { runAgent } from '../../src/core/loop/run-agent.ts';
import type { Message, ModelClient } from '../../src/core/model/model-port.ts';
import type { Sandbox } from '../../src/core/ports.ts';
import type { ApprovalDecision, ApprovalRequest } from '../../src/core/tools/execute-tool.ts';
import type { RunEvent } from '../../src/protocol/run-event.ts';
import { tempDir } from '../support/app-harness.ts';

const usage = { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0 };

/** The loop with a person answering approvals: declined actions do nothing and the model is told; cancel ends the run. */
async function run(decide: (req: ApprovalRequest) => ApprovalDecision) {
  const root = tempDir('pw-approve-');
  const seen: Message[][] = [];
  const ran: string[] = [];
  let turn = 0;
  const model: ModelClient = {
    model: 'm',
    complete: async ({ messages }) => {
      seen.push(structuredClone(messages));
      turn++;
      if (turn === 1)
        return { text: '', toolCalls: [{ id: 'a', name: 'shell', arguments: '{"command":"rm -rf build"}' }], usage };
      if (turn === 2)
        return {
          text: '',
          toolCalls: [
            {
              id: 'b',
              name: 'apply_patch',
              arguments: JSON.stringify({ input: '*** Begin Patch\n*** Add File: x.txt\n+x\n*** End Patch' }),
            },
          ],
          usage,
        };
      return { text: 'done', toolCalls: [], usage };
    },
  };
  const sandbox: Sandbox = {
    kind: 'none',
    run: async (o) => (
      ran.push(String(o.command)),
      { exitCode: 0, signal: null, stdout: '', stderr: '', durationMs: 1, timedOut: false, cancelled: false }
    ),
  };
  const events: RunEvent[] = [];
  const done = await runAgent(
    {
      runId: 'r',
      repoName: 'o/r',
      task: { title: 'Clean up', body: '', instructions: '' },
      setup: [],
      test: null,
      instructionFiles: [],
      protectedPaths: [],
      budgets: { maxTurns: 10, maxTokens: 1e9, maxCostUsd: 100, maxMinutes: 10 },
      verificationRounds: 0,
      network: false,
      commandTimeoutMs: 1000,
      setupTimeoutMs: 1000,
      outputLimitBytes: 8000,
    },
    {
      model,
      sandbox,
      files: localFiles(root),
      emit: (e) => events.push(e),
      changes: staticChanges(),
      verifier: noVerifier,
      approve: async (req) => decide(req),
    },
    new AbortController().signal,
  );
  return { done, seen, ran, root, events };
}

it('declined: the command does not run, the patch is not written, the model is told; the items say declined', async () => {
  const { ran, root, seen, events } = await run(() => 'decline');
  expect(ran).toEqual([]);
  expect(fs.existsSync(path.join(root, 'x.txt'))).toBe(false);
  const told = seen
    .at(-1)!
    .filter((m) => m.role === 'tool')
    .map((m) => (m as { output: string }).output);
  expect(told).toEqual([
    expect.stringMatching(/^Not run: the user declined/),
    expect.stringMatching(/^Not applied: the user declined/),
  ]);
  const completed = events
    .filter((e) => e.type === 'item.completed')
    .map((e) => (e as { item: { kind: string; declined?: boolean } }).item);
  expect(completed.filter((i) => i.declined).map((i) => i.kind)).toEqual(['command_execution', 'file_change']);
});

it('accepted: both happen; cancel at the first question ends the run as cancelled with nothing done', async () => {
  const ok = await run(() => 'accept');
  expect(ok.ran).toEqual(['rm -rf build']);
  expect(fs.readFileSync(path.join(ok.root, 'x.txt'), 'utf8')).toBe('x\n');
  const cancelled = await run(() => 'cancel');
  expect(cancelled.done.outcome).toBe('cancelled');
  expect(cancelled.ran).toEqual([]);
  expect(cancelled.seen).toHaveLength(1);
});
