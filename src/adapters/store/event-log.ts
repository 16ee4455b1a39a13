import type { DatabaseSync } from 'node:sqlite';
import type { RunEvent, Usage } from '../../protocol/run-event.ts';
import { Listeners } from './listeners.ts';

export interface RunSummary {
  outcome: string;
  model: string | null;
  usage: Usage;
  durationMs: number;
  filesChanged: number;
  testsBefore: { passed: number | null; failed: number | null } | null;
  testsAfter: { passed: number | null; failed: number | null } | null;
  prUrl: string | null;
  /** What the sandboxed commands used, from the kernel's accounting of each command's process tree. */
  compute?: { cpuSeconds: number; peakMemoryMb: number | null; commands: number; wallMs: number } | undefined;
}

/** The append-only record of a job's events, for audit and (later) resume and the dashboard. */
export class EventLog {
  readonly #db: DatabaseSync;
  readonly #listeners = new Listeners<[jobId: number, event: RunEvent, seq?: number]>();

  /** Every event of every job as it happens (deltas too), for live views; returns the way to stop. */
  listen(fn: (jobId: number, event: RunEvent, seq?: number) => void): () => void {
    return this.#listeners.add(fn);
  }

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  appender(jobId: number): (event: RunEvent) => void {
    const row = this.#db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM run_events WHERE job_id = ?').get(jobId);
    let seq = Number(row?.seq ?? 0);
    const insert = this.#db.prepare('INSERT INTO run_events (job_id, seq, type, data, at) VALUES (?, ?, ?, ?, ?)');
    let model: string | undefined;
    return (event) => {
      // Deltas are for live views only; the completed item carries the whole text.
      if (event.type !== 'item.delta')
        insert.run(jobId, ++seq, event.type, JSON.stringify(event), new Date().toISOString());
      if (event.type === 'run.started') model = event.model;
      if (event.type === 'run.completed') this.#summarize(jobId, event, model);
      this.#listeners.tell(jobId, event, event.type === 'item.delta' ? undefined : seq);
    };
  }

  /** What the runs list shows of a finished run, kept on the job so listing never reads event logs. */
  #summarize(jobId: number, e: Extract<RunEvent, { type: 'run.completed' }>, model: string | undefined): void {
    this.#db.prepare('UPDATE jobs SET summary = ? WHERE id = ?').run(JSON.stringify(runSummary(e, model)), jobId);
  }

  /** The pull request a run opened or updated (known only after publishing). */
  notePullRequest(jobId: number, url: string): void {
    const row = this.#db.prepare('SELECT summary FROM jobs WHERE id = ?').get(jobId);
    if (!row?.summary) return;
    const summary = { ...(JSON.parse(String(row.summary)) as RunSummary), prUrl: url };
    this.#db.prepare('UPDATE jobs SET summary = ? WHERE id = ?').run(JSON.stringify(summary), jobId);
  }

  list(jobId: number): RunEvent[] {
    return this.#db
      .prepare('SELECT data FROM run_events WHERE job_id = ? ORDER BY seq')
      .all(jobId)
      .map((r) => JSON.parse(String(r.data)) as RunEvent);
  }
}

/** The runs list's figures of a finished run, from its last event. */
export function runSummary(e: Extract<RunEvent, { type: 'run.completed' }>, model: string | undefined): RunSummary {
  return {
    outcome: e.outcome,
    model: model ?? null,
    usage: e.evidence.usage,
    durationMs: e.evidence.durationMs,
    filesChanged: e.evidence.filesChanged.length,
    testsBefore: e.evidence.baseline
      ? { passed: e.evidence.baseline.passed, failed: e.evidence.baseline.failed }
      : null,
    testsAfter: e.evidence.final ? { passed: e.evidence.final.passed, failed: e.evidence.final.failed } : null,
    prUrl: null,
    ...(e.evidence.compute
      ? {
          compute: {
            cpuSeconds: e.evidence.compute.cpuSeconds,
            peakMemoryMb: e.evidence.compute.peakMemoryMb,
            commands: e.evidence.compute.commands,
            wallMs: e.evidence.compute.wallMs,
          },
        }
      : {}),
  };
}
