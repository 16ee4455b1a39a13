import type { Message, ModelClient, ToolSpec, TokenUsage } from '../model/model-port.ts';
import { addUsage, zeroUsage } from '../model/prices.ts';
import { fence } from '../prompt/sanitize.ts';
import type { TitleBrief } from '../ports.ts';

const TITLE_TIMEOUT_MS = 120_000;

export interface WrittenTitle {
  title: string;
  /** `model`: the model's own title passed the checks; `repaired`: the harness built it. */
  source: 'model' | 'repaired';
  usage: TokenUsage;
}

/**
 * Asks the model, at the end of the same conversation (so the cached prefix is reused), for the
 * pull request title. The harness checks it against the repository's style and asks once more
 * with the reason; a second miss, an error or a tool call is repaired without the model.
 */
export async function writeTitle(
  model: ModelClient,
  history: Message[],
  tools: ToolSpec[],
  brief: TitleBrief,
  changedFiles: string[],
  signal: AbortSignal,
): Promise<WrittenTitle> {
  const messages = [...history, { role: 'user' as const, text: titlePrompt(brief) }];
  let usage = zeroUsage;
  let attempt: string | null = null;
  for (let round = 0; round < 2 && !signal.aborted; round++) {
    // A title is not worth a long wait: a hanging model gets a repaired title after two minutes.
    const res = await model
      .complete({ messages, tools, signal: AbortSignal.any([signal, AbortSignal.timeout(TITLE_TIMEOUT_MS)]) })
      .catch(() => null);
    if (!res) break;
    usage = addUsage(usage, res.usage);
    const title = res.toolCalls.length ? null : cleanTitle(res.text);
    const problem =
      title === null ? 'reply with the title as plain text, without calling a tool' : brief.problem(title);
    if (title !== null) attempt = title;
    if (problem === null && title !== null) return { title, source: 'model', usage };
    if (res.toolCalls.length === 0) messages.push({ role: 'assistant', text: res.text, toolCalls: [] });
    messages.push({
      role: 'user',
      text: `That title cannot be used: ${problem}. Reply with the corrected title only.`,
    });
  }
  return { title: brief.repair(attempt, changedFiles), source: 'repaired', usage };
}

function titlePrompt(brief: TitleBrief): string {
  return [
    `The work is done. Write the ${brief.what} for this change, as a member of this team would.`,
    brief.guidance,
    ...(brief.examples.length
      ? [fence(`Recent ${brief.what}s in this repository`, brief.examples.map((e) => `- ${e}`).join('\n'), 4000)]
      : []),
    'Say what the change does, not what the issue reported. One line, at most 72 characters, no quotes, no trailing period, no `[WIP]` or bot prefix. Reply with the title only and do not call tools.',
  ].join('\n\n');
}

/** The first line, without quotes, markdown emphasis, a `Title:` label or a trailing period. */
export function cleanTitle(text: string): string {
  const line =
    text
      .split('\n')
      .map((l) => l.trim())
      .find(Boolean) ?? '';
  return line
    .replace(/^(\*\*)?(pr |pull request )?title(\*\*)?:(\*\*)?\s*/i, '')
    .replace(/^(["'`*]+)(.*?)\1$/, '$2')
    .replace(/\.$/, '')
    .trim();
}
