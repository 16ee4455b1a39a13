import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { statementCache } from './statements.ts';
import type { RunSummary } from './event-log.ts';
import type { Job } from './job-store.ts';

export interface RunRow {
  id: number;
  repo: string;
  number: number;
  isPullRequest: boolean;
  title: string;
  action: string;
  trigger: string;
  requester: string;
  installationId: number | null;
  state: string;
  outcome: string | null;
  reason: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  summary: RunSummary | null;
}

export interface RunFilter {
  /** The repositories the viewer may see; null: all. */
  repos: string[] | null;
  repo?: string | undefined;
  outcome?: string | undefined;
  person?: string | undefined;
}

/** The dashboard's reads of jobs: pages of runs with their summaries, filtered, newest first. */
export class RunList {
  readonly #sql: (sql: string) => StatementSync;

  constructor(db: DatabaseSync) {
    this.#sql = statementCache(db);
  }

  repos(): string[] {
    return this.#sql('SELECT DISTINCT repo FROM jobs ORDER BY repo')
      .all()
      .map((r) => String(r.repo));
  }

  page(f: RunFilter, limit: number, offset: number): { rows: RunRow[]; total: number } {
    const where: string[] = [];
    const args: SQLInputValue[] = [];
    if (f.repos) {
      if (!f.repos.length) return { rows: [], total: 0 };
      // The list is bound as one JSON value, so the SQL text stays constant (and cached).
      where.push('repo IN (SELECT value FROM json_each(?))');
      args.push(JSON.stringify(f.repos));
    }
    if (f.repo) where.push('repo = ?'), args.push(f.repo);
    if (f.outcome) {
      // Outcome as people see it: the run's outcome, or the job's state while it has none.
      where.push(
        "COALESCE(outcome, CASE state WHEN 'failed' THEN 'failed' WHEN 'cancelled' THEN 'cancelled' ELSE state END) = ?",
      );
      args.push(f.outcome);
    }
    if (f.person) where.push("json_extract(task, '$.requester') = ?"), args.push(f.person);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = Number(this.#sql(`SELECT COUNT(*) AS n FROM jobs ${clause}`).get(...args)?.n ?? 0);
    const rows = this.#sql(`SELECT * FROM jobs ${clause} ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(...args, limit, offset)
      .map(toRow);
    return { rows, total };
  }

  get(id: number): RunRow | undefined {
    const r = this.#sql('SELECT * FROM jobs WHERE id = ?').get(id);
    return r ? toRow(r) : undefined;
  }

  /** Finished runs since `sinceIso`, for the overview's charts. */
  finishedSince(sinceIso: string, repos: string[] | null): RunRow[] {
    const rows = this.#sql('SELECT * FROM jobs WHERE finished_at >= ? ORDER BY finished_at').all(sinceIso).map(toRow);
    return repos ? rows.filter((r) => repos.includes(r.repo)) : rows;
  }
}

function toRow(r: Record<string, unknown>): RunRow {
  const text = (v: unknown) => (v == null ? null : String(v));
  return runRowOf(
    {
      id: Number(r.id),
      repo: String(r.repo),
      number: Number(r.number),
      action: String(r.action) as Job['action'],
      task: JSON.parse(String(r.task)) as Job['task'],
      state: String(r.state),
      outcome: text(r.outcome),
      reason: text(r.reason),
      createdAt: String(r.created_at),
      startedAt: text(r.started_at),
      finishedAt: text(r.finished_at),
    },
    r.summary == null ? null : (JSON.parse(String(r.summary)) as RunSummary),
  );
}

/** What the dashboard shows of a job, whichever store it came from. */
export function runRowOf(
  job: Pick<
    Job,
    'id' | 'repo' | 'number' | 'action' | 'task' | 'outcome' | 'reason' | 'createdAt' | 'startedAt' | 'finishedAt'
  > & { state: string },
  summary: RunSummary | null,
): RunRow {
  const task = job.task;
  return {
    id: job.id,
    repo: job.repo,
    number: job.number,
    isPullRequest: task.isPullRequest === true,
    title: task.title ?? '',
    action: job.action,
    trigger: task.trigger?.kind ?? 'unknown',
    requester: task.requester ?? '',
    installationId: task.installationId ?? null,
    state: job.state,
    outcome: job.outcome,
    reason: job.reason,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    summary,
  };
}
