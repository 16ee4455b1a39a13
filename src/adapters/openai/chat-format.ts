import { answerLimit } from './answer-limit.ts';
import type { Message, ModelResponse, ToolCall, ToolSpec } from '../../core/model/model-port.ts';

type ChatMessage = Record<string, unknown>;

export function toChatMessages(messages: Message[]): ChatMessage[] {
  return messages.map((m) => {
    if (m.role === 'tool') return { role: 'tool', tool_call_id: m.callId, content: m.output };
    if (m.role !== 'assistant') return { role: m.role, content: m.text };
    return {
      role: 'assistant',
      content: m.text || null,
      ...(m.toolCalls.length
        ? {
            tool_calls: m.toolCalls.map((c) => ({
              id: c.id,
              type: 'function',
              function: { name: c.name, arguments: c.arguments },
            })),
          }
        : {}),
    };
  });
}

export function toChatTools(tools: ToolSpec[]): Array<Record<string, unknown>> {
  return tools.map((t) => ({
    type: 'function',
    function: { name: t.name, description: t.description, parameters: t.parameters },
  }));
}

interface ChatChunk {
  choices?: Array<{
    delta?: {
      content?: string | null;
      tool_calls?: Array<{ index: number; id?: string; function?: { name?: string; arguments?: string } }>;
    };
  }>;
  usage?: {
    prompt_tokens?: number;
    completion_tokens?: number;
    prompt_tokens_details?: { cached_tokens?: number };
    completion_tokens_details?: { reasoning_tokens?: number };
  } | null;
}

/** Assembles a streamed Chat Completions answer; tool call arguments arrive in pieces by index. */
export async function readChatStream(
  stream: AsyncIterable<unknown>,
  onDelta?: (d: string) => void,
): Promise<ModelResponse> {
  let text = '';
  const calls = new Map<number, ToolCall>();
  let usage: ChatChunk['usage'];
  const limit = answerLimit();
  for await (const raw of stream) {
    const chunk = raw as ChatChunk;
    if (chunk.usage) usage = chunk.usage;
    const delta = chunk.choices?.[0]?.delta;
    if (!delta) continue;
    limit.add(
      (delta.content?.length ?? 0) +
        (delta.tool_calls ?? []).reduce((n, t) => n + (t.function?.arguments?.length ?? 0), 0),
    );
    if (delta.content) {
      text += delta.content;
      onDelta?.(delta.content);
    }
    for (const tc of delta.tool_calls ?? []) {
      const call = calls.get(tc.index) ?? { id: '', name: '', arguments: '' };
      if (tc.id) call.id = tc.id;
      if (tc.function?.name) call.name += tc.function.name;
      if (tc.function?.arguments) call.arguments += tc.function.arguments;
      calls.set(tc.index, call);
    }
  }
  return {
    text,
    toolCalls: [...calls.entries()].sort((a, b) => a[0] - b[0]).map(([i, c]) => ({ ...c, id: c.id || `call_${i}` })),
    usage: {
      inputTokens: usage?.prompt_tokens ?? 0,
      cachedInputTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
      outputTokens: usage?.completion_tokens ?? 0,
      reasoningTokens: usage?.completion_tokens_details?.reasoning_tokens ?? 0,
    },
  };
}
