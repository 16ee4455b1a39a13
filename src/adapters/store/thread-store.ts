import type { DatabaseSync } from 'node:sqlite';

/** Per issue/PR memory: the one tracking comment, and whether we already said no politely. */
export class ThreadStore {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  trackingComment(repo: string, number: number): number | undefined {
    const row = this.#db.prepare('SELECT tracking_comment_id FROM threads WHERE repo = ? AND number = ?').get(repo, number);
    return row?.tracking_comment_id == null ? undefined : Number(row.tracking_comment_id);
  }

  setTrackingComment(repo: string, number: number, commentId: number): void {
    this.#db
      .prepare(
        `INSERT INTO threads (repo, number, tracking_comment_id) VALUES (?, ?, ?)
         ON CONFLICT (repo, number) DO UPDATE SET tracking_comment_id = excluded.tracking_comment_id`,
      )
      .run(repo, number, commentId);
  }

  /** True the first time only: the caller may post its one polite reply. */
  claimPoliteReply(repo: string, number: number): boolean {
    const at = new Date().toISOString();
    const res = this.#db
      .prepare(
        `INSERT INTO threads (repo, number, polite_reply_at) VALUES (?, ?, ?)
         ON CONFLICT (repo, number) DO UPDATE SET polite_reply_at = excluded.polite_reply_at
         WHERE threads.polite_reply_at IS NULL`,
      )
      .run(repo, number, at);
    return res.changes > 0;
  }

  /** The model's open question for an issue (outcome `needs_input`), kept until answered. */
  setQuestion(repo: string, number: number, question: string): void {
    this.#db
      .prepare(
        `INSERT INTO threads (repo, number, pending_question) VALUES (?, ?, ?)
         ON CONFLICT (repo, number) DO UPDATE SET pending_question = excluded.pending_question`,
      )
      .run(repo, number, question);
  }

  /** Returns the open question and forgets it: the next run carries it with the answer. */
  takeQuestion(repo: string, number: number): string | undefined {
    const row = this.#db.prepare('SELECT pending_question FROM threads WHERE repo = ? AND number = ?').get(repo, number);
    if (row?.pending_question == null) return undefined;
    this.#db.prepare('UPDATE threads SET pending_question = NULL WHERE repo = ? AND number = ?').run(repo, number);
    return String(row.pending_question);
  }

  /** The person a Patchwright PR works for: follow-ups without a human sender (CI) credit them. */
  setRequester(repo: string, number: number, login: string): void {
    this.#db
      .prepare(
        `INSERT INTO threads (repo, number, requester) VALUES (?, ?, ?)
         ON CONFLICT (repo, number) DO UPDATE SET requester = excluded.requester`,
      )
      .run(repo, number, login);
  }

  requester(repo: string, number: number): string | undefined {
    const row = this.#db.prepare('SELECT requester FROM threads WHERE repo = ? AND number = ?').get(repo, number);
    return row?.requester == null ? undefined : String(row.requester);
  }
}
