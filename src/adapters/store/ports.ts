import type { RunEvent } from '../../protocol/run-event.ts';
import type { Task } from '../../protocol/task.ts';
import type { EnqueueResult, Job, JobState } from './job-store.ts';
import type { RunFilter, RunRow } from './run-list.ts';

/** A value now (SQLite, in this process) or later (Redis, shared by every process). */
export type Awaitable<T> = T | Promise<T>;

/**
 * The jobs as the GitHub layer sees them, whatever keeps them: `JobStore` (SQLite, one process)
 * or `RedisJobs` (scale-out). Callers always `await`.
 */
export interface JobsPort {
  enqueue(deliveryId: string, task: Task, notBefore?: Date): Awaitable<EnqueueResult>;
  get(id: number): Awaitable<Job | undefined>;
  list(state?: JobState): Awaitable<Job[]>;
  active(repo: string, number: number): Awaitable<Job | undefined>;
  forThread(repo: string, number: number): Awaitable<Job[]>;
  absorbReview(repo: string, number: number, reviewId: number, startNow: boolean): Awaitable<Job | undefined>;
  cancelQueued(repo: string, number: number, reason: string, exceptId?: number): Awaitable<Job[]>;
  queuedCount(): Awaitable<number>;
}

/**
 * A pull request the app opened: the branch it pushed for it and the issue it closes (null:
 * none), or the pull request it was made for (a human's PR, `followUp.humanPullRequests`).
 * State the app set when it made the PR: never read back from a payload or posted text.
 */
export interface AppPullRequest {
  branch: string;
  closes: number | null;
  forPull: number | null;
}

/** Per issue/PR memory shared by the webhook side and the workers (see ThreadStore). */
export interface ThreadsPort {
  /** Runs `fn` alone for this issue or PR: no other call for it, in any process, runs meanwhile. */
  serialize<T>(repo: string, number: number, fn: () => Promise<T>): Promise<T>;
  trackingComment(repo: string, number: number): Awaitable<number | undefined>;
  setTrackingComment(repo: string, number: number, commentId: number): Awaitable<void>;
  claimPoliteReply(repo: string, number: number): Awaitable<boolean>;
  setQuestion(repo: string, number: number, question: string): Awaitable<void>;
  takeQuestion(repo: string, number: number): Awaitable<string | undefined>;
  setRequester(repo: string, number: number, login: string): Awaitable<void>;
  requester(repo: string, number: number): Awaitable<string | undefined>;
  /** The branch the app pushed for an issue (or a human's PR), set only after its own push made it. */
  setBranch(repo: string, number: number, branch: string): Awaitable<void>;
  branch(repo: string, number: number): Awaitable<string | undefined>;
  setPullRequest(repo: string, number: number, pr: AppPullRequest): Awaitable<void>;
  pullRequest(repo: string, number: number): Awaitable<AppPullRequest | undefined>;
}

/** A job's events: persisted in order, told to live views. */
export interface EventsPort {
  /** The writer of one job's events; it never blocks the run (writes go out in order). */
  appender(jobId: number): Awaitable<(event: RunEvent) => void>;
  notePullRequest(jobId: number, url: string): Awaitable<void>;
  list(jobId: number): Awaitable<RunEvent[]>;
  /** Live events; `seq` is a kept event's place in the job's log (1-based), absent for deltas. */
  listen(fn: (jobId: number, event: RunEvent, seq?: number) => void): () => void;
}

/** The dashboard's reads of runs (see RunList). */
export interface RunsPort {
  repos(): Awaitable<string[]>;
  page(f: RunFilter, limit: number, offset: number): Awaitable<{ rows: RunRow[]; total: number }>;
  get(id: number): Awaitable<RunRow | undefined>;
  finishedSince(sinceIso: string, repos: string[] | null): Awaitable<RunRow[]>;
}
