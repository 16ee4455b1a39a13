/** Provider-neutral conversation types: the OpenAI adapter maps them to Responses or Chat. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export type Message =
  | { role: 'system' | 'user'; text: string }
  | { role: 'assistant'; text: string; toolCalls: ToolCall[] }
  | { role: 'tool'; callId: string; output: string };

export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface TokenUsage {
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
}

export interface ModelRequest {
  messages: Message[];
  tools: ToolSpec[];
  signal?: AbortSignal;
  onTextDelta?: (delta: string) => void;
}

export interface ModelResponse {
  text: string;
  toolCalls: ToolCall[];
  usage: TokenUsage;
}

export interface ModelClient {
  readonly model: string;
  complete(req: ModelRequest): Promise<ModelResponse>;
}

export class ModelError extends Error {
  readonly code = 'model_error';
  /** `context_length`: the request did not fit the model's context window; compacting may help. */
  readonly reason: 'context_length' | 'other';

  constructor(message: string, reason: 'context_length' | 'other' = 'other') {
    super(message);
    this.reason = reason;
  }
}
