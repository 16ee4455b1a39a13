import type { Job } from '../adapters/store/job-store.ts';
import type { EventsPort, JobsPort } from '../adapters/store/ports.ts';
import type { RunEvent } from '../protocol/run-event.ts';
import { turnObject, type ThreadRecord, type TurnRecord } from './codex-shapes.ts';
import { INVALID_REQUEST, RpcError } from './jsonrpc.ts';
import type { Subscriber, WatchedThreads } from './thread-hub.ts';
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

/** A live event and its place in the job's log (absent for deltas). */
interface Live {
  event: RunEvent;
  seq: number | undefined;
}

interface Watcher {
  sub: Subscriber;
  jobId: number;
  /** Set once the job's log has been read; live events until then wait in `buffer`. */
  events: TurnEvents | null;
  turn: TurnRecord | null;
  /** The place in the log of the last kept event the watcher was given (with its answer or live): none up to it comes again. */
  seen: number;
  /** Live events that came before the resume's answer went out; sent right after it. */
  buffer: Live[] | null;
}

/**
 * GitHub jobs as app-server threads (when the app server runs inside `patchwright serve`): one
 * thread per job, its run as one turn. `thread/resume` on a running job answers with what the job
 * has done so far (from the event log) and then streams it live, to any number of watchers. The
 * jobs and their events are read through the ports, so the job may run in this process or on any
 * worker of a scaled-out deployment (Redis): a watcher starts listening before it reads the log,
 * and each kept event's place in the log keeps it from being told twice.
 */
export class GithubWatch implements WatchedThreads {
  readonly #jobs: JobsPort;
  readonly #log: EventsPort;
  readonly #model: string;
  readonly #watchers = new Set<Watcher>();

  constructor(jobs: JobsPort, log: EventsPort, model: string) {
    this.#jobs = jobs;
    this.#log = log;
    this.#model = model;
    log.listen((jobId, event, seq) => this.#live(jobId, { event, seq }));
  }

  owns(threadId: string): boolean {
    return jobIdOf(threadId) !== null;
  }

  async list(): Promise<ThreadRecord[]> {
    return (await this.#jobs.list()).map((j) => this.#record(j, null));
  }

  async get(threadId: string): Promise<ThreadRecord | undefined> {
    const id = jobIdOf(threadId);
    const job = id === null ? undefined : await this.#jobs.get(id);
    return job ? this.#record(job, await this.#log.list(job.id)) : undefined;
  }

  /** Subscribes `sub`: the answer carries the job so far; live events wait until `replay`. */
  async attach(threadId: string, sub: Subscriber): Promise<ThreadRecord> {
    const jobId = jobIdOf(threadId);
    if (jobId === null) throw new RpcError(INVALID_REQUEST, `no thread ${threadId}`);
    const already = [...this.#watchers].some((w) => w.sub === sub && w.jobId === jobId);
    // Listen first, then read: what happens in between waits in the buffer instead of being lost.
    const w: Watcher = { sub, jobId, events: null, turn: null, seen: 0, buffer: [] };
    if (!already) this.#watchers.add(w);
    try {
      const job = await this.#jobs.get(jobId);
      if (!job) throw new RpcError(INVALID_REQUEST, `no thread ${threadId}`);
      const log = await this.#log.list(jobId);
      const rec = this.#record(job, log);
      const turn = rec.turns[0]!;
      if (already || turn.status !== 'inProgress') {
        this.#watchers.delete(w);
        return rec;
      }
      w.turn = { ...turn, items: [...turn.items] };
      w.events = new TurnEvents(threadId, rec.cwd, w.turn, (m, p) => sub.notify(m, p), undefined);
      // What the watcher already has counts as started: live items continue from there.
      for (const e of log) w.events.on(e, true);
      w.seen = log.length;
      // Deltas from before the read belong to items the answer already carries whole.
      w.buffer = w.buffer!.filter((l) => l.seq !== undefined && l.seq > w.seen);
      return rec;
    } catch (error) {
      this.#watchers.delete(w);
      throw error;
    }
  }

  replay(threadId: string, sub: Subscriber): void {
    const jobId = jobIdOf(threadId);
    for (const w of [...this.#watchers]) {
      if (w.sub !== sub || w.jobId !== jobId || !w.buffer || !w.events) continue;
      const buffered = w.buffer;
      w.buffer = null;
      for (const l of buffered) this.#deliver(w, l);
    }
  }

  drop(sub: Subscriber): void {
    for (const w of [...this.#watchers]) if (w.sub === sub) this.#watchers.delete(w);
  }

  #live(jobId: number, l: Live): void {
    for (const w of [...this.#watchers]) {
      if (w.jobId !== jobId) continue;
      if (w.buffer) w.buffer.push(l);
      else this.#deliver(w, l);
    }
  }

  #deliver(w: Watcher, l: Live): void {
    if (!w.events || !w.turn || (l.seq !== undefined && l.seq <= w.seen)) return;
    if (l.seq !== undefined) w.seen = l.seq;
    const e = l.event;
    w.events.on(e);
    if (e.type !== 'run.completed') return;
    const threadId = jobThreadId(w.jobId);
    const status = e.outcome === 'cancelled' ? 'interrupted' : FAILED.has(e.outcome) ? 'failed' : 'completed';
    w.sub.notify('thread/status/changed', { threadId, status: { type: 'idle' } });
    w.sub.notify('turn/completed', {
      threadId,
      turn: turnObject({ ...w.turn, items: [], status, completedAt: Math.floor(Date.now() / 1000) }),
    });
    this.#watchers.delete(w);
  }

  /** The job as a thread; its turn's items from `log` (null: a listing, without items). */
  #record(job: Job, log: RunEvent[] | null): ThreadRecord {
    const threadId = jobThreadId(job.id);
    const cwd = `/github.com/${job.repo}`;
    const turn: TurnRecord = {
      id: `${threadId}-run`,
      status:
        job.state === 'running' || job.state === 'queued'
          ? 'inProgress'
          : job.state === 'cancelled'
            ? 'interrupted'
            : job.state === 'failed' || (job.outcome && FAILED.has(job.outcome))
              ? 'failed'
              : 'completed',
      items: [],
      startedAt: seconds(job.startedAt ?? job.createdAt),
      completedAt: job.finishedAt ? seconds(job.finishedAt) : null,
      durationMs: job.finishedAt && job.startedAt ? Date.parse(job.finishedAt) - Date.parse(job.startedAt) : null,
      error: job.state === 'failed' ? { message: job.reason ?? 'the job failed', codexErrorInfo: 'other' } : null,
    };
    if (log) {
      const events = new TurnEvents(threadId, cwd, turn, () => {}, undefined);
      events.item({
        type: 'userMessage',
        id: `${threadId}-task`,
        content: [{ type: 'text', text: `${job.task.title}\n\n${job.task.body}`.trim(), text_elements: [] }],
      });
      for (const e of log) events.on(e);
    }
    return {
      id: threadId,
      cwd,
      name: `${job.repo}#${job.number}: ${job.task.title}`.slice(0, 200),
      preview: job.task.title,
      createdAt: seconds(job.createdAt),
      updatedAt: seconds(job.finishedAt ?? job.startedAt ?? job.createdAt),
      ephemeral: false,
      origin: {
        kind: 'github',
        repo: job.repo,
        number: job.number,
        jobId: job.id,
        state: job.state,
        outcome: job.outcome,
      },
      model: this.#model,
      approvalPolicy: 'never',
      sandbox: { type: 'workspaceWrite', networkAccess: false },
      turns: [turn],
    };
  }
}
