import type { Redis } from 'ioredis';
import type { RunSummary } from '../store/event-log.ts';
import type { RunsPort } from '../store/ports.ts';
import { runRowOf, type RunFilter, type RunRow } from '../store/run-list.ts';
import { toJob } from './redis-jobs.ts';

/**
 * The dashboard's reads of runs in scale-out mode. An unfiltered page reads only its own jobs; a
 * filtered one (repository, outcome, person, or a viewer who may see only some repositories)
 * reads every job's hash once and filters here.
 */
export class RedisRunList implements RunsPort {
  readonly #redis: Redis;
  readonly #p: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#p = prefix;
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

  /** Every run, newest first. */
  async #all(): Promise<RunRow[]> {
    return this.#rows(await this.#redis.zrevrange(`${this.#p}:jobs`, '0', '-1'));
  }

  async repos(): Promise<string[]> {
    return [...new Set((await this.#all()).map((r) => r.repo))].sort();
  }

  async page(f: RunFilter, limit: number, offset: number): Promise<{ rows: RunRow[]; total: number }> {
    if (f.repos && !f.repos.length) return { rows: [], total: 0 };
    if (!f.repos && !f.repo && !f.outcome && !f.person) {
      const [total, ids] = await Promise.all([this.#redis.zcard(`${this.#p}:jobs`), this.#redis.zrevrange(`${this.#p}:jobs`, String(offset), String(offset + limit - 1))]);
      return { rows: await this.#rows(ids), total };
    }
    const rows = (await this.#all()).filter(
      (r) => (!f.repos || f.repos.includes(r.repo)) && (!f.repo || r.repo === f.repo) && (!f.outcome || (r.outcome ?? r.state) === f.outcome) && (!f.person || r.requester === f.person),
    );
    return { rows: rows.slice(offset, offset + limit), total: rows.length };
  }

  async get(id: number): Promise<RunRow | undefined> {
    return (await this.#rows([String(id)]))[0];
  }

  async finishedSince(sinceIso: string, repos: string[] | null): Promise<RunRow[]> {
    return (await this.#all())
      .filter((r) => r.finishedAt && r.finishedAt >= sinceIso && (!repos || repos.includes(r.repo)))
      .sort((a, b) => a.finishedAt!.localeCompare(b.finishedAt!));
  }
}
