import type { EventLog } from '../adapters/store/event-log.ts';
import type { Job, JobStore } from '../adapters/store/job-store.ts';
import type { RunEvent } from '../protocol/run-event.ts';
import { turnObject, type ThreadRecord, type TurnRecord } from './codex-shapes.ts';
import { INVALID_REQUEST, RpcError } from './jsonrpc.ts';
import type { Subscriber } from './thread-hub.ts';
import { TurnEvents } from './turn-events.ts';

/** A job's thread id: a UUID (the Codex TUI's `resume` takes UUIDs) that carries the job id. */
export function jobThreadId(jobId: number): string {
  return `00000000-0000-4000-8000-${jobId.toString(16).padStart(12, '0')}`;
}

export function jobIdOf(threadId: string): number | null {
  const m = /^00000000-0000-4000-8000-([0-9a-f]{12})$/.exec(threadId);
  return m ? parseInt(m[1]!, 16) : null;
}

const FAILED = new Set(['model_error', 'sandbox_error', 'setup_failed', 'budget_exhausted']);
const seconds = (iso: string | null) => (iso ? Math.floor(Date.parse(iso) / 1000) : 0);

interface Watcher {
  sub: Subscriber;
  jobId: number;
  events: TurnEvents;
  /** Live events that came before the resume's answer went out; sent right after it. */
  buffer: RunEvent[] | null;
}

/**
 * GitHub jobs as app-server threads (when the app server runs inside `patchwright serve`): one
 * thread per job, its run as one turn. `thread/resume` on a running job answers with what the job
 * has done so far (from the event log) and then streams it live, to any number of watchers.
 */
export class GithubWatch {
  readonly #jobs: JobStore;
  readonly #log: EventLog;
  readonly #model: string;
  readonly #watchers = new Set<Watcher>();

  constructor(jobs: JobStore, log: EventLog, model: string) {
    this.#jobs = jobs;
    this.#log = log;
    this.#model = model;
    log.listen((jobId, e) => this.#live(jobId, e));
  }

  owns(threadId: string): boolean {
    return jobIdOf(threadId) !== null;
  }

  list(): ThreadRecord[] {
    return this.#jobs.list().map((j) => this.#record(j, false));
  }

  get(threadId: string): ThreadRecord | undefined {
    const id = jobIdOf(threadId);
    const job = id === null ? undefined : this.#jobs.get(id);
    return job ? this.#record(job, true) : undefined;
  }

  status(threadId: string): { type: string; activeFlags?: string[] } {
    const id = jobIdOf(threadId);
    const job = id === null ? undefined : this.#jobs.get(id);
    if (!job) return { type: 'notLoaded' };
    return job.state === 'running' ? { type: 'active', activeFlags: [] } : { type: 'idle' };
  }

  /** Subscribes `sub`: the answer carries the job so far; live events wait until `replay`. */
  attach(threadId: string, sub: Subscriber): ThreadRecord {
    const rec = this.get(threadId);
    if (!rec) throw new RpcError(INVALID_REQUEST, `no thread ${threadId}`);
    const jobId = jobIdOf(threadId)!;
    const turn = rec.turns[0]!;
    if (turn.status === 'inProgress' && ![...this.#watchers].some((w) => w.sub === sub && w.jobId === jobId)) {
      const scratch: TurnRecord = { ...turn, items: [...turn.items] };
      const events = new TurnEvents(threadId, rec.cwd, scratch, (m, p) => sub.notify(m, p), undefined);
      // What the watcher already has counts as started: live items continue from there.
      for (const e of this.#log.list(jobId)) events.on(e, true);
      this.#watchers.add({ sub, jobId, events, buffer: [] });
    }
    return rec;
  }

  replay(threadId: string, sub: Subscriber): void {
    const jobId = jobIdOf(threadId);
    for (const w of this.#watchers) {
      if (w.sub !== sub || w.jobId !== jobId || !w.buffer) continue;
      const buffered = w.buffer;
      w.buffer = null;
      for (const e of buffered) this.#deliver(w, e);
    }
  }

  drop(sub: Subscriber): void {
    for (const w of [...this.#watchers]) if (w.sub === sub) this.#watchers.delete(w);
  }

  #live(jobId: number, e: RunEvent): void {
    for (const w of this.#watchers) {
      if (w.jobId !== jobId) continue;
      if (w.buffer) w.buffer.push(e);
      else this.#deliver(w, e);
    }
  }

  #deliver(w: Watcher, e: RunEvent): void {
    w.events.on(e);
    if (e.type !== 'run.completed') return;
    const threadId = jobThreadId(w.jobId);
    const turn = this.get(threadId)?.turns[0];
    if (turn) {
      const status = e.outcome === 'cancelled' ? 'interrupted' : FAILED.has(e.outcome) ? 'failed' : 'completed';
      w.sub.notify('thread/status/changed', { threadId, status: { type: 'idle' } });
      w.sub.notify('turn/completed', { threadId, turn: turnObject({ ...turn, items: [], status, completedAt: Math.floor(Date.now() / 1000) }) });
    }
    this.#watchers.delete(w);
  }

  #record(job: Job, withItems: boolean): ThreadRecord {
    const threadId = jobThreadId(job.id);
    const cwd = `/github.com/${job.repo}`;
    const turn: TurnRecord = {
      id: `${threadId}-run`,
      status: job.state === 'running' || job.state === 'queued' ? 'inProgress' : job.state === 'cancelled' ? 'interrupted' : job.state === 'failed' || (job.outcome && FAILED.has(job.outcome)) ? 'failed' : 'completed',
      items: [],
      startedAt: seconds(job.startedAt ?? job.createdAt),
      completedAt: job.finishedAt ? seconds(job.finishedAt) : null,
      durationMs: job.finishedAt && job.startedAt ? Date.parse(job.finishedAt) - Date.parse(job.startedAt) : null,
      error: job.state === 'failed' ? { message: job.reason ?? 'the job failed', codexErrorInfo: 'other' } : null,
    };
    if (withItems) {
      const events = new TurnEvents(threadId, cwd, turn, () => {}, undefined);
      events.item({ type: 'userMessage', id: `${threadId}-task`, content: [{ type: 'text', text: `${job.task.title}\n\n${job.task.body}`.trim(), text_elements: [] }] });
      for (const e of this.#log.list(job.id)) events.on(e);
    }
    return {
      id: threadId,
      cwd,
      name: `${job.repo}#${job.number}: ${job.task.title}`.slice(0, 200),
      preview: job.task.title,
      createdAt: seconds(job.createdAt),
      updatedAt: seconds(job.finishedAt ?? job.startedAt ?? job.createdAt),
      ephemeral: false,
      origin: { kind: 'github', repo: job.repo, number: job.number, jobId: job.id, state: job.state, outcome: job.outcome },
      model: this.#model,
      approvalPolicy: 'never',
      sandbox: { type: 'workspaceWrite', networkAccess: false },
      turns: [turn],
    };
  }
}
