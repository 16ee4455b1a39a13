import crypto from 'node:crypto';
import type { AppThreadStore } from '../adapters/store/app-thread-store.ts';
import type { ApprovalRequest } from '../core/tools/execute-tool.ts';
import type { Usage } from '../protocol/run-event.ts';
import { threadApprover } from './approvals.ts';
import {
  threadObject,
  turnObject,
  type ApprovalPolicy,
  type CodexItem,
  type SandboxPolicy,
  type ThreadRecord,
  type TurnRecord,
} from './codex-shapes.ts';
import { INVALID_REQUEST, RpcError, type RequestId } from './jsonrpc.ts';
import { TurnEvents } from './turn-events.ts';
import type { TurnEngine } from './turn-engine.ts';

/**
 * Threads that mirror work happening elsewhere (GitHub jobs, in this process or on another
 * machine): listed, read and watched, not driven. Reads are async: the work may be kept in Redis.
 */
export interface WatchedThreads {
  owns(id: string): boolean;
  list(): Promise<ThreadRecord[]>;
  get(id: string): Promise<ThreadRecord | undefined>;
  attach(id: string, sub: Subscriber): Promise<ThreadRecord>;
  replay(id: string, sub: Subscriber): void;
  drop(sub: Subscriber): void;
}

/** A client connection as the hub sees it: where notifications go and who is asked for approvals. */
export interface Subscriber {
  readonly id: number;
  notify(method: string, params: Record<string, unknown>): void;
  request(
    method: string,
    params: Record<string, unknown>,
    signal: AbortSignal,
  ): { id: RequestId; answer: Promise<unknown> };
}

interface Loaded {
  rec: ThreadRecord;
  subs: Set<Subscriber>;
  running: {
    turn: TurnRecord;
    controller: AbortController;
    starter: Subscriber;
    done: Promise<void>;
    steered: string[];
    events: TurnEvents | null;
  } | null;
  remembered: Set<string>;
  usage: Usage | null;
  waitingOnApproval: number;
}

export interface HubOptions {
  engine: TurnEngine;
  store?: AppThreadStore;
  version: string;
  defaults: { approval: ApprovalPolicy; sandbox: SandboxPolicy };
  now?: () => number;
  /** GitHub jobs shown as threads, when the app server runs inside `patchwright serve`. */
  watch?: WatchedThreads;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** The app server's threads: who watches each, the turn running in it, and what is kept of them. */
export class ThreadHub {
  readonly #o: HubOptions;
  readonly #loaded = new Map<string, Loaded>();
  readonly #now: () => number;

  constructor(o: HubOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
  }

  get engine(): TurnEngine {
    return this.#o.engine;
  }

  startThread(
    opts: {
      cwd: string;
      approval: ApprovalPolicy | null;
      sandbox: SandboxPolicy | null;
      ephemeral: boolean;
      title: boolean;
    },
    sub: Subscriber,
  ): ThreadRecord {
    const now = seconds(this.#now());
    const rec: ThreadRecord = {
      id: crypto.randomUUID(),
      cwd: opts.cwd,
      name: null,
      preview: '',
      createdAt: now,
      updatedAt: now,
      ephemeral: opts.ephemeral || opts.title,
      origin: opts.title ? { kind: 'title' } : { kind: 'session' },
      model: this.#o.engine.model,
      approvalPolicy: opts.approval ?? this.#o.defaults.approval,
      sandbox: narrowSandbox(opts.sandbox, this.#o.defaults.sandbox),
      turns: [],
    };
    this.#loaded.set(rec.id, {
      rec,
      subs: new Set([sub]),
      running: null,
      remembered: new Set(),
      usage: null,
      waitingOnApproval: 0,
    });
    this.#save(rec);
    return rec;
  }

  /** Loads a kept thread (or joins a loaded one) and subscribes `sub` to it. */
  async resume(
    id: string,
    sub: Subscriber,
    overrides: { approval: ApprovalPolicy | null; sandbox: SandboxPolicy | null },
  ): Promise<ThreadRecord> {
    if (this.#o.watch?.owns(id)) return this.#o.watch.attach(id, sub);
    let t = this.#loaded.get(id);
    if (!t) {
      const rec = this.#stored(id);
      if (!rec) throw new RpcError(INVALID_REQUEST, `no thread ${id}`);
      t = { rec, subs: new Set(), running: null, remembered: new Set(), usage: null, waitingOnApproval: 0 };
      this.#loaded.set(id, t);
    }
    if (overrides.approval) t.rec.approvalPolicy = overrides.approval;
    if (overrides.sandbox) t.rec.sandbox = narrowSandbox(overrides.sandbox, this.#o.defaults.sandbox);
    t.subs.add(sub);
    return t.rec;
  }

  async read(id: string): Promise<ThreadRecord | undefined> {
    if (this.#o.watch?.owns(id)) return this.#o.watch.get(id);
    return this.#loaded.get(id)?.rec ?? this.#stored(id);
  }

  threadJson(rec: ThreadRecord, withTurns: boolean): Record<string, unknown> {
    // A watched job's state travels with its record (it may be kept on another machine).
    const status =
      rec.origin.kind === 'github'
        ? rec.origin.state === 'running'
          ? { type: 'active', activeFlags: [] }
          : { type: 'idle' }
        : this.status(rec.id);
    return threadObject(rec, this.#o.version, status, withTurns);
  }

  status(id: string): { type: string; activeFlags?: string[] } {
    const t = this.#loaded.get(id);
    if (!t) return { type: 'notLoaded' };
    if (!t.running) return { type: 'idle' };
    return { type: 'active', activeFlags: t.waitingOnApproval ? ['waitingOnApproval'] : [] };
  }

  /** Kept and loaded threads, newest first; ephemeral ones are not listed. */
  async list(limit: number, offset: number): Promise<ThreadRecord[]> {
    const watched = (await this.#o.watch?.list()) ?? [];
    const stored =
      this.#o.store
        ?.list(limit + offset + this.#loaded.size, 0)
        .map((s) => this.#loaded.get(s.id)?.rec ?? fromStored(s.data)) ?? [];
    const byId = new Map<string, ThreadRecord>();
    for (const t of [
      ...[...this.#loaded.values()].map((l) => l.rec),
      ...stored.filter((x): x is ThreadRecord => x !== null),
      ...watched,
    ]) {
      // A thread is listed once it has a turn (Codex: "materialized" by its first message).
      if (!t.ephemeral && t.turns.length && !byId.has(t.id)) byId.set(t.id, t);
    }
    return [...byId.values()]
      .sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? 1 : -1))
      .slice(offset, offset + limit);
  }

  loadedIds(): string[] {
    return [...this.#loaded.keys()];
  }

  unsubscribe(id: string, sub: Subscriber): 'notLoaded' | 'notSubscribed' | 'unsubscribed' {
    const t = this.#loaded.get(id);
    if (!t) return 'notLoaded';
    if (!t.subs.delete(sub)) return 'notSubscribed';
    this.#unloadIfIdle(t);
    return 'unsubscribed';
  }

  /** A connection went away: it watches nothing any more; turns it started go on for the others. */
  drop(sub: Subscriber): void {
    this.#o.watch?.drop(sub);
    for (const t of [...this.#loaded.values()]) {
      if (t.subs.delete(sub)) this.#unloadIfIdle(t);
    }
  }

  setName(id: string, name: string): void {
    const t = this.#mustLoad(id);
    t.rec.name = name;
    this.#save(t.rec);
    this.#broadcast(t, 'thread/name/updated', { threadId: id, threadName: name });
  }

  startTurn(
    id: string,
    input: Array<Record<string, unknown>>,
    sub: Subscriber,
    overrides: { approval: ApprovalPolicy | null; sandbox: SandboxPolicy | null },
  ): TurnRecord {
    const t = this.#mustLoad(id);
    if (t.running)
      throw new RpcError(
        INVALID_REQUEST,
        `thread ${id} already has a turn running (${t.running.turn.id}); interrupt it first`,
      );
    t.subs.add(sub);
    if (overrides.approval) t.rec.approvalPolicy = overrides.approval;
    if (overrides.sandbox) t.rec.sandbox = narrowSandbox(overrides.sandbox, this.#o.defaults.sandbox);
    const prompt = input
      .map((i) => (i.type === 'text' && typeof i.text === 'string' ? i.text : ''))
      .filter(Boolean)
      .join('\n\n');
    if (!prompt.trim()) throw new RpcError(INVALID_REQUEST, 'turn/start needs text input: Patchwright reads text only');
    const turn: TurnRecord = {
      id: crypto.randomUUID(),
      status: 'inProgress',
      items: [],
      startedAt: seconds(this.#now()),
      completedAt: null,
      durationMs: null,
      error: null,
    };
    const history = historyText(t.rec);
    t.rec.turns.push(turn);
    if (!t.rec.preview) t.rec.preview = prompt.slice(0, 200);
    const controller = new AbortController();
    const running = {
      turn,
      controller,
      starter: sub,
      done: Promise.resolve(),
      steered: [] as string[],
      events: null as TurnEvents | null,
    };
    t.running = running;
    running.done = this.#runTurn(t, turn, prompt, history, input, controller.signal);
    return turn;
  }

  /** Adds the person's words to the running turn: the model reads them before its next request. */
  steer(id: string, expectedTurnId: string, input: Array<Record<string, unknown>>): string {
    const t = this.#mustLoad(id);
    if (!t.running || t.running.turn.id !== expectedTurnId)
      throw new RpcError(
        INVALID_REQUEST,
        `turn ${expectedTurnId} is not running in thread ${id}; start a new turn instead`,
      );
    if (t.rec.origin.kind === 'title') throw new RpcError(INVALID_REQUEST, 'a title request cannot be steered');
    const text = input
      .map((i) => (i.type === 'text' && typeof i.text === 'string' ? i.text : ''))
      .filter(Boolean)
      .join('\n\n');
    if (!text.trim()) throw new RpcError(INVALID_REQUEST, 'turn/steer needs text input');
    t.running.steered.push(text);
    t.running.events?.item({
      type: 'userMessage',
      id: `${expectedTurnId}-steer-${t.running.turn.items.length}`,
      content: input,
    } as CodexItem);
    return t.running.turn.id;
  }

  /** Stops the turn; resolves when it has ended (or after a few seconds, whichever is first). */
  interrupt(id: string, turnId: string): Promise<void> {
    const t = this.#mustLoad(id);
    if (!t.running || t.running.turn.id !== turnId)
      throw new RpcError(INVALID_REQUEST, `turn ${turnId} is not running in thread ${id}`);
    t.running.controller.abort(new Error('interrupted by the client'));
    return Promise.race([t.running.done, new Promise<void>((r) => setTimeout(r, 5000).unref())]);
  }

  /** For threads that mirror something still happening elsewhere (a GitHub job): catch `sub` up, then stream. */
  replayTo(id: string, sub: Subscriber): void {
    this.#o.watch?.replay(id, sub);
  }

  /** Turns still running, for a clean shutdown. */
  async stopAll(): Promise<void> {
    const running = [...this.#loaded.values()].flatMap((t) => (t.running ? [t.running] : []));
    for (const r of running) r.controller.abort(new Error('the app server is shutting down'));
    await Promise.all(running.map((r) => r.done));
  }

  async #runTurn(
    t: Loaded,
    turn: TurnRecord,
    prompt: string,
    history: string,
    input: Array<Record<string, unknown>>,
    signal: AbortSignal,
  ): Promise<void> {
    const notify = (method: string, params: Record<string, unknown>) => this.#broadcast(t, method, params);
    const started = this.#now();
    this.#broadcast(t, 'thread/status/changed', { threadId: t.rec.id, status: this.status(t.rec.id) });
    notify('turn/started', { threadId: t.rec.id, turn: turnObject({ ...turn, items: [] }) });
    const events = new TurnEvents(
      t.rec.id,
      t.rec.cwd,
      turn,
      notify,
      this.#o.engine.contextTokens,
      t.usage ?? undefined,
      this.#now,
    );
    if (t.running) t.running.events = events;
    events.item({ type: 'userMessage', id: `${turn.id}-input`, content: input } as CodexItem);
    try {
      if (t.rec.origin.kind === 'title') {
        const title = await this.#o.engine.title(prompt, signal);
        events.item({ type: 'agentMessage', id: `${turn.id}-title`, text: JSON.stringify({ title }) });
        turn.status = 'completed';
      } else {
        const ask = (req: ApprovalRequest) => this.#ask(t, turn, req, signal);
        const result = await this.#o.engine.run({
          threadId: t.rec.id,
          cwd: t.rec.cwd,
          prompt,
          history,
          firstTurn: t.rec.turns.length === 1,
          sandbox: t.rec.sandbox,
          emit: (e) => events.on(e),
          approve: threadApprover(
            () => ({ approval: t.rec.approvalPolicy, sandbox: t.rec.sandbox }),
            t.remembered,
            ask,
          ),
          steer: () => (t.running ? t.running.steered.splice(0) : []),
          signal,
        });
        if (result.outcome === 'cancelled') turn.status = 'interrupted';
        else if (['model_error', 'sandbox_error', 'setup_failed', 'budget_exhausted'].includes(result.outcome)) {
          turn.status = 'failed';
          turn.error = {
            message: `${result.outcome}: ${result.summary}`,
            codexErrorInfo:
              result.outcome === 'sandbox_error'
                ? 'sandboxError'
                : result.outcome === 'budget_exhausted'
                  ? 'sessionBudgetExceeded'
                  : 'other',
          };
        } else turn.status = 'completed';
      }
    } catch (error) {
      turn.status = signal.aborted ? 'interrupted' : 'failed';
      if (!signal.aborted)
        turn.error = { message: error instanceof Error ? error.message : String(error), codexErrorInfo: 'other' };
    }
    t.usage = events.usage;
    turn.completedAt = seconds(this.#now());
    turn.durationMs = this.#now() - started;
    t.rec.updatedAt = turn.completedAt;
    if (turn.error) notify('error', { threadId: t.rec.id, turnId: turn.id, willRetry: false, error: turn.error });
    t.running = null;
    this.#save(t.rec);
    this.#broadcast(t, 'thread/status/changed', { threadId: t.rec.id, status: this.status(t.rec.id) });
    notify('turn/completed', { threadId: t.rec.id, turn: turnObject({ ...turn, items: [] }) });
    this.#unloadIfIdle(t);
  }

  async #ask(
    t: Loaded,
    turn: TurnRecord,
    req: ApprovalRequest,
    signal: AbortSignal,
  ): Promise<'accept' | 'acceptForSession' | 'decline' | 'cancel'> {
    const starter = t.running?.starter;
    const who = starter && t.subs.has(starter) ? starter : [...t.subs][0];
    // Nobody is there to say yes: the action is declined, and the model is told so.
    if (!who) return 'decline';
    const method = req.kind === 'command' ? 'item/commandExecution/requestApproval' : 'item/fileChange/requestApproval';
    const base = { threadId: t.rec.id, turnId: turn.id, itemId: req.itemId, startedAtMs: this.#now() };
    const params =
      req.kind === 'command'
        ? {
            ...base,
            command: req.command,
            cwd: req.cwd,
            reason: "the thread's approval policy asks before this command",
          }
        : { ...base, reason: "the thread's approval policy asks before changing files" };
    t.waitingOnApproval++;
    this.#broadcast(t, 'thread/status/changed', { threadId: t.rec.id, status: this.status(t.rec.id) });
    const { id, answer } = who.request(method, params, signal);
    try {
      const res = (await answer) as { decision?: unknown } | undefined;
      const d = res?.decision;
      return d === 'accept' || d === 'acceptForSession' || d === 'cancel' ? d : 'decline';
    } catch {
      return signal.aborted ? 'cancel' : 'decline';
    } finally {
      t.waitingOnApproval--;
      this.#broadcast(t, 'serverRequest/resolved', { threadId: t.rec.id, requestId: id });
      this.#broadcast(t, 'thread/status/changed', { threadId: t.rec.id, status: this.status(t.rec.id) });
    }
  }

  #broadcast(t: Loaded, method: string, params: Record<string, unknown>): void {
    for (const s of t.subs) s.notify(method, params);
  }

  #mustLoad(id: string): Loaded {
    const t = this.#loaded.get(id);
    if (t) return t;
    if (this.#o.watch?.owns(id))
      throw new RpcError(
        INVALID_REQUEST,
        `thread ${id} is a GitHub job: it is watched here and driven from GitHub (/agent commands on its issue or pull request)`,
      );
    if (this.#stored(id)) throw new RpcError(INVALID_REQUEST, `thread ${id} is not loaded; call thread/resume first`);
    throw new RpcError(INVALID_REQUEST, `no thread ${id}`);
  }

  #unloadIfIdle(t: Loaded): void {
    if (t.subs.size === 0 && !t.running) this.#loaded.delete(t.rec.id);
  }

  #stored(id: string): ThreadRecord | undefined {
    const s = this.#o.store?.get(id);
    return s ? (fromStored(s.data) ?? undefined) : undefined;
  }

  #save(rec: ThreadRecord): void {
    if (rec.ephemeral || !this.#o.store) return;
    this.#o.store.save({
      id: rec.id,
      cwd: rec.cwd,
      name: rec.name,
      preview: rec.preview,
      createdAt: rec.createdAt,
      updatedAt: rec.updatedAt,
      data: rec,
    });
  }
}

/** A client's sandbox policy can narrow the deployment's, never widen it. */
export function narrowSandbox(asked: SandboxPolicy | null, deployment: SandboxPolicy): SandboxPolicy {
  if (!asked) return deployment;
  return {
    type: asked.type === 'readOnly' || deployment.type === 'readOnly' ? 'readOnly' : 'workspaceWrite',
    networkAccess: asked.networkAccess && deployment.networkAccess,
  };
}

function fromStored(data: unknown): ThreadRecord | null {
  const r = data as ThreadRecord | null;
  if (!r || typeof r.id !== 'string' || !Array.isArray(r.turns)) return null;
  // A turn that was running when the server stopped did not finish.
  for (const turn of r.turns) if (turn.status === 'inProgress') Object.assign(turn, { status: 'interrupted' });
  return r;
}

/** The earlier turns in words, so a follow-up turn knows what was asked and done. */
function historyText(rec: ThreadRecord): string {
  const lines: string[] = [];
  for (const turn of rec.turns.slice(-10)) {
    const asked = turn.items.find((i) => i.type === 'userMessage') as
      | { content?: Array<{ text?: string }> }
      | undefined;
    const said = [...turn.items].reverse().find((i) => i.type === 'agentMessage') as { text?: string } | undefined;
    const changed = turn.items
      .filter((i) => i.type === 'fileChange' && i.status === 'completed')
      .flatMap((i) => ((i.changes as Array<{ path: string }>) ?? []).map((c) => c.path));
    lines.push(
      `- asked: ${(asked?.content ?? [])
        .map((c) => c.text ?? '')
        .join(' ')
        .slice(0, 1500)}`,
    );
    if (said?.text) lines.push(`  answered: ${said.text.slice(0, 1500)}`);
    if (changed.length) lines.push(`  changed: ${[...new Set(changed)].join(', ')}`);
    lines.push(`  (${turn.status})`);
  }
  return lines.join('\n');
}
