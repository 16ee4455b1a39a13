import type { DatabaseSync } from 'node:sqlite';
import type { RunEvent } from '../../protocol/run-event.ts';

/** The append-only record of a job's events, for audit and (later) resume and the dashboard. */
export class EventLog {
  readonly #db: DatabaseSync;
  readonly #listeners = new Set<(jobId: number, event: RunEvent) => void>();

  /** Every event of every job as it happens (deltas too), for live views; returns the way to stop. */
  listen(fn: (jobId: number, event: RunEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #tell(jobId: number, event: RunEvent): void {
    for (const fn of this.#listeners) {
      try {
        fn(jobId, event);
      } catch {
        // a watcher's failure is not the job's
      }
    }
  }

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  appender(jobId: number): (event: RunEvent) => void {
    const row = this.#db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM run_events WHERE job_id = ?').get(jobId);
    let seq = Number(row?.seq ?? 0);
    const insert = this.#db.prepare('INSERT INTO run_events (job_id, seq, type, data, at) VALUES (?, ?, ?, ?, ?)');
    return (event) => {
      // Deltas are for live views only; the completed item carries the whole text.
      if (event.type !== 'item.delta') insert.run(jobId, ++seq, event.type, JSON.stringify(event), new Date().toISOString());
      this.#tell(jobId, event);
    };
  }

  list(jobId: number): RunEvent[] {
    return this.#db
      .prepare('SELECT data FROM run_events WHERE job_id = ? ORDER BY seq')
      .all(jobId)
      .map((r) => JSON.parse(String(r.data)) as RunEvent);
  }
}
