import { expect, it } from 'vitest';
import { noVerifier, staticChanges } from '../support/fake-changes.ts';
import { localFiles } from '../../src/adapters/git/local-files.ts';
import { runAgent, type RunCompleted } from '../../src/core/loop/run-agent.ts';
import type { ModelClient } from '../../src/core/model/model-port.ts';
import type { Sandbox, SandboxResult } from '../../src/core/ports.ts';
import { prBody } from '../../src/github/publish/pr-body.ts';
import { renderFinal } from '../../src/github/report/render-progress.ts';
import { tempDir } from '../support/app-harness.ts';

const usage = { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0 };
const ok: SandboxResult = {
  exitCode: 0,
  signal: null,
  stdout: '',
  stderr: '',
  durationMs: 1,
  timedOut: false,
  cancelled: false,
};
const why = 'not on the allow-list';

/** The engine with a sandbox that reports refusals as the firewall does: what reaches the evidence, the PR and the comment. */
async function run(): Promise<RunCompleted> {
  let turn = 0;
  const model: ModelClient = {
    model: 'm',
    complete: async () =>
      ++turn === 1
        ? {
            text: '',
            toolCalls: [{ id: 'a', name: 'shell', arguments: '{"command":"curl https://evil.example/"}' }],
            usage,
          }
        : { text: 'done', toolCalls: [], usage },
  };
  const sandbox: Sandbox = {
    kind: 'bwrap',
    run: async (o) => {
      if (o.stage === 'setup' && o.network)
        return {
          ...ok,
          egressRefused: [
            { host: 'evil.example', port: 443, reason: why, count: 2 },
            { host: '169.254.169.254', port: 80, reason: 'internal', count: 1 },
          ],
        };
      if (o.network) return { ...ok, egressRefused: [{ host: 'evil.example', port: 443, reason: why, count: 1 }] };
      return ok;
    },
  };
  return runAgent(
    {
      runId: 'r',
      repoName: 'o/r',
      task: { title: 'x', body: '', instructions: '' },
      setup: ['npm ci', 'npm run build'],
      test: null,
      instructionFiles: [],
      protectedPaths: [],
      budgets: { maxTurns: 10, maxTokens: 1e9, maxCostUsd: 100, maxMinutes: 10 },
      verificationRounds: 0,
      network: true,
      commandTimeoutMs: 1000,
      setupTimeoutMs: 1000,
      outputLimitBytes: 8000,
    },
    {
      model,
      sandbox,
      files: localFiles(tempDir('pw-egress-ev-')),
      emit: () => {},
      changes: staticChanges(),
      verifier: noVerifier,
    },
    new AbortController().signal,
  );
}

it('refusals are tallied by destination and phase into the evidence, and listed on the PR and the tracking comment', async () => {
  const done = await run();
  expect(done.evidence.egressRefused).toEqual([
    { host: 'evil.example', port: 443, phase: 'setup', count: 4, reason: why },
    { host: '169.254.169.254', port: 80, phase: 'setup', count: 2, reason: 'internal' },
    { host: 'evil.example', port: 443, phase: 'agent', count: 1, reason: why },
  ]);
  const body = prBody(7, done).text;
  expect(body).toContain('**The egress firewall blocked these connections**');
  expect(body).toContain('- `evil.example:443` during setup, 4 times: not on the allow-list');
  expect(body).toContain('- `169.254.169.254:80` during setup, 2 times: internal');
  expect(body).toContain('- `evil.example:443` during the agent loop: not on the allow-list');
  const comment = renderFinal(3, done, 'https://example.test/pr/1').text;
  expect(comment).toContain('**The egress firewall blocked these connections**');
  expect(comment).toContain('- `evil.example:443` during setup, 4 times');
});

it('a run nothing was refused in says nothing about the firewall', async () => {
  const quiet = {
    type: 'run.completed',
    outcome: 'no_changes',
    summary: 's',
    evidence: {
      testCommand: null,
      baseline: null,
      final: null,
      preExistingFailures: [],
      usage: { ...usage, costUsd: 0 },
      durationMs: 1,
      filesChanged: [],
    },
  } as RunCompleted;
  expect(prBody(1, quiet).text).not.toMatch(/egress firewall/);
  expect(renderFinal(1, quiet, null).text).not.toMatch(/egress firewall/);
});
