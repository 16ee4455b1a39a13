import { outcomeWords } from '../protocol/outcome.ts';
import type { RunEvent, Usage } from '../protocol/run-event.ts';
import { codexItem, planSteps, tokenUsage, type CodexItem, type TurnRecord } from './codex-shapes.ts';

export type Notify = (method: string, params: Record<string, unknown>) => void;

const ZERO: Usage = { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, costUsd: 0 };

/**
 * Turns one turn's engine events (RunEvent) into the Codex app-server notifications, and keeps
 * the turn's items for `thread/read`. Every item gets `item/started` before its deltas and its
 * `item/completed`, as Codex clients expect.
 */
export class TurnEvents {
  readonly #threadId: string;
  readonly #cwd: string;
  readonly #turn: TurnRecord;
  readonly #notify: Notify;
  readonly #window: number | undefined;
  readonly #now: () => number;
  readonly #started = new Map<string, number>();
  #usage: Usage;
  /** Thread-wide token totals before this turn. */
  readonly #before: Usage;
  #quiet = false;
  /** The engine's phase: a test run at `baseline` is before any change, later ones after it. */
  #phase = '';

  constructor(
    threadId: string,
    cwd: string,
    turn: TurnRecord,
    notify: Notify,
    window: number | undefined,
    before: Usage = ZERO,
    now: () => number = Date.now,
  ) {
    this.#threadId = threadId;
    this.#cwd = cwd;
    this.#turn = turn;
    this.#notify = (m, p) => {
      if (!this.#quiet) notify(m, p);
    };
    this.#window = window;
    this.#now = now;
    this.#before = before;
    this.#usage = before;
  }

  get usage(): Usage {
    return this.#usage;
  }

  #ids(): { threadId: string; turnId: string } {
    return { threadId: this.#threadId, turnId: this.#turn.id };
  }

  /** A whole item at once (the user's message, a title, the closing note). */
  item(item: CodexItem): void {
    this.#start(item);
    this.#complete(item);
  }

  #start(item: CodexItem): void {
    if (this.#started.has(item.id)) return;
    const at = this.#now();
    this.#started.set(item.id, at);
    this.#notify('item/started', { item, ...this.#ids(), startedAtMs: at });
  }

  #complete(item: CodexItem): void {
    this.#turn.items.push(item);
    this.#notify('item/completed', { item, ...this.#ids(), completedAtMs: this.#now() });
  }

  #testLabel(): string {
    return this.#phase === 'baseline' ? 'the tests before any change (baseline)' : 'the tests after the change';
  }

  /** `quiet`: take the event in (what has started, the phase, the usage) without telling the client. */
  on(e: RunEvent, quiet = false): void {
    this.#quiet = quiet;
    try {
      this.#on(e);
    } finally {
      this.#quiet = false;
    }
  }

  #on(e: RunEvent): void {
    switch (e.type) {
      case 'run.phase':
        this.#phase = e.phase;
        return;
      case 'item.started': {
        const item = codexItem(e.item, false, this.#cwd, this.#testLabel());
        if (item) this.#start(item);
        return;
      }
      case 'item.delta': {
        // The engine streams only the model's text: its message item starts with the first words.
        this.#start({ type: 'agentMessage', id: e.itemId, text: '' });
        this.#notify('item/agentMessage/delta', { ...this.#ids(), itemId: e.itemId, delta: e.delta });
        return;
      }
      case 'item.completed': {
        if (e.item.kind === 'plan') {
          this.#notify('turn/plan/updated', { ...this.#ids(), explanation: null, plan: planSteps(e.item) });
          return;
        }
        const item = codexItem(e.item, true, this.#cwd, this.#testLabel());
        if (!item) return;
        this.#start(codexItem(e.item, false, this.#cwd, this.#testLabel())!);
        if (item.type === 'commandExecution' && typeof item.aggregatedOutput === 'string' && item.aggregatedOutput) {
          // Commands report their output when they end; clients that draw from deltas get it whole.
          this.#notify('item/commandExecution/outputDelta', {
            ...this.#ids(),
            itemId: item.id,
            delta: item.aggregatedOutput,
          });
        }
        this.#complete(item);
        return;
      }
      case 'diff.updated':
        this.#notify('turn/diff/updated', { ...this.#ids(), diff: e.diff });
        return;
      case 'usage.updated': {
        const total = addUsage(this.#before, e.usage);
        const last = subtractUsage(total, this.#usage);
        this.#usage = total;
        this.#notify('thread/tokenUsage/updated', {
          ...this.#ids(),
          tokenUsage: tokenUsage(total, last, this.#window),
        });
        return;
      }
      case 'run.completed': {
        const e2 = e;
        const note = closingNote(e2);
        if (note) this.item({ type: 'agentMessage', id: `${this.#turn.id}-outcome`, text: note });
        return;
      }
      default:
        return;
    }
  }
}

/** What the person should know beyond the model's last message: the harness's verdict, in words. */
function closingNote(e: Extract<RunEvent, { type: 'run.completed' }>): string | null {
  const ev = e.evidence;
  const f = ev.final;
  const counts =
    f && f.passed != null ? `: ${f.passed} passed, ${f.failed ?? 0} failed` : f ? ` (exit ${f.exitCode})` : '';
  const tests = f
    ? `tests ${f.exitCode === 0 ? 'pass' : 'fail'}${counts} (\`${f.command}\`)`
    : ev.testCommand
      ? ''
      : 'no test command was found, so nothing verified the change';
  const changed = ev.filesChanged.length ? `changed: ${ev.filesChanged.join(', ')}` : '';
  const refused = ev.refused?.length ? `refused: ${ev.refused.join('; ')}` : '';
  const cost = ev.usage.costUsd != null ? `cost: $${ev.usage.costUsd.toFixed(4)}` : '';
  const facts = [tests, changed, refused, cost].filter(Boolean).join(' · ');
  if (e.outcome === 'succeeded' && !ev.testCommand)
    return `Patchwright: the change is made, and nothing verified it — ${facts}`;
  if (e.outcome === 'succeeded' && !refused) return facts ? `Patchwright: ${outcomeWords.succeeded} — ${facts}` : null;
  // A question answered or nothing to change: the model's own words are the answer.
  if (e.outcome === 'no_changes' && !refused) return null;
  if (e.outcome === 'needs_input') return e.question ? `Patchwright: the model asks: ${e.question}` : null;
  return `Patchwright: ${outcomeWords[e.outcome]} — ${e.summary}${facts ? `\n${facts}` : ''}`;
}

function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    reasoningTokens: a.reasoningTokens + b.reasoningTokens,
    costUsd: a.costUsd == null || b.costUsd == null ? null : a.costUsd + b.costUsd,
  };
}

function subtractUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens - b.inputTokens,
    cachedInputTokens: a.cachedInputTokens - b.cachedInputTokens,
    outputTokens: a.outputTokens - b.outputTokens,
    reasoningTokens: a.reasoningTokens - b.reasoningTokens,
    costUsd: a.costUsd == null || b.costUsd == null ? null : a.costUsd - b.costUsd,
  };
}
