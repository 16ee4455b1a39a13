import { Listeners } from './listeners.ts';
import { statementCache } from './statements.ts';
import type { DatabaseSync, StatementSync, SQLInputValue } from 'node:sqlite';
import { Task } from '../../protocol/task.ts';

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface Job {
  id: number;
  deliveryId: string;
  repo: string;
  number: number;
  action: Task['action'];
  task: Task;
  state: JobState;
  attempts: number;
  reason: string | null;
  outcome: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface EnqueueResult {
  job: Job;
  duplicate: boolean;
}

export interface RecoverResult {
  requeued: Job[];
  failed: Job[];
}

/** A job that was running when its process died is requeued once; the second death fails it. */
const MAX_STARTS = 2;

/** Jobs in SQLite. Every state change is one statement or one IMMEDIATE transaction. */
export class JobStore {
  readonly #db: DatabaseSync;
  readonly #sql: (sql: string) => StatementSync;
  readonly #now: () => Date;

  constructor(db: DatabaseSync, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#sql = statementCache(db);
    this.#now = now;
  }

  /** Persists a job for a delivery; the same delivery id again returns the first job. */
  enqueue(deliveryId: string, input: Task, notBefore?: Date): EnqueueResult {
    const task = Task.parse(input);
    const at = this.#now().toISOString();
    const repo = `${task.repo.owner}/${task.repo.name}`;
    const res = this.#sql(
      `INSERT INTO jobs (delivery_id, repo, number, action, task, state, created_at, updated_at, not_before)
         VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?) ON CONFLICT (delivery_id) DO NOTHING`,
    ).run(deliveryId, repo, task.number, task.action, JSON.stringify(task), at, at, notBefore?.toISOString() ?? null);
    const job = this.#one('SELECT * FROM jobs WHERE delivery_id = ?', deliveryId);
    if (!job) throw new Error(`job for delivery ${deliveryId} vanished`);
    if (res.changes > 0) this.#changed(job.id);
    return { job, duplicate: res.changes === 0 };
  }

  /**
   * A run of `patchwright run`, recorded as already running (no worker may take it), so the local
   * dashboard lists it with its events.
   */
  recordLocalRun(deliveryId: string, input: Task): Job {
    const task = Task.parse(input);
    const at = this.#now().toISOString();
    this.#sql(
      `INSERT INTO jobs (delivery_id, repo, number, action, task, state, attempts, created_at, started_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'running', 1, ?, ?, ?)`,
    ).run(
      deliveryId,
      `${task.repo.owner}/${task.repo.name}`,
      task.number,
      task.action,
      JSON.stringify(task),
      at,
      at,
      at,
    );
    return this.#one('SELECT * FROM jobs WHERE delivery_id = ?', deliveryId)!;
  }

  /** How many jobs wait to be taken. */
  queuedCount(): number {
    return Number(this.#sql("SELECT COUNT(*) AS n FROM jobs WHERE state = 'queued'").get()?.n ?? 0);
  }

  get(id: number): Job | undefined {
    return this.#one('SELECT * FROM jobs WHERE id = ?', id);
  }

  list(state?: JobState): Job[] {
    const rows = state
      ? this.#sql('SELECT * FROM jobs WHERE state = ? ORDER BY id').all(state)
      : this.#sql('SELECT * FROM jobs ORDER BY id').all();
    return rows.map(toJob);
  }

  /**
   * Folds another review into a queued review job of the same PR (batching): its id joins the
   * job's reviews, and `startNow` lifts the wait. Returns the job, or undefined if none waits.
   */
  absorbReview(repo: string, number: number, reviewId: number, startNow: boolean): Job | undefined {
    return this.#transaction(() => {
      const waiting = this.#sql(
        "SELECT * FROM jobs WHERE repo = ? AND number = ? AND state = 'queued' AND action = 'follow_up' ORDER BY id",
      )
        .all(repo, number)
        .map(toJob)
        .find((j) => j.task.trigger.kind === 'review');
      if (!waiting || waiting.task.trigger.kind !== 'review') return undefined;
      const t = waiting.task.trigger;
      const ids = new Set([...(t.moreReviewIds ?? []), reviewId]);
      ids.delete(t.reviewId);
      const task = { ...waiting.task, trigger: { ...t, moreReviewIds: [...ids] } };
      this.#sql(
        'UPDATE jobs SET task = ?, not_before = CASE WHEN ? THEN NULL ELSE not_before END, updated_at = ? WHERE id = ?',
      ).run(JSON.stringify(task), startNow ? 1 : 0, this.#now().toISOString(), waiting.id);
      return this.get(waiting.id);
    });
  }

  /** Every job of an issue or PR, oldest first. */
  forThread(repo: string, number: number): Job[] {
    return this.#sql('SELECT * FROM jobs WHERE repo = ? AND number = ? ORDER BY id').all(repo, number).map(toJob);
  }

  /** The running job for an issue or PR, if any. */
  active(repo: string, number: number): Job | undefined {
    return this.#one("SELECT * FROM jobs WHERE repo = ? AND number = ? AND state = 'running'", repo, number);
  }

  /**
   * Takes the oldest queued job whose issue or PR has nothing running, and marks it running.
   * Atomic across processes sharing the file.
   */
  claimNext(): Job | undefined {
    return this.#transaction(() => {
      const job = this.#one(
        `SELECT * FROM jobs q WHERE q.state = 'queued' AND (q.not_before IS NULL OR q.not_before <= ?) AND NOT EXISTS (
           SELECT 1 FROM jobs r WHERE r.repo = q.repo AND r.number = q.number AND r.state = 'running'
         ) ORDER BY q.id LIMIT 1`,
        this.#now().toISOString(),
      );
      if (!job) return undefined;
      const at = this.#now().toISOString();
      this.#sql(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = ?, updated_at = ? WHERE id = ?",
      ).run(at, at, job.id);
      this.#changed(job.id);
      return this.get(job.id);
    });
  }

  /**
   * Puts a running job back in the queue because the app is stopping on purpose: the start it
   * had does not count against it (only deaths do, see recover).
   */
  requeue(id: number, reason: string): void {
    const at = this.#now().toISOString();
    this.#sql(
      "UPDATE jobs SET state = 'queued', attempts = MAX(attempts - 1, 0), reason = ?, updated_at = ? WHERE id = ? AND state = 'running'",
    ).run(reason, at, id);
  }

  finish(
    id: number,
    state: 'done' | 'failed' | 'cancelled',
    details: { reason?: string; outcome?: string } = {},
  ): void {
    const at = this.#now().toISOString();
    this.#sql('UPDATE jobs SET state = ?, reason = ?, outcome = ?, finished_at = ?, updated_at = ? WHERE id = ?').run(
      state,
      details.reason ?? null,
      details.outcome ?? null,
      at,
      at,
      id,
    );
    this.#changed(id);
  }

  readonly #listeners = new Listeners<[jobId: number]>();

  /** Told when a job is stored, starts or ends (live views: the dashboard's runs list). */
  listen(fn: (jobId: number) => void): () => void {
    return this.#listeners.add(fn);
  }

  #changed(id: number): void {
    this.#listeners.tell(id);
  }

  /** Cancels the queued (not running) jobs of an issue or PR, for `stop` and `retry`. */
  cancelQueued(repo: string, number: number, reason: string, exceptId?: number): Job[] {
    return this.#transaction(() => {
      const jobs = this.#sql("SELECT * FROM jobs WHERE repo = ? AND number = ? AND state = 'queued' AND id != ?")
        .all(repo, number, exceptId ?? -1)
        .map(toJob);
      for (const job of jobs) this.finish(job.id, 'cancelled', { reason });
      return jobs;
    });
  }

  /**
   * At start-up: jobs left `running` by a dead process are requeued once; a job that had
   * already been started twice is failed, so one poison job cannot crash-loop the app.
   */
  recover(): RecoverResult {
    return this.#transaction(() => {
      const stuck = this.#sql("SELECT * FROM jobs WHERE state = 'running' ORDER BY id").all().map(toJob);
      const result: RecoverResult = { requeued: [], failed: [] };
      const at = this.#now().toISOString();
      for (const job of stuck) {
        if (job.attempts >= MAX_STARTS) {
          this.finish(job.id, 'failed', { reason: 'the app stopped twice while this job was running' });
          result.failed.push({ ...job, state: 'failed' });
        } else {
          this.#sql("UPDATE jobs SET state = 'queued', reason = ?, updated_at = ? WHERE id = ?").run(
            'restarted after the app stopped during the run',
            at,
            job.id,
          );
          result.requeued.push({ ...job, state: 'queued' });
        }
      }
      return result;
    });
  }

  #one(sql: string, ...params: SQLInputValue[]): Job | undefined {
    const row = this.#sql(sql).get(...params);
    return row ? toJob(row) : undefined;
  }

  #transaction<T>(fn: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const out = fn();
      this.#db.exec('COMMIT');
      return out;
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }
}

function toJob(row: Record<string, SQLInputValue>): Job {
  return {
    id: Number(row.id),
    deliveryId: String(row.delivery_id),
    repo: String(row.repo),
    number: Number(row.number),
    action: String(row.action) as Job['action'],
    // Written by enqueue from a validated Task: reading it back needs no second validation.
    task: JSON.parse(String(row.task)) as Task,
    state: String(row.state) as JobState,
    attempts: Number(row.attempts),
    reason: row.reason == null ? null : String(row.reason),
    outcome: row.outcome == null ? null : String(row.outcome),
    createdAt: String(row.created_at),
    startedAt: row.started_at == null ? null : String(row.started_at),
    finishedAt: row.finished_at == null ? null : String(row.finished_at),
  };
}
