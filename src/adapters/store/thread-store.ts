import { PerKeyChain } from './per-key-chain.ts';
import { statementCache } from './statements.ts';
import type { DatabaseSync, StatementSync, SQLInputValue } from 'node:sqlite';
import type { AppPullRequest } from './ports.ts';

/** The per-thread columns; a closed list, so the SQL below never takes a caller's string. */
type Column =
  | 'tracking_comment_id'
  | 'pending_question'
  | 'requester'
  | 'branch'
  | 'pr_branch'
  | 'pr_closes'
  | 'pr_for';

/**
 * Per issue/PR memory: the one tracking comment, whether we already said no politely, an open
 * question, and who a Patchwright PR works for.
 */
export class ThreadStore {
  readonly #sql: (sql: string) => StatementSync;

  constructor(db: DatabaseSync) {
    this.#sql = statementCache(db);
  }

  readonly #chain = new PerKeyChain();

  /**
   * Runs `fn` after every earlier call for the same issue or PR has finished: the webhook's
   * acknowledgement and a fast worker must not both create its tracking comment.
   */
  serialize<T>(repo: string, number: number, fn: () => Promise<T>): Promise<T> {
    return this.#chain.run(`${repo}#${number}`, fn);
  }

  trackingComment(repo: string, number: number): number | undefined {
    const v = this.#get(repo, number, 'tracking_comment_id');
    return v == null ? undefined : Number(v);
  }

  setTrackingComment(repo: string, number: number, commentId: number): void {
    this.#set(repo, number, 'tracking_comment_id', commentId);
  }

  /** True the first time only: the caller may post its one polite reply. */
  claimPoliteReply(repo: string, number: number): boolean {
    const res = this.#sql(
      `INSERT INTO threads (repo, number, polite_reply_at) VALUES (?, ?, ?)
         ON CONFLICT (repo, number) DO UPDATE SET polite_reply_at = excluded.polite_reply_at
         WHERE threads.polite_reply_at IS NULL`,
    ).run(repo, number, new Date().toISOString());
    return res.changes > 0;
  }

  /** The model's open question for an issue (outcome `needs_input`), kept until answered. */
  setQuestion(repo: string, number: number, question: string): void {
    this.#set(repo, number, 'pending_question', question);
  }

  /** Returns the open question and forgets it: the next run carries it with the answer. */
  takeQuestion(repo: string, number: number): string | undefined {
    const v = this.#get(repo, number, 'pending_question');
    if (v == null) return undefined;
    this.#set(repo, number, 'pending_question', null);
    return String(v);
  }

  /** The person a Patchwright PR works for: follow-ups without a human sender (CI) credit them. */
  setRequester(repo: string, number: number, login: string): void {
    this.#set(repo, number, 'requester', login);
  }

  requester(repo: string, number: number): string | undefined {
    const v = this.#get(repo, number, 'requester');
    return v == null ? undefined : String(v);
  }

  /** The branch an issue's PR lives on, kept from its first push: titles and learned patterns may change. */
  setBranch(repo: string, number: number, branch: string): void {
    this.#set(repo, number, 'branch', branch);
  }

  branch(repo: string, number: number): string | undefined {
    const v = this.#get(repo, number, 'branch');
    return v == null ? undefined : String(v);
  }

  /** A PR the app opened: its branch and the issue it closes, written in one statement. */
  setPullRequest(repo: string, number: number, pr: AppPullRequest): void {
    this.#sql(
      `INSERT INTO threads (repo, number, pr_branch, pr_closes, pr_for) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (repo, number) DO UPDATE SET pr_branch = excluded.pr_branch, pr_closes = excluded.pr_closes, pr_for = excluded.pr_for`,
    ).run(repo, number, pr.branch, pr.closes, pr.forPull);
  }

  pullRequest(repo: string, number: number): AppPullRequest | undefined {
    const row = this.#sql(
      'SELECT pr_branch AS branch, pr_closes AS closes, pr_for AS forPull FROM threads WHERE repo = ? AND number = ?',
    ).get(repo, number);
    if (!row || row.branch == null) return undefined;
    return {
      branch: String(row.branch),
      closes: row.closes == null ? null : Number(row.closes),
      forPull: row.forPull == null ? null : Number(row.forPull),
    };
  }

  #get(repo: string, number: number, column: Column): SQLInputValue | undefined {
    return this.#sql(`SELECT ${column} AS v FROM threads WHERE repo = ? AND number = ?`).get(repo, number)?.v;
  }

  #set(repo: string, number: number, column: Column, value: SQLInputValue): void {
    this.#sql(
      `INSERT INTO threads (repo, number, ${column}) VALUES (?, ?, ?)
         ON CONFLICT (repo, number) DO UPDATE SET ${column} = excluded.${column}`,
    ).run(repo, number, value);
  }
}
