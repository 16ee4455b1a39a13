import type { Octokit } from '@octokit/core';
import { ProbotOctokit } from 'probot';

/** How long a job waits for GitHub's rate limits before giving up with a clear message. */
const MAX_WAIT_SECONDS = 120;

interface Log {
  warn: (msg: string) => void;
}

/**
 * Probot's Octokit with the app's own answers to GitHub's limits: a secondary rate limit or an
 * abuse-detection 403 (which come with `retry-after`) and a used-up primary limit (reset soon) are
 * waited out and retried, a few times and never longer than two minutes each; past that the request
 * fails with GitHub's own message. 5xx answers are retried by Probot's retry plugin.
 */
/** An abuse-detection 403 (the old name of the secondary limit, not matched by the throttling plugin) with `retry-after`: waited out. */
function abuseRetry(octokit: Octokit) {
  octokit.hook.wrap('request', async (request, options) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(options);
      } catch (error) {
        const e = error as { status?: number; message?: string; response?: { headers?: Record<string, string> } };
        const wait = Number(e.response?.headers?.['retry-after']);
        if (
          e.status !== 403 ||
          !/abuse/i.test(e.message ?? '') ||
          !(wait >= 0 && wait <= MAX_WAIT_SECONDS) ||
          attempt >= 3
        )
          throw error;
        await new Promise((r) => setTimeout(r, wait * 1000));
      }
    }
  });
}

export const AppOctokit = ProbotOctokit.plugin(abuseRetry).defaults((options: Record<string, unknown>) => ({
  ...options,
  throttle: {
    ...(options.throttle as object),
    onSecondaryRateLimit: (
      retryAfter: number,
      req: { method: string; url: string },
      octokit: { log: Log },
      retryCount: number,
    ) => {
      const retry = retryCount < 3 && retryAfter <= MAX_WAIT_SECONDS;
      octokit.log.warn(
        `GitHub's secondary rate limit on ${req.method} ${req.url}: ${retry ? `retrying in ${retryAfter} s` : 'giving up'}`,
      );
      return retry;
    },
    onRateLimit: (
      retryAfter: number,
      req: { method: string; url: string },
      octokit: { log: Log },
      retryCount: number,
    ) => {
      const retry = retryCount < 2 && retryAfter <= MAX_WAIT_SECONDS;
      octokit.log.warn(
        `GitHub's rate limit is used up (${req.method} ${req.url}): ${retry ? `retrying in ${retryAfter} s` : 'giving up'}`,
      );
      return retry;
    },
  },
}));
