import { afterEach, describe, expect, it } from 'vitest';
import { OpenAIModel } from '../../src/adapters/openai/openai-model.ts';
import { cleanTitle, writeTitle } from '../../src/core/loop/write-title.ts';
import type { Message } from '../../src/core/model/model-port.ts';
import type { CommitStyle } from '../../src/repo/conventions/commit-style.ts';
import { titleBrief } from '../../src/repo/conventions/title-brief.ts';
import { startScriptedModel, type ScriptedModel } from '../support/scripted-model.ts';

let server: ScriptedModel | undefined;
afterEach(async () => server?.close());

const style: CommitStyle = {
  kind: 'conventional',
  types: ['fix', 'feat'],
  scopes: ['math'],
  capitalized: false,
  imperative: true,
  confidence: 0.9,
  sample: 30,
  source: 'history',
};
const brief = titleBrief({
  style,
  recent: [{ subject: 'fix(math): handle NaN (#12)', bot: false }],
  issueTitle: 'add returns a difference',
  kind: 'fix',
});
const history: Message[] = [
  { role: 'system', text: 'rules' },
  { role: 'user', text: 'fix add' },
  { role: 'assistant', text: '', toolCalls: [{ id: 'call_a', name: 'shell', arguments: '{"command":["ls"]}' }] },
  { role: 'tool', callId: 'call_a', output: 'math.js' },
  { role: 'assistant', text: 'Fixed add.', toolCalls: [] },
];
const tools = [{ name: 'shell', description: 'run', parameters: { type: 'object', properties: {} } }];
const lastUserText = (body: Record<string, unknown>) =>
  JSON.stringify(body.input ?? body.messages).split('That title cannot be used').length - 1;

describe.each(['responses', 'chat'] as const)('writeTitle over %s', (api) => {
  const model = () => new OpenAIModel({ model: 'gpt-5', api, baseURL: server!.baseURL, apiKey: 'test', maxRetries: 0 });

  it("uses the model's title when it fits, after the same conversation, with the style and examples", async () => {
    server = await startScriptedModel([
      { text: '"fix(math): return the sum from add"', usage: { input: 900, cached: 800, output: 12 } },
    ]);
    const t = await writeTitle(model(), history, tools, brief, ['math.js'], new AbortController().signal);
    expect(t).toEqual({
      title: 'fix(math): return the sum from add',
      source: 'model',
      usage: { inputTokens: 900, cachedInputTokens: 800, outputTokens: 12, reasoningTokens: 0 },
    });
    const sent = JSON.stringify(server.requests[0]!.body);
    expect(sent).toMatch(
      /Fixed add\.[\s\S]*Write the pull request title[\s\S]*Conventional Commits[\s\S]*fix\(math\): handle NaN/,
    );
    expect(sent).not.toContain('(#12)');
    expect(server.violations).toEqual([]);
  });

  it('asks again with the reason, then takes the corrected title', async () => {
    server = await startScriptedModel([
      { text: '[WIP] Fix add' },
      (body) => ({
        text:
          lastUserText(body) === 1 && /WIP/.test(JSON.stringify(body))
            ? 'fix: make add return the sum'
            : 'no reason given',
      }),
    ]);
    const t = await writeTitle(model(), history, tools, brief, ['math.js'], new AbortController().signal);
    expect(t).toMatchObject({ title: 'fix: make add return the sum', source: 'model' });
    expect(server.requests).toHaveLength(2);
    expect(server.violations).toEqual([]);
  });

  it('repairs the title itself after two misses, a tool call or a model error', async () => {
    server = await startScriptedModel([
      { text: 'Make add return the sum' },
      { calls: [{ name: 'shell', arguments: { command: ['ls'] } }] },
    ]);
    expect(await writeTitle(model(), history, tools, brief, ['math.js'], new AbortController().signal)).toMatchObject({
      title: 'fix: make add return the sum',
      source: 'repaired',
    });
    await server.close();
    server = await startScriptedModel([{ status: 500 }]);
    expect(await writeTitle(model(), history, tools, brief, ['math.js'], new AbortController().signal)).toMatchObject({
      title: 'fix: add returns a difference',
      source: 'repaired',
    });
  });
});

it('cleans what models wrap titles in', () => {
  expect(cleanTitle('Title: `fix: x`\n\nBecause...')).toBe('fix: x');
  expect(cleanTitle('**Title:** Fix the parser.')).toBe('Fix the parser');
  expect(cleanTitle('Title handling for empty lists')).toBe('Title handling for empty lists');
  expect(cleanTitle("'Add mul'")).toBe('Add mul');
});
