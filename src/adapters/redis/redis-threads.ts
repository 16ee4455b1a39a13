import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import { PerKeyChain } from '../store/per-key-chain.ts';
import type { AppPullRequest, ThreadsPort } from '../store/ports.ts';
import { scriptsOf, type Scripts } from './scripts-of.ts';

/** How long one holder may keep an issue's thread to itself if it dies holding it. */
const MUTEX_MS = 60_000;
const RETRY_MS = 25;

/** Per issue/PR memory in one Redis hash per thread, shared by web and worker processes. */
export class RedisThreads implements ThreadsPort {
  readonly #redis: Redis;
  readonly #p: string;
  readonly #run: Scripts;
  readonly #local = new PerKeyChain();

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#p = prefix;
    this.#run = scriptsOf(redis);
  }

  #key(repo: string, number: number): string {
    return `${this.#p}:thread:${repo}#${number}`;
  }

  /**
   * Runs `fn` holding the thread's mutex in Redis (SET NX PX with a random token, released only
   * by its holder); calls in this process queue up locally first, so they do not poll.
   */
  serialize<T>(repo: string, number: number, fn: () => Promise<T>): Promise<T> {
    const key = `${repo}#${number}`;
    return this.#local.run(key, () => this.#withMutex(`${this.#p}:mutex:${key}`, fn));
  }

  async #withMutex<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const token = crypto.randomUUID();
    while ((await this.#redis.set(key, token, 'PX', MUTEX_MS, 'NX')) !== 'OK')
      await new Promise((r) => setTimeout(r, RETRY_MS));
    try {
      return await fn();
    } finally {
      await this.#run.releaseMutex([key], [token]).catch(() => {});
    }
  }

  async trackingComment(repo: string, number: number): Promise<number | undefined> {
    const v = await this.#redis.hget(this.#key(repo, number), 'tracking');
    return v == null ? undefined : Number(v);
  }

  async setTrackingComment(repo: string, number: number, commentId: number): Promise<void> {
    await this.#redis.hset(this.#key(repo, number), 'tracking', String(commentId));
  }

  async claimPoliteReply(repo: string, number: number): Promise<boolean> {
    return (await this.#redis.hsetnx(this.#key(repo, number), 'polite', new Date().toISOString())) === 1;
  }

  async setQuestion(repo: string, number: number, question: string): Promise<void> {
    await this.#redis.hset(this.#key(repo, number), 'question', question);
  }

  async takeQuestion(repo: string, number: number): Promise<string | undefined> {
    const v = await this.#run.takeField([this.#key(repo, number)], ['question']);
    return v == null ? undefined : String(v);
  }

  async setRequester(repo: string, number: number, login: string): Promise<void> {
    await this.#redis.hset(this.#key(repo, number), 'requester', login);
  }

  async requester(repo: string, number: number): Promise<string | undefined> {
    return (await this.#redis.hget(this.#key(repo, number), 'requester')) ?? undefined;
  }

  async setBranch(repo: string, number: number, branch: string): Promise<void> {
    await this.#redis.hset(this.#key(repo, number), 'branch', branch);
  }

  async branch(repo: string, number: number): Promise<string | undefined> {
    return (await this.#redis.hget(this.#key(repo, number), 'branch')) ?? undefined;
  }

  /** One HSET: the branch and the issue it closes are never seen apart. */
  async setPullRequest(repo: string, number: number, pr: AppPullRequest): Promise<void> {
    await this.#redis.hset(this.#key(repo, number), {
      prBranch: pr.branch,
      prCloses: pr.closes === null ? '' : String(pr.closes),
      prFor: pr.forPull === null ? '' : String(pr.forPull),
    });
  }

  async pullRequest(repo: string, number: number): Promise<AppPullRequest | undefined> {
    const [branch, closes, forPull] = await this.#redis.hmget(this.#key(repo, number), 'prBranch', 'prCloses', 'prFor');
    if (!branch) return undefined;
    return { branch, closes: closes ? Number(closes) : null, forPull: forPull ? Number(forPull) : null };
  }
}
