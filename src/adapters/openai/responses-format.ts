import { answerLimit } from './answer-limit.ts';
import type { Message, ModelResponse, ToolCall, ToolSpec } from '../../core/model/model-port.ts';

type InputItem = Record<string, unknown>;

/** Messages as Responses API input items; system text goes to `instructions`. */
export function toResponsesInput(messages: Message[]): { instructions: string; input: InputItem[] } {
  const instructions = messages
    .filter((m) => m.role === 'system')
    .map((m) => (m as { text: string }).text)
    .join('\n\n');
  const input: InputItem[] = [];
  for (const m of messages) {
    if (m.role === 'user') input.push({ role: 'user', content: m.text });
    if (m.role === 'assistant') {
      if (m.text) input.push({ role: 'assistant', content: m.text });
      for (const c of m.toolCalls)
        input.push({ type: 'function_call', call_id: c.id, name: c.name, arguments: c.arguments });
    }
    if (m.role === 'tool') input.push({ type: 'function_call_output', call_id: m.callId, output: m.output });
  }
  return { instructions, input };
}

export function toResponsesTools(tools: ToolSpec[]): Array<Record<string, unknown>> {
  return tools.map((t) => ({
    type: 'function',
    name: t.name,
    description: t.description,
    parameters: t.parameters,
    strict: false,
  }));
}

interface ResponsesEvent {
  type: string;
  delta?: string;
  response?: {
    output?: Array<{
      type: string;
      call_id?: string;
      name?: string;
      arguments?: string;
      content?: Array<{ type: string; text?: string }>;
    }>;
    usage?: {
      input_tokens?: number;
      output_tokens?: number;
      input_tokens_details?: { cached_tokens?: number };
      output_tokens_details?: { reasoning_tokens?: number };
    };
    error?: { message?: string } | null;
  };
}

/** Reads a streamed Responses answer: text deltas as they come, the rest from `response.completed`. */
export async function readResponsesStream(
  stream: AsyncIterable<unknown>,
  onDelta?: (d: string) => void,
): Promise<ModelResponse> {
  let done: ResponsesEvent['response'] | undefined;
  const limit = answerLimit();
  for await (const raw of stream) {
    const event = raw as ResponsesEvent;
    if (event.delta) limit.add(event.delta.length);
    if (event.type === 'response.output_text.delta' && event.delta) onDelta?.(event.delta);
    if (event.type === 'response.completed' || event.type === 'response.incomplete') done = event.response;
    if (event.type === 'response.failed' || event.type === 'error')
      throw new Error(event.response?.error?.message ?? 'the response failed');
  }
  if (!done) throw new Error('the stream ended before the response completed');
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const item of done.output ?? []) {
    if (item.type === 'message') text += (item.content ?? []).map((c) => c.text ?? '').join('');
    if (item.type === 'function_call')
      toolCalls.push({ id: item.call_id ?? '', name: item.name ?? '', arguments: item.arguments ?? '' });
  }
  const u = done.usage ?? {};
  return {
    text,
    toolCalls,
    usage: {
      inputTokens: u.input_tokens ?? 0,
      cachedInputTokens: u.input_tokens_details?.cached_tokens ?? 0,
      outputTokens: u.output_tokens ?? 0,
      reasoningTokens: u.output_tokens_details?.reasoning_tokens ?? 0,
    },
  };
}
