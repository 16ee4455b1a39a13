import { noVerifier, staticChanges } from '../test/support/fake-changes.ts';
import { runAgent } from '../src/core/loop/run-agent.ts';
import type { ModelClient } from '../src/core/model/model-port.ts';
import type { Sandbox } from '../src/core/ports.ts';
import { systemPrompt } from '../src/core/prompt/system-prompt.ts';
import { toolSpecs } from '../src/core/tools/tool-specs.ts';
import { localFiles } from '../src/adapters/git/local-files.ts';
import { tempDir } from '../test/support/app-harness.ts';
import { OpenAIModel } from '../src/adapters/openai/openai-model.ts';
import { startScriptedModel } from '../test/support/scripted-model.ts';
import { median, type Figure } from './stats.ts';

/**
 * Harness overhead per turn: an in-process model that answers at once with an update_plan call,
 * a sandbox that returns at once, so everything measured is the loop's own work.
 */
export async function benchHarness(): Promise<Figure[]> {
  const turns = 300;
  const perRun: number[] = [];
  const viaSdk: number[] = [];
  for (let r = 0; r < 5; r++) {
    let n = 0;
    const inProcess: ModelClient = {
      model: 'gpt-5',
      complete: async () =>
        ++n < turns
          ? {
              text: '',
              toolCalls: [
                {
                  id: `c${n}`,
                  name: 'update_plan',
                  arguments: JSON.stringify({ plan: [{ step: `step ${n}`, status: 'in_progress' }] }),
                },
              ],
              usage: { inputTokens: 1000, cachedInputTokens: 0, outputTokens: 10, reasoningTokens: 0 },
            }
          : {
              text: 'done',
              toolCalls: [],
              usage: { inputTokens: 1000, cachedInputTokens: 0, outputTokens: 10, reasoningTokens: 0 },
            },
    };
    const sandbox: Sandbox = {
      kind: 'none',
      run: async () => ({
        exitCode: 0,
        signal: null,
        stdout: '# pass 1\n# fail 0\n',
        stderr: '',
        durationMs: 0,
        timedOut: false,
        cancelled: false,
      }),
    };
    perRun.push(await timeRun(inProcess, sandbox, turns));
    if (r < 2) {
      const sdkTurns = 100;
      const plan = {
        calls: [{ name: 'update_plan', arguments: { plan: [{ step: 'x', status: 'in_progress' as const }] } }],
      };
      const server = await startScriptedModel([...Array.from({ length: sdkTurns - 1 }, () => plan), { text: 'done' }]);
      viaSdk.push(
        await timeRun(
          new OpenAIModel({ model: 'gpt-5', api: 'responses', baseURL: server.baseURL, apiKey: 'x' }),
          sandbox,
          sdkTurns,
        ),
      );
      await server.close();
    }
  }
  const fixed =
    systemPrompt({
      repoName: 'owner/repo',
      setup: ['npm ci'],
      test: 'npm test',
      instructionFiles: [],
      protectedPaths: ['.github/workflows/**'],
      network: false,
    }) + JSON.stringify(toolSpecs);
  return [
    {
      name: 'harness overhead per turn, in-process model (median of 5 × 300 turns)',
      value: median(perRun),
      unit: 'ms',
      target: '<= 20 ms',
    },
    {
      name: 'per turn incl. openai SDK + loopback scripted server (2 × 100 turns)',
      value: median(viaSdk),
      unit: 'ms',
      target: '',
    },
    {
      name: 'fixed prompt (system + tool schemas), ≈ chars/4',
      value: Math.round(fixed.length / 4),
      unit: 'tokens',
      target: '',
    },
  ];
}

async function timeRun(model: ModelClient, sandbox: Sandbox, turns: number): Promise<number> {
  const t = performance.now();
  await runAgent(
    {
      runId: 'bench',
      repoName: 'bench',
      task: { title: 'bench', body: 'bench', instructions: '' },
      setup: [],
      test: 'true',
      instructionFiles: [],
      protectedPaths: [],
      budgets: { maxTurns: turns + 10, maxTokens: 1e12, maxCostUsd: 1e9, maxMinutes: 600 },
      verificationRounds: 0,
      network: false,
      commandTimeoutMs: 1000,
      setupTimeoutMs: 1000,
      outputLimitBytes: 4096,
    },
    {
      model,
      sandbox,
      files: localFiles(tempDir('pw-bench-h-')),
      emit: () => {},
      changes: staticChanges(),
      verifier: noVerifier,
    },
    new AbortController().signal,
  );
  return (performance.now() - t) / turns;
}
