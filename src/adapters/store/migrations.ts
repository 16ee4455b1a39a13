/**
 * Versioned schema changes, applied in order and recorded in `schema_migrations`.
 * Never edit a released migration: add a new one.
 */
export const migrations: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'jobs, deliveries and threads',
    sql: `
      CREATE TABLE jobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        delivery_id TEXT NOT NULL UNIQUE,
        repo TEXT NOT NULL,
        number INTEGER NOT NULL,
        action TEXT NOT NULL,
        task TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
        attempts INTEGER NOT NULL DEFAULT 0,
        reason TEXT,
        outcome TEXT,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX jobs_state ON jobs (state, id);
      CREATE INDEX jobs_thread ON jobs (repo, number, state);
      CREATE TABLE threads (
        repo TEXT NOT NULL,
        number INTEGER NOT NULL,
        tracking_comment_id INTEGER,
        polite_reply_at TEXT,
        PRIMARY KEY (repo, number)
      );
    `,
  },
  {
    version: 2,
    name: 'run events',
    sql: `
      CREATE TABLE run_events (
        job_id INTEGER NOT NULL REFERENCES jobs (id),
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        data TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (job_id, seq)
      );
    `,
  },
  {
    version: 3,
    name: 'pending questions',
    sql: 'ALTER TABLE threads ADD COLUMN pending_question TEXT;',
  },
  {
    version: 4,
    name: 'who asked for a pull request',
    sql: 'ALTER TABLE threads ADD COLUMN requester TEXT;',
  },
  {
    version: 5,
    name: 'jobs that wait for more review comments',
    sql: 'ALTER TABLE jobs ADD COLUMN not_before TEXT;',
  },
  {
    version: 6,
    name: 'the branch an issue works on, so a later run finds the same PR',
    sql: 'ALTER TABLE threads ADD COLUMN branch TEXT;',
  },
  {
    version: 7,
    name: 'app-server threads',
    sql: `
      CREATE TABLE app_threads (
        id TEXT PRIMARY KEY,
        cwd TEXT NOT NULL,
        name TEXT,
        preview TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX app_threads_updated ON app_threads (updated_at);
    `,
  },
  {
    version: 8,
    name: 'a summary of each run, for the dashboard',
    sql: `
      ALTER TABLE jobs ADD COLUMN summary TEXT;
      CREATE INDEX jobs_repo ON jobs (repo, id);
    `,
  },
  {
    version: 9,
    name: 'the pull requests the app opened: their branch and the issue each closes',
    sql: `
      ALTER TABLE threads ADD COLUMN pr_branch TEXT;
      ALTER TABLE threads ADD COLUMN pr_closes INTEGER;
      ALTER TABLE threads ADD COLUMN pr_for INTEGER;
    `,
  },
];
