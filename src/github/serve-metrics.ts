import type http from 'node:http';
import type { Octokit } from '@octokit/core';
import type { AppMetrics } from '../adapters/metrics/app-metrics.ts';
import { sameToken } from '../adapters/env/same-token.ts';

/** An Octokit plugin that counts every GitHub API answer and keeps the rate limit it reports. */
export function githubMetrics(metrics: AppMetrics) {
  return (octokit: Octokit) => {
    octokit.hook.after('request', (response) =>
      metrics.onGithubResponse(response.status, response.headers['x-ratelimit-remaining'] as string | undefined),
    );
    octokit.hook.error('request', (error) => {
      const e = error as { status?: number; response?: { headers?: Record<string, string> } };
      metrics.onGithubResponse(e.status ?? 0, e.response?.headers?.['x-ratelimit-remaining']);
      throw error;
    });
  };
}

/** `GET /metrics` in Prometheus' text format; with a token set, only for `Authorization: Bearer <token>`. */
export function serveMetrics(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  metrics: AppMetrics,
  token: string | undefined,
): void {
  if (token) {
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!given || !sameToken(given, token)) return void res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
  }
  metrics.registry.metrics().then(
    (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
    () => res.writeHead(500).end(),
  );
}
