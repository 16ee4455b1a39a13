import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCommand } from '../../src/cli/run-command.ts';
import type { RunEvent } from '../../src/protocol/run-event.ts';
import { tempDir } from '../support/app-harness.ts';
import { fixtureRepo, nodeBuggy, nodeFix } from '../support/fixture-repo.ts';
import { startScriptedModel, type ScriptedModel, type Step } from '../support/scripted-model.ts';

let model: ScriptedModel | undefined;
let out: string[] = [];

beforeEach(() => {
  out = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
});

afterEach(async () => {
  vi.restoreAllMocks();
  await model?.close();
  model = undefined;
});

const fix: Step = { calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] };
const done: Step = { text: 'Fixed add.' };

/** `patchwright run` on a buggy checkout, the model answering with `script` over `api`. */
async function run(
  script: Array<Step | ((b: Record<string, unknown>) => Step)>,
  api: 'responses' | 'chat' = 'responses',
  extraEnv: Record<string, string> = {},
) {
  await model?.close();
  out.length = 0;
  model = await startScriptedModel(script, { titles: () => 'Make add return the sum' });
  const env = {
    ...process.env,
    OPENAI_BASE_URL: model.baseURL,
    OPENAI_API_KEY: 'test-key',
    PATCHWRIGHT_MODEL: 'gpt-5',
    PATCHWRIGHT_MODEL_API: api,
    PATCHWRIGHT_DATA_DIR: tempDir('pw-mf-data-'),
    ...extraEnv,
  };
  const code = await runCommand(['--repo', fixtureRepo(nodeBuggy), '--task', 'Fix add so it adds', '--json'], env);
  const events = out
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as RunEvent);
  const completed = events.find((e) => e.type === 'run.completed') as Extract<RunEvent, { type: 'run.completed' }>;
  return { code, done: completed, events, requests: model.requests.length };
}

describe('the model misbehaves: each fault ends in a retry or a classified outcome, tokens still counted', () => {
  it('429 without Retry-After: retried with backoff, then the run succeeds', async () => {
    const r = await run([
      { status: 429, body: { error: { message: 'Rate limit reached', type: 'requests' } } },
      fix,
      done,
    ]);
    expect(r.done.outcome).toBe('succeeded');
    expect(r.requests).toBe(4); // the 429, the fix, the answer, the title
    expect(r.done.evidence.usage.inputTokens).toBe(300);
  });

  it('500, then 503 with Retry-After: retried, then the run succeeds', async () => {
    const r = await run([{ status: 500 }, { status: 503, headers: { 'retry-after': '1' } }, fix, done], 'chat');
    expect(r.done.outcome).toBe('succeeded');
    expect(r.requests).toBe(5);
  });

  it.each(['responses', 'chat'] as const)(
    'a %s stream that stops in the middle is asked again, and the run succeeds',
    async (api) => {
      const r = await run([{ cut: 'I will now fix the' }, fix, { cut: 'Fixed a' }, done], api);
      expect(r.done.outcome).toBe('succeeded');
      expect(r.requests).toBe(5);
      expect(r.done.evidence.usage.inputTokens).toBe(300);
    },
  );

  it('a stream that keeps stopping in the middle → model_error that says so, with the tokens of the turns before', async () => {
    const r = await run([fix, { cut: 'a' }, { cut: 'b' }, { cut: 'c' }]);
    expect(r.done.outcome).toBe('model_error');
    expect(r.done.summary).toMatch(/stopped in the middle, 3 times/);
    expect(r.done.evidence.usage.inputTokens).toBe(100);
  });

  it('a malformed tool call goes back to the model as an error, and the loop goes on', async () => {
    const r = await run([{ calls: [{ name: 'apply_patch', arguments: '{"input": "*** Begin Patch' }] }, fix, done]);
    expect(r.done.outcome).toBe('succeeded');
    const outputs = JSON.stringify(model!.requests[1]!.body.input);
    expect(outputs).toMatch(/not valid JSON/);
  });

  it('a call to a tool that does not exist is answered with the tools there are, and the loop goes on', async () => {
    const r = await run([{ calls: [{ name: 'browse_web', arguments: { url: 'https://example.com' } }] }, fix, done]);
    expect(r.done.outcome).toBe('succeeded');
    const outputs = model!.requests[1]!.body.input as Array<{ type?: string; output?: string }>;
    expect(outputs.find((i) => i.type === 'function_call_output')?.output).toMatch(
      /there is no tool named "browse_web"\. Tools: shell, apply_patch/,
    );
  });

  it('an endless stream of text is stopped: model_error, tokens of earlier turns counted', async () => {
    const r = await run([fix, { endless: true }]);
    expect(r.done.outcome).toBe('model_error');
    expect(r.done.summary).toMatch(/stopped|too long|without end|4,000,000/i);
    expect(r.done.evidence.usage.inputTokens).toBe(100);
  });

  it('a context-length error: older turns are compacted and the turn asked again; when even that does not fit, model_error says what to set', async () => {
    const tooLong = {
      status: 400,
      body: {
        error: {
          message: "This model's maximum context length is 8192 tokens.",
          type: 'invalid_request_error',
          code: 'context_length_exceeded',
        },
      },
    };
    const look: Step = { calls: [{ name: 'shell', arguments: { command: ['cat', 'math.js'] } }] };
    const ok = await run([look, look, fix, tooLong, done]);
    expect(ok.done.outcome).toBe('succeeded');
    expect(
      ok.events.some(
        (e) =>
          e.type === 'item.completed' &&
          e.item.kind === 'reasoning_summary' &&
          /too long for it; older turns were compacted/.test(e.item.text),
      ),
    ).toBe(true);
    const bad = await run([tooLong]);
    expect(bad.done.outcome).toBe('model_error');
    expect(bad.done.summary).toMatch(/does not fit the model's context window[\s\S]*PATCHWRIGHT_CONTEXT_TOKENS/);
  });
});
