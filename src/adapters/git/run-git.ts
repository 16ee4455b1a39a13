import { simpleGit, type SimpleGit } from 'simple-git';
import { gitAuthEnv, redact } from './git-auth.ts';

export class GitError extends Error {
  readonly code = 'git_failed';
}

/** A simple-git client for `dir`; with a token, it authenticates network commands for `cloneUrl`. */
export function git(dir: string, auth?: { cloneUrl: string; token?: string | undefined }): SimpleGit {
  const client = simpleGit({
    baseDir: dir,
    maxConcurrentProcesses: 4,
    trimmed: true,
    // GIT_CONFIG_* carries only the auth header we build ourselves (see git-auth.ts).
    unsafe: { allowUnsafeConfigEnvCount: true },
    allowEnvironment: ['GIT_TERMINAL_PROMPT', 'GIT_LFS_SKIP_SMUDGE', 'GIT_CONFIG_NOSYSTEM', 'GIT_CONFIG_COUNT', 'GIT_CONFIG_KEY_0', 'GIT_CONFIG_VALUE_0'],
  });
  // A minimal environment: git needs no secret of the app, and simple-git rejects editor variables.
  const base: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: process.env.LANG ?? 'C.UTF-8',
    GIT_TERMINAL_PROMPT: '0',
    GIT_LFS_SKIP_SMUDGE: '1',
    // Keep a user's or the host's git config (credential helpers, rewrites) out of our commands.
    GIT_CONFIG_NOSYSTEM: '1',
  };
  return client.env({ ...base, ...(auth ? gitAuthEnv(auth.cloneUrl, auth.token) : {}) });
}

/** Runs a git step and rethrows failures with any trace of the token removed. */
export async function safely<T>(what: string, token: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new GitError(`${what} failed: ${redact(message, token).trim()}`);
  }
}
