import { AsyncLocalStorage } from 'node:async_hooks';
import { getTransformStream } from '@probot/pino';
import pino, { type Logger } from 'pino';

/** The job a piece of work belongs to; every log line written inside it carries these fields. */
export interface JobFields {
  jobId: number;
  delivery: string;
  repo: string;
  number: number;
}

const current = new AsyncLocalStorage<JobFields>();

/** Runs `fn` as part of a job: whatever it logs (Octokit's rate-limit warnings too) names the job. */
export function inJob<T>(fields: JobFields, fn: () => T): T {
  return current.run(fields, fn);
}

/**
 * The app's logger: Probot's (pino through @probot/pino, so LOG_FORMAT and the pretty output are
 * unchanged), plus the fields of the job whose work is logging, on every line.
 */
export async function createAppLog(level: string): Promise<Logger> {
  const transform = await getTransformStream({ logFormat: 'pretty' });
  transform.pipe(pino.destination(1) as unknown as NodeJS.WritableStream);
  return pino({ level, name: 'probot', messageKey: 'msg', mixin: () => ({ ...current.getStore() }) }, transform);
}
