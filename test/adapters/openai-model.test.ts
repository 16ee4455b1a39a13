import { afterEach, describe, expect, it } from 'vitest';
import { OpenAIModel } from '../../src/adapters/openai/openai-model.ts';
import type { Message } from '../../src/core/model/model-port.ts';
import { startScriptedModel, type ScriptedModel } from '../support/scripted-model.ts';

let server: ScriptedModel | undefined;
afterEach(async () => server?.close());

const history: Message[] = [
  { role: 'system', text: 'be brief' },
  { role: 'user', text: 'fix it' },
  { role: 'assistant', text: '', toolCalls: [{ id: 'call_a', name: 'shell', arguments: '{"command":["ls"]}' }] },
  { role: 'tool', callId: 'call_a', output: 'a.js' },
];
const tools = [{ name: 'shell', description: 'run', parameters: { type: 'object', properties: {} } }];

describe.each(['responses', 'chat'] as const)('OpenAIModel over %s', (api) => {
  it('streams text, assembles tool calls and reports usage', async () => {
    server = await startScriptedModel([
      {
        text: 'Looking at the tests now.',
        calls: [{ name: 'shell', arguments: { command: ['npm', 'test'] } }],
        usage: { input: 1200, cached: 200, output: 80, reasoning: 30 },
      },
    ]);
    const model = new OpenAIModel({ model: 'gpt-5', api, baseURL: server.baseURL, apiKey: 'test' });
    const deltas: string[] = [];
    const res = await model.complete({ messages: history, tools, onTextDelta: (d) => deltas.push(d) });
    expect(res.text).toBe('Looking at the tests now.');
    expect(deltas.join('')).toBe(res.text);
    expect(deltas.length).toBeGreaterThan(1);
    expect(res.toolCalls).toEqual([{ id: expect.any(String), name: 'shell', arguments: '{"command":["npm","test"]}' }]);
    expect(res.usage).toEqual({ inputTokens: 1200, cachedInputTokens: 200, outputTokens: 80, reasoningTokens: 30 });
    expect(server.violations).toEqual([]);
    expect(server.requests[0]?.path).toBe(api === 'chat' ? '/v1/chat/completions' : '/v1/responses');
  });

  it('retries 500s and 429 with Retry-After, then succeeds', async () => {
    server = await startScriptedModel([
      { status: 500 },
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 503 },
      { text: 'ok' },
    ]);
    const model = new OpenAIModel({ model: 'gpt-5', api, baseURL: server.baseURL, apiKey: 'test' });
    expect((await model.complete({ messages: history, tools })).text).toBe('ok');
    expect(server.requests).toHaveLength(4);
  });

  it('stops a stream that never ends, with a clear model_error', async () => {
    server = await startScriptedModel([{ endless: true }]);
    const model = new OpenAIModel({ model: 'gpt-5', api, baseURL: server.baseURL, apiKey: 'test', maxRetries: 0 });
    let seen = 0;
    await expect(
      model.complete({ messages: history, tools, onTextDelta: (d) => (seen += d.length) }),
    ).rejects.toMatchObject({
      code: 'model_error',
      message: expect.stringMatching(/ran past 4000000 characters without ending/),
    });
    expect(seen).toBeLessThanOrEqual(4_000_000);
  });

  it('gives a clear model_error when retries run out', async () => {
    server = await startScriptedModel([{ status: 500 }, { status: 500 }]);
    const model = new OpenAIModel({ model: 'gpt-5', api, baseURL: server.baseURL, apiKey: 'test', maxRetries: 1 });
    await expect(model.complete({ messages: history, tools })).rejects.toMatchObject({
      code: 'model_error',
      message: expect.stringMatching(/HTTP 500/),
    });
  });
});
