import type { Redis } from 'ioredis';
import * as lua from './redis-scripts.ts';

/** Review batching re-reads and retries this often when another process changed the job meanwhile. */
export const ABSORB_REVIEW_RETRIES = 5;

type Script = (keys: string[], args: string[]) => Promise<unknown>;

export interface Scripts {
  enqueue: Script;
  claim: Script;
  renew: Script;
  finish: Script;
  cancelQueued: Script;
  markCancel: Script;
  replaceTask: Script;
  releaseMutex: Script;
  takeField: Script;
  appendEvent: Script;
}

const SOURCES: Record<keyof Scripts, string> = {
  enqueue: lua.ENQUEUE,
  claim: lua.CLAIM,
  renew: lua.RENEW,
  finish: lua.FINISH,
  cancelQueued: lua.CANCEL_QUEUED,
  markCancel: lua.MARK_CANCEL,
  replaceTask: lua.REPLACE_TASK,
  releaseMutex: lua.RELEASE_MUTEX,
  takeField: lua.TAKE_FIELD,
  appendEvent: lua.APPEND_EVENT,
};

/**
 * The scripts as functions, through ioredis' defineCommand (EVALSHA, and EVAL again when a
 * restarted Redis no longer knows the script).
 */
export function scriptsOf(redis: Redis): Scripts {
  const commands = redis as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const out = {} as Record<keyof Scripts, Script>;
  for (const [name, source] of Object.entries(SOURCES) as Array<[keyof Scripts, string]>) {
    const command = `pw_${name}`;
    if (!commands[command]) redis.defineCommand(command, { lua: source });
    out[name] = (keys, args) => commands[command]!(keys.length, ...keys, ...args);
  }
  return out;
}
