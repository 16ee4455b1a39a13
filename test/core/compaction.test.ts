import { noVerifier, staticChanges } from '../support/fake-changes.ts';
import { expect, it } from 'vitest';
import { localFiles } from '../../src/adapters/git/local-files.ts';
import { runAgent } from '../../src/core/loop/run-agent.ts';
import type { Message, ModelClient } from '../../src/core/model/model-port.ts';
import type { Sandbox } from '../../src/core/ports.ts';
import { tempDir } from '../support/app-harness.ts';

it('compacts older turns near the context window, keeping the task, the plan and valid tool pairs', async () => {
  const seen: Message[][] = [];
  let turn = 0;
  const model: ModelClient = {
    model: 'unpriced-model',
    complete: async ({ messages }) => {
      seen.push(structuredClone(messages));
      turn++;
      if (turn === 1)
        return {
          text: '',
          toolCalls: [
            {
              id: 'p',
              name: 'update_plan',
              arguments: JSON.stringify({ plan: [{ step: 'read the logs', status: 'in_progress' }] }),
            },
          ],
          usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0 },
        };
      if (turn < 12)
        return {
          text: '',
          toolCalls: [{ id: `c${turn}`, name: 'shell', arguments: '{"command":"cat big.log"}' }],
          usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0 },
        };
      return {
        text: 'done',
        toolCalls: [],
        usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0 },
      };
    },
  };
  const sandbox: Sandbox = {
    kind: 'none',
    run: async () => ({
      exitCode: 0,
      signal: null,
      stdout: 'x'.repeat(4000),
      stderr: '',
      durationMs: 1,
      timedOut: false,
      cancelled: false,
    }),
  };
  const done = await runAgent(
    {
      runId: 'r',
      repoName: 'o/r',
      task: { title: 'Find the bug', body: 'see logs', instructions: '' },
      setup: [],
      test: null,
      instructionFiles: [],
      protectedPaths: [],
      budgets: { maxTurns: 50, maxTokens: 1e9, maxCostUsd: 100, maxMinutes: 10 },
      verificationRounds: 0,
      network: false,
      commandTimeoutMs: 1000,
      setupTimeoutMs: 1000,
      outputLimitBytes: 8000,
      contextTokens: 4000,
    },
    {
      model,
      sandbox,
      files: localFiles(tempDir()),
      emit: () => {},
      changes: staticChanges('diff --git a/x b/x\n+change', [
        { path: 'x', before: null, after: { mode: '100644', bytes: Buffer.from('change\n') } },
      ]),
      verifier: noVerifier,
    },
    new AbortController().signal,
  );
  expect(done.evidence.usage.costUsd).toBeNull();
  const compacted = seen.filter((m) => m.some((x) => x.role === 'user' && x.text.includes('compacted')));
  expect(compacted.length).toBeGreaterThan(0);
  for (const messages of seen) {
    expect(messages[1]).toMatchObject({ role: 'user', text: expect.stringContaining('Find the bug') });
    const calls = new Set<string>();
    for (const m of messages) {
      if (m.role === 'assistant') for (const c of m.toolCalls) calls.add(c.id);
      if (m.role === 'tool') expect(calls.has(m.callId)).toBe(true);
    }
  }
  const last = compacted.at(-1)!;
  const summary = last.find((x) => x.role === 'user' && x.text.includes('compacted')) as { text: string };
  expect(summary.text).toContain('read the logs');
  expect(summary.text).toContain('+change');
  expect(Math.max(...seen.map((m) => JSON.stringify(m).length))).toBeLessThan(4000 * 4 * 1.2);
});
