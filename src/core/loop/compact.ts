import type { Message } from '../model/model-port.ts';

export interface CompactionState {
  plan: Array<{ text: string; status: string }>;
  diff: string;
  latestFailures: string;
}

/** A rough token count (4 characters a token): enough to decide when to compact. */
export function estimateTokens(messages: Message[]): number {
  let chars = 0;
  for (const m of messages) {
    if (m.role === 'tool') chars += m.output.length;
    else if (m.role === 'assistant')
      chars += m.text.length + m.toolCalls.reduce((s, c) => s + c.arguments.length + c.name.length, 0);
    else chars += m.text.length;
  }
  return Math.ceil(chars / 4);
}

/**
 * Near the context window, older turns give way to one summary that keeps what matters: the
 * task (the first user message stays), the plan, the current diff and the latest failures. The
 * newest turns stay whole, cut where an assistant turn starts so every tool output still
 * follows its call.
 */
export function compactMessages(messages: Message[], state: CompactionState, keepRecent = 6): Message[] {
  const head = messages.slice(0, 2);
  let cut = Math.max(2, messages.length - keepRecent);
  while (cut < messages.length && messages[cut]!.role !== 'assistant') cut++;
  if (cut <= 2 || cut >= messages.length) return messages;
  const plan =
    state.plan.map((p) => `- [${p.status === 'completed' ? 'x' : ' '}] ${p.text}`).join('\n') || '(no plan recorded)';
  const diff =
    state.diff.length > 12_000
      ? `${state.diff.slice(0, 12_000)}\n[... diff cut ...]`
      : state.diff || '(no changes yet)';
  const summary: Message = {
    role: 'user',
    text: [
      `[Earlier turns were compacted to fit the context window: ${cut - 2} messages removed.]`,
      `Plan so far:\n${plan}`,
      `Current diff:\n${diff}`,
      state.latestFailures ? `Latest test failures:\n${state.latestFailures}` : '',
      'Continue from here.',
    ]
      .filter(Boolean)
      .join('\n\n'),
  };
  return [...head, summary, ...messages.slice(cut)];
}
