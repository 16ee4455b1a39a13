import OpenAI from 'openai';
import { ModelError, type ModelClient, type ModelRequest, type ModelResponse } from '../../core/model/model-port.ts';
import { toChatMessages, toChatTools, readChatStream } from './chat-format.ts';
import { toResponsesInput, toResponsesTools, readResponsesStream } from './responses-format.ts';

export interface OpenAIModelOptions {
  model: string;
  api: 'responses' | 'chat';
  apiKey?: string | undefined;
  baseURL?: string | undefined;
  reasoningEffort?: 'minimal' | 'low' | 'medium' | 'high' | undefined;
  /** Retries on 408/409/429/5xx and dropped connections, with jittered backoff and Retry-After. */
  maxRetries?: number;
  timeoutMs?: number;
}

/**
 * ModelClient on the official SDK, streaming. Responses API by default; Chat Completions for
 * servers that only speak that (Ollama, vLLM, LiteLLM...).
 */
export class OpenAIModel implements ModelClient {
  readonly model: string;
  readonly #client: OpenAI;
  readonly #opts: OpenAIModelOptions;

  constructor(opts: OpenAIModelOptions) {
    this.model = opts.model;
    this.#opts = opts;
    this.#client = new OpenAI({
      apiKey: opts.apiKey ?? 'not-needed',
      baseURL: opts.baseURL,
      maxRetries: opts.maxRetries ?? 4,
      timeout: opts.timeoutMs ?? 10 * 60_000,
    });
  }

  async complete(req: ModelRequest): Promise<ModelResponse> {
    // The SDK retries a request that fails before its answer starts; a stream cut in the middle
    // (the connection dropped after the first bytes) is asked again here, a few times.
    for (let attempt = 0; ; attempt++) {
      const started = { value: false };
      try {
        return this.#opts.api === 'chat' ? await this.#chat(req, started) : await this.#responses(req, started);
      } catch (error) {
        if (req.signal?.aborted || error instanceof ModelError) throw error;
        if (started.value && !(error instanceof OpenAI.APIError && error.status) && attempt < STREAM_RETRIES) {
          await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
          continue;
        }
        throw new ModelError(describe(error, started.value), isContextLength(error) ? 'context_length' : 'other');
      }
    }
  }

  async #responses(req: ModelRequest, started: { value: boolean }): Promise<ModelResponse> {
    const { instructions, input } = toResponsesInput(req.messages);
    const stream = await this.#client.responses.create(
      {
        model: this.model,
        instructions,
        // Our items are built to the wire format by hand (responses-format.ts).
        input: input as unknown as OpenAI.Responses.ResponseInput,
        tools: toResponsesTools(req.tools) as unknown as OpenAI.Responses.Tool[],
        stream: true,
        store: false,
        ...(this.#opts.reasoningEffort ? { reasoning: { effort: this.#opts.reasoningEffort } } : {}),
      },
      { signal: req.signal },
    );
    started.value = true;
    return readResponsesStream(stream, req.onTextDelta);
  }

  async #chat(req: ModelRequest, started: { value: boolean }): Promise<ModelResponse> {
    const stream = await this.#client.chat.completions.create(
      {
        model: this.model,
        messages: toChatMessages(req.messages) as unknown as OpenAI.Chat.ChatCompletionMessageParam[],
        ...(req.tools.length ? { tools: toChatTools(req.tools) as unknown as OpenAI.Chat.ChatCompletionTool[] } : {}),
        stream: true,
        stream_options: { include_usage: true },
        ...(this.#opts.reasoningEffort ? { reasoning_effort: this.#opts.reasoningEffort } : {}),
      },
      { signal: req.signal },
    );
    started.value = true;
    return readChatStream(stream, req.onTextDelta);
  }
}

const STREAM_RETRIES = 2;

/** OpenAI's `context_length_exceeded`, and the words vLLM, Ollama and LiteLLM use for it. */
function isContextLength(error: unknown): boolean {
  if (!(error instanceof OpenAI.APIError) || (error.status !== 400 && error.status !== 413)) return false;
  return (
    error.code === 'context_length_exceeded' ||
    /context[ _-]?(length|window)|maximum context|too many tokens|prompt is too long/i.test(error.message)
  );
}

function describe(error: unknown, midStream = false): string {
  if (midStream && !(error instanceof OpenAI.APIError && error.status)) {
    return `the model's answer stopped in the middle, ${STREAM_RETRIES + 1} times: ${error instanceof Error ? error.message : String(error)}`.slice(
      0,
      500,
    );
  }
  if (error instanceof OpenAI.APIError) {
    const status = error.status ? `HTTP ${error.status}` : 'connection failed';
    return `the model server answered badly (${status}): ${error.message}`.slice(0, 500);
  }
  return error instanceof Error ? error.message : String(error);
}
