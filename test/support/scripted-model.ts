import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Step =
  | {
      text?: string;
      calls?: Array<{ name: string; arguments: unknown }>;
      usage?: { input?: number; cached?: number; output?: number; reasoning?: number };
    }
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { hang: true }
  /** Streams text without end (until the client goes away), like a model that never stops. */
  | { endless: true }
  /** Starts streaming this text, then drops the connection before the answer is complete. */
  | { cut: string };

export interface ScriptedModel {
  baseURL: string;
  requests: Array<{ path: string; body: Record<string, unknown> }>;
  /** Transcript problems seen in any request: a tool output without an earlier call. */
  violations: string[];
  remaining(): number;
  close(): Promise<void>;
}

/**
 * A local model server speaking OpenAI's Responses and Chat Completions wire formats,
 * streaming or not, answering each request with the next scripted step.
 * A step may be a function of the request, for models that react to what they are sent.
 */
export interface ScriptOptions {
  /**
   * Answers the harness's title requests (the last message asks for a title or subject) outside
   * the script, given that message and the whole request, so scripts keep to the work itself.
   */
  titles?: (lastMessage: string, body: Record<string, unknown>) => string;
}

export async function startScriptedModel(
  script: Array<Step | ((body: Record<string, unknown>) => Step | Promise<Step>)>,
  opts: ScriptOptions = {},
): Promise<ScriptedModel> {
  const queue = [...script];
  const requests: ScriptedModel['requests'] = [];
  const violations: string[] = [];
  let callSeq = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
      const path = req.url ?? '';
      requests.push({ path, body });
      violations.push(...checkTranscript(path, body));
      const items = (body.input ?? body.messages) as unknown[] | undefined;
      const last = JSON.stringify(items?.at(-1) ?? '');
      const titleAsked = opts.titles && /Reply with the (corrected )?title only/.test(last);
      const next = titleAsked ? { text: opts.titles!(last, body) } : queue.shift();
      const chosen = typeof next === 'function' ? next(body) : next;
      // A step may be a promise: the model "thinks" until the test lets it answer.
      if (chosen instanceof Promise) return void chosen.then((step) => answer(step));
      answer(chosen);
      function answer(step: Step | undefined): void {
        if (!step)
          return void res
            .writeHead(500, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: { message: 'script exhausted' } }));
        if ('hang' in step) return;
        if ('endless' in step) return streamForever(res, path.endsWith('/responses'));
        if ('cut' in step) return streamThenCut(res, path.endsWith('/responses'), step.cut);
        if ('status' in step) {
          res
            .writeHead(step.status, { 'content-type': 'application/json', ...step.headers })
            .end(JSON.stringify(step.body ?? { error: { message: `scripted ${step.status}` } }));
          return;
        }
        const calls = (step.calls ?? []).map((c) => ({
          id: `call_${++callSeq}`,
          name: c.name,
          arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments),
        }));
        const usage = { input: 100, cached: 0, output: 20, reasoning: 0, ...step.usage };
        if (path.endsWith('/responses'))
          return respondResponses(res, body.stream === true, step.text ?? '', calls, usage);
        return respondChat(res, body.stream === true, step.text ?? '', calls, usage);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    violations,
    remaining: () => queue.length,
    close: () => new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections())),
  };
}

type Call = { id: string; name: string; arguments: string };
type Usage = { input: number; cached: number; output: number; reasoning: number };

function respondResponses(res: http.ServerResponse, stream: boolean, text: string, calls: Call[], u: Usage): void {
  const output = [
    ...(text
      ? [
          {
            type: 'message',
            id: 'msg_1',
            role: 'assistant',
            status: 'completed',
            content: [{ type: 'output_text', text, annotations: [] }],
          },
        ]
      : []),
    ...calls.map((c) => ({
      type: 'function_call',
      id: `fc_${c.id}`,
      call_id: c.id,
      name: c.name,
      arguments: c.arguments,
      status: 'completed',
    })),
  ];
  const response = {
    id: 'resp_1',
    object: 'response',
    status: 'completed',
    output,
    usage: {
      input_tokens: u.input,
      input_tokens_details: { cached_tokens: u.cached },
      output_tokens: u.output,
      output_tokens_details: { reasoning_tokens: u.reasoning },
      total_tokens: u.input + u.output,
    },
  };
  if (!stream) return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(response));
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const send = (type: string, data: object) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  send('response.created', { response: { ...response, status: 'in_progress', output: [] } });
  for (const piece of text.match(/.{1,8}/gs) ?? [])
    send('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta: piece });
  send('response.completed', { response });
  res.end();
}

function streamThenCut(res: http.ServerResponse, responses: boolean, text: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  if (responses) {
    res.write(
      `event: response.created\ndata: ${JSON.stringify({ type: 'response.created', response: { id: 'resp_1', status: 'in_progress', output: [] } })}\n\n`,
    );
    res.write(
      `event: response.output_text.delta\ndata: ${JSON.stringify({ type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: text })}\n\n`,
    );
  } else {
    res.write(
      `data: ${JSON.stringify({ id: 'chat_1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`,
    );
  }
  setTimeout(() => res.socket?.destroy(), 20);
}

function streamForever(res: http.ServerResponse, responses: boolean): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const piece = 'na'.repeat(32 * 1024);
  const event = responses
    ? `event: response.output_text.delta\ndata: ${JSON.stringify({ type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: piece })}\n\n`
    : `data: ${JSON.stringify({ id: 'chat_1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`;
  if (responses)
    res.write(
      `event: response.created\ndata: ${JSON.stringify({ type: 'response.created', response: { id: 'resp_1', status: 'in_progress', output: [] } })}\n\n`,
    );
  const timer = setInterval(() => {
    if (res.destroyed || res.writableEnded) return clearInterval(timer);
    res.write(event);
  }, 2);
  res.on('close', () => clearInterval(timer));
}

function respondChat(res: http.ServerResponse, stream: boolean, text: string, calls: Call[], u: Usage): void {
  const usage = {
    prompt_tokens: u.input,
    completion_tokens: u.output,
    total_tokens: u.input + u.output,
    prompt_tokens_details: { cached_tokens: u.cached },
    completion_tokens_details: { reasoning_tokens: u.reasoning },
  };
  const toolCalls = calls.map((c) => ({
    id: c.id,
    type: 'function',
    function: { name: c.name, arguments: c.arguments },
  }));
  if (!stream) {
    const message = {
      role: 'assistant',
      content: text || null,
      ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
    };
    const body = {
      id: 'chat_1',
      object: 'chat.completion',
      choices: [{ index: 0, message, finish_reason: toolCalls.length ? 'tool_calls' : 'stop' }],
      usage,
    };
    return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const send = (delta: object, extra: object = {}) =>
    res.write(
      `data: ${JSON.stringify({ id: 'chat_1', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`,
    );
  send({ role: 'assistant' });
  for (const piece of text.match(/.{1,8}/gs) ?? []) send({ content: piece });
  calls.forEach((c, index) => {
    send({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] });
    for (const piece of c.arguments.match(/.{1,16}/gs) ?? [])
      send({ tool_calls: [{ index, function: { arguments: piece } }] });
  });
  res.write(`data: ${JSON.stringify({ id: 'chat_1', object: 'chat.completion.chunk', choices: [], usage })}\n\n`);
  res.end('data: [DONE]\n\n');
}

function checkTranscript(path: string, body: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  if (path.endsWith('/responses')) {
    for (const item of (body.input as Array<Record<string, unknown>>) ?? []) {
      if (item.type === 'function_call') seen.add(String(item.call_id));
      if (item.type === 'function_call_output' && !seen.has(String(item.call_id)))
        problems.push(`output for unknown call ${String(item.call_id)}`);
    }
  } else {
    for (const m of (body.messages as Array<Record<string, unknown>>) ?? []) {
      for (const c of (m.tool_calls as Array<{ id: string }>) ?? []) seen.add(c.id);
      if (m.role === 'tool' && !seen.has(String(m.tool_call_id)))
        problems.push(`tool message for unknown call ${String(m.tool_call_id)}`);
    }
  }
  return problems;
}
