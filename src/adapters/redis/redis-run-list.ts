import type { Redis } from 'ioredis';
import type { RunSummary } from '../store/event-log.ts';
import type { RunsPort } from '../store/ports.ts';
import { runRowOf, type RunFilter, type RunRow } from '../store/run-list.ts';
import { toJob } from './redis-jobs.ts';

/**
 * The dashboard's reads of runs in scale-out mode. ENQUEUE keeps two indexes besides every job's
 * id (`:jobs`): the repositories (`:repos`) and each repository's jobs (`:repo-jobs:<repo>`). A
 * page reads only its own jobs' hashes, also when it shows some repositories (the viewer's, or
 * one picked); a filter on outcome or person reads the hashes of the repositories in view and
 * filters here.
 */
export class RedisRunList implements RunsPort {
  readonly #redis: Redis;
  readonly #p: string;
  #indexed: Promise<void> | undefined;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#p = prefix;
  }

  /**
   * Jobs stored before the indexes existed are indexed once, by the first process that reads;
   * ZADD and SADD make a second one (or a job enqueued meanwhile) harmless.
   */
  #index(): Promise<void> {
    this.#indexed ??= (async () => {
      const marker = `${this.#p}:index:repos`;
      if (await this.#redis.exists(marker)) return;
      const ids = await this.#redis.zrange(`${this.#p}:jobs`, '0', '-1');
      for (let i = 0; i < ids.length; i += 1000) {
        const chunk = ids.slice(i, i + 1000);
        const read = this.#redis.pipeline();
        for (const id of chunk) read.hget(`${this.#p}:job:${id}`, 'repo');
        const repos = ((await read.exec()) ?? []).map(([, repo]) => repo as string | null);
        const write = this.#redis.pipeline();
        chunk.forEach((id, j) => {
          const repo = repos[j];
          if (repo) write.zadd(`${this.#p}:repo-jobs:${repo}`, id, id).sadd(`${this.#p}:repos`, repo);
        });
        await write.exec();
      }
      await this.#redis.set(marker, '1');
    })().catch((error: unknown) => {
      this.#indexed = undefined;
      throw error;
    });
    return this.#indexed;
  }

  async #rows(ids: string[]): Promise<RunRow[]> {
    if (!ids.length) return [];
    const pipe = this.#redis.pipeline();
    for (const id of ids) pipe.hgetall(`${this.#p}:job:${id}`);
    return ((await pipe.exec()) ?? [])
      .map(([, h]) => h as Record<string, string>)
      .filter((h) => h?.id)
      .map((h) => runRowOf(toJob(h), h.summary ? (JSON.parse(h.summary) as RunSummary) : null));
  }

  /** The ids of the jobs of these repositories (null: all), newest first. */
  async #ids(repos: string[] | null): Promise<string[]> {
    if (!repos) return this.#redis.zrevrange(`${this.#p}:jobs`, '0', '-1');
    if (!repos.length) return [];
    await this.#index();
    const pipe = this.#redis.pipeline();
    for (const repo of new Set(repos)) pipe.zrange(`${this.#p}:repo-jobs:${repo}`, '0', '-1');
    const ids = ((await pipe.exec()) ?? []).flatMap(([, xs]) => (xs as string[] | null) ?? []);
    return ids.sort((a, b) => Number(b) - Number(a));
  }

  async repos(): Promise<string[]> {
    await this.#index();
    return (await this.#redis.smembers(`${this.#p}:repos`)).sort();
  }

  async page(f: RunFilter, limit: number, offset: number): Promise<{ rows: RunRow[]; total: number }> {
    // The repositories in view: the one picked, if the viewer may see it; else the viewer's.
    const repos = f.repo ? (!f.repos || f.repos.includes(f.repo) ? [f.repo] : []) : f.repos;
    if (!repos && !f.outcome && !f.person) {
      const [total, ids] = await Promise.all([
        this.#redis.zcard(`${this.#p}:jobs`),
        this.#redis.zrevrange(`${this.#p}:jobs`, String(offset), String(offset + limit - 1)),
      ]);
      return { rows: await this.#rows(ids), total };
    }
    const ids = await this.#ids(repos);
    if (!f.outcome && !f.person)
      return { rows: await this.#rows(ids.slice(offset, offset + limit)), total: ids.length };
    const rows = (await this.#rows(ids)).filter(
      (r) => (!f.outcome || (r.outcome ?? r.state) === f.outcome) && (!f.person || r.requester === f.person),
    );
    return { rows: rows.slice(offset, offset + limit), total: rows.length };
  }

  async get(id: number): Promise<RunRow | undefined> {
    return (await this.#rows([String(id)]))[0];
  }

  async finishedSince(sinceIso: string, repos: string[] | null): Promise<RunRow[]> {
    return (await this.#rows(await this.#ids(repos)))
      .filter((r) => r.finishedAt && r.finishedAt >= sinceIso)
      .sort((a, b) => a.finishedAt!.localeCompare(b.finishedAt!));
  }
}
