import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { simpleGit, type SimpleGit } from 'simple-git';
import { gitAuthEnv, redact } from './git-auth.ts';

const runFile = promisify(execFile);

export class GitError extends Error {
  readonly code = 'git_failed';
}

/**
 * Config that keeps the app's own git from running anything a checkout controls: the model
 * writes the worktree, so its content (and any repository nested in it) is hostile. Passed with
 * `-c`, which also reaches the git processes git starts in submodules (GIT_CONFIG_PARAMETERS).
 */
export const HARDENED_CONFIG = [
  'core.fsmonitor=false',
  'core.hooksPath=/dev/null',
  'core.untrackedCache=false',
  'core.pager=cat',
  'core.askPass=',
  'credential.helper=',
  'diff.external=',
  'diff.ignoreSubmodules=all',
  'status.submoduleSummary=false',
  'submodule.recurse=false',
  'protocol.ext.allow=never',
  'uploadpack.packObjectsHook=',
  'core.protectNTFS=true',
  'core.protectHFS=true',
  // The sandbox may run as its own host user, which then owns the worktree's files. Git's
  // ownership check protects against a repository's config; ours is the mirror's, which no
  // sandboxed command can write, and everything that config could run is switched off above.
  'safe.directory=*',
];

/** A simple-git client for `dir`; with a token, it authenticates network commands for `cloneUrl`. */
export function git(dir: string, auth?: { cloneUrl: string; token?: string | undefined }): SimpleGit {
  const client = simpleGit({
    baseDir: dir,
    maxConcurrentProcesses: 4,
    trimmed: true,
    config: HARDENED_CONFIG,
    // These switch the dangerous settings off; simple-git asks to be told that setting them is meant.
    // GIT_CONFIG_* carries only the auth header we build ourselves (see git-auth.ts).
    unsafe: {
      allowUnsafeConfigEnvCount: true,
      allowUnsafeFsMonitor: true,
      allowUnsafeHooksPath: true,
      allowUnsafePager: true,
      allowUnsafeAskPass: true,
      allowUnsafeCredentialHelper: true,
      allowUnsafeDiffExternal: true,
      allowUnsafeProtocolOverride: true,
      allowUnsafePack: true,
      allowUnsafeConfigPaths: true,
    },
    allowEnvironment: [
      'GIT_TERMINAL_PROMPT',
      'GIT_LFS_SKIP_SMUDGE',
      'GIT_CONFIG_NOSYSTEM',
      'GIT_CONFIG_GLOBAL',
      'GIT_ATTR_NOSYSTEM',
      'GIT_OPTIONAL_LOCKS',
      'GIT_NO_REPLACE_OBJECTS',
      'GIT_CONFIG_COUNT',
      'GIT_CONFIG_KEY_0',
      'GIT_CONFIG_VALUE_0',
    ],
  } as Parameters<typeof simpleGit>[0]);
  const base = hardenedEnv();
  return client.env({ ...base, ...(auth ? gitAuthEnv(auth.cloneUrl, auth.token) : {}) });
}

/** A minimal environment: git needs no secret of the app, and simple-git rejects editor variables. */
function hardenedEnv(): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: process.env.LANG ?? 'C.UTF-8',
    GIT_TERMINAL_PROMPT: '0',
    GIT_LFS_SKIP_SMUDGE: '1',
    // Keep a user's or the host's git config (credential helpers, rewrites, includes) out of our commands.
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ATTR_NOSYSTEM: '1',
    GIT_OPTIONAL_LOCKS: '0',
    // Replace refs written by a hostile repository would make git show other objects than it commits.
    GIT_NO_REPLACE_OBJECTS: '1',
  };
}

/**
 * Git's output exactly as printed, with the same hardened config and environment as `git()`:
 * simple-git trims what it returns, which cuts a patch's last context line when it is blank.
 */
export async function gitText(dir: string, args: string[]): Promise<string> {
  const { stdout } = await runFile('git', [...HARDENED_CONFIG.flatMap((c) => ['-c', c]), ...args], {
    cwd: dir,
    env: Object.fromEntries(Object.entries(hardenedEnv()).filter(([, v]) => v !== undefined)),
    maxBuffer: 512 * 1024 * 1024,
  });
  return stdout;
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
