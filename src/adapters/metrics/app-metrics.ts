import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RunEvent } from '../../protocol/run-event.ts';

/**
 * The numbers a deployment watches, in Prometheus' text format at `GET /metrics`: deliveries,
 * the queue, runs and their outcomes and durations, model tokens and spend, sandboxed commands,
 * GitHub API calls and rate limit, and how busy the workers are. One registry per server.
 */
export class AppMetrics {
  readonly registry = new Registry();
  readonly deliveries = new Counter({
    name: 'patchwright_deliveries_total',
    help: 'Webhook deliveries handled, by event and result',
    labelNames: ['event', 'result'],
    registers: [this.registry],
  });
  readonly queueWait = new Histogram({
    name: 'patchwright_queue_wait_seconds',
    help: 'Time from a job being stored to a worker starting it',
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 1800],
    registers: [this.registry],
  });
  readonly runs = new Counter({
    name: 'patchwright_runs_total',
    help: 'Agent runs finished, by outcome',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly runDuration = new Histogram({
    name: 'patchwright_run_duration_seconds',
    help: 'Agent run duration',
    buckets: [10, 30, 60, 180, 600, 1800, 3600],
    registers: [this.registry],
  });
  readonly timeToPr = new Histogram({
    name: 'patchwright_time_to_pr_seconds',
    help: 'Time from the trigger to the pull request',
    buckets: [30, 60, 180, 600, 1800, 3600, 7200],
    registers: [this.registry],
  });
  readonly tokens = new Counter({
    name: 'patchwright_model_tokens_total',
    help: 'Model tokens, by model and kind',
    labelNames: ['model', 'kind'],
    registers: [this.registry],
  });
  readonly spend = new Counter({
    name: 'patchwright_model_cost_usd_total',
    help: 'Model spend in USD, by model (runs of unpriced models are not counted)',
    labelNames: ['model'],
    registers: [this.registry],
  });
  readonly commands = new Histogram({
    name: 'patchwright_sandbox_command_seconds',
    help: "Sandboxed commands (setup, tests, the model's commands) and how long they ran",
    buckets: [0.05, 0.25, 1, 5, 30, 120, 600],
    registers: [this.registry],
  });
  readonly githubRequests = new Counter({
    name: 'patchwright_github_requests_total',
    help: 'GitHub API requests, by status class',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly rateLimit = new Gauge({
    name: 'patchwright_github_rate_limit_remaining',
    help: 'The remaining GitHub API rate limit, as last reported',
    registers: [this.registry],
  });
  readonly queueDepth: Gauge;
  readonly workersBusy: Gauge;
  readonly workers: Gauge;

  constructor(live: { queued: () => number | Promise<number>; busy: () => number; concurrency: number }) {
    this.queueDepth = new Gauge({
      name: 'patchwright_queue_depth',
      help: 'Jobs waiting for a worker',
      registers: [this.registry],
      collect: async () => this.queueDepth.set(await live.queued()),
    });
    this.workersBusy = new Gauge({
      name: 'patchwright_workers_busy',
      help: 'Workers running a job now',
      registers: [this.registry],
      collect: () => this.workersBusy.set(live.busy()),
    });
    this.workers = new Gauge({
      name: 'patchwright_workers',
      help: 'Workers in this process',
      registers: [this.registry],
    });
    this.workers.set(live.concurrency);
    collectDefaultMetrics({ register: this.registry, prefix: 'patchwright_process_' });
  }

  /** Runs, tokens, spend and commands, from the one event stream. */
  onEvent(e: RunEvent, model: string | undefined): void {
    if (
      e.type === 'item.completed' &&
      (e.item.kind === 'command_execution' || e.item.kind === 'test_run') &&
      !('declined' in e.item && e.item.declined)
    ) {
      this.commands.observe(e.item.durationMs / 1000);
    }
    if (e.type !== 'run.completed') return;
    const m = model ?? 'unknown';
    this.runs.inc({ outcome: e.outcome });
    this.runDuration.observe(e.evidence.durationMs / 1000);
    const u = e.evidence.usage;
    this.tokens.inc({ model: m, kind: 'input' }, u.inputTokens);
    this.tokens.inc({ model: m, kind: 'cached_input' }, u.cachedInputTokens);
    this.tokens.inc({ model: m, kind: 'output' }, u.outputTokens);
    if (u.costUsd !== null) this.spend.inc({ model: m }, u.costUsd);
  }

  onGithubResponse(status: number, remaining: string | undefined): void {
    this.githubRequests.inc({ status: `${Math.floor(status / 100)}xx` });
    const n = Number(remaining);
    if (remaining !== undefined && Number.isFinite(n)) this.rateLimit.set(n);
  }
}
