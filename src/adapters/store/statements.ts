import type { DatabaseSync, StatementSync } from 'node:sqlite';

/**
 * Prepared statements, kept per SQL text: preparing costs more than running on the hot
 * acknowledgement path. The SQL is always the stores' own constant text, so the cache stays small.
 */
export function statementCache(db: DatabaseSync): (sql: string) => StatementSync {
  const cache = new Map<string, StatementSync>();
  return (sql) => {
    let stmt = cache.get(sql);
    if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
    return stmt;
  };
}
