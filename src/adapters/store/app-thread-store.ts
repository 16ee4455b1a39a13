import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { statementCache } from './statements.ts';

export interface StoredAppThread {
  id: string;
  cwd: string;
  name: string | null;
  preview: string;
  /** Unix seconds. */
  createdAt: number;
  updatedAt: number;
  /** The thread's settings and turns, as the app server keeps them (JSON). */
  data: unknown;
}

/** App-server threads (local sessions): kept so a restarted server can list, read and resume them. */
export class AppThreadStore {
  readonly #sql: (sql: string) => StatementSync;

  constructor(db: DatabaseSync) {
    this.#sql = statementCache(db);
  }

  save(t: StoredAppThread): void {
    this.#sql(
      `INSERT INTO app_threads (id, cwd, name, preview, created_at, updated_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET cwd = excluded.cwd, name = excluded.name, preview = excluded.preview,
         updated_at = excluded.updated_at, data = excluded.data`,
    ).run(t.id, t.cwd, t.name, t.preview, t.createdAt, t.updatedAt, JSON.stringify(t.data));
  }

  get(id: string): StoredAppThread | undefined {
    const row = this.#sql('SELECT * FROM app_threads WHERE id = ?').get(id);
    return row ? fromRow(row) : undefined;
  }

  /** Newest first; `before` is the `updatedAt`/id cursor of the last row of the previous page. */
  list(limit: number, offset: number): StoredAppThread[] {
    return this.#sql('SELECT * FROM app_threads ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?')
      .all(limit, offset)
      .map(fromRow);
  }
}

function fromRow(r: Record<string, unknown>): StoredAppThread {
  return {
    id: String(r.id),
    cwd: String(r.cwd),
    name: r.name == null ? null : String(r.name),
    preview: String(r.preview),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    data: JSON.parse(String(r.data)),
  };
}
