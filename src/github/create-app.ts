import type { ApplicationFunction, Probot } from 'probot';
import type { JobsPort, ThreadsPort } from '../adapters/store/ports.ts';
import { handleCiFailure } from './handle-ci-failure.ts';
import { handleTrigger, type TriggerOctokit } from './handle-trigger.ts';

export interface AppDeps {
  jobs: JobsPort;
  threads: ThreadsPort;
  /** `<slug>` of the app; when unset it is read once from `GET /app`. */
  appSlug?: string | undefined;
  notifyWorkers: () => void;
  cancelRunning: (jobId: number, reason: string) => boolean | Promise<boolean>;
  /** Called once with the Probot instance, so workers can get installation clients. */
  onLoad?: (app: Probot) => void;
  /** Told of each delivery's event and result (metrics). */
  onDelivery?: (event: string, result: string) => void;
  /** Takes the acknowledgement's writes after the webhook is answered (see TriggerDeps.background). */
  background?: (work: Promise<unknown>) => void;
  /** Jobs run in other processes (scale-out); see TriggerDeps.remoteWorkers. */
  remoteWorkers?: boolean;
}

/** The Probot entry: a thin adapter from webhook contexts to `handleTrigger`. */
export function createApp(deps: AppDeps): ApplicationFunction {
  return (app) => {
    deps.onLoad?.(app);
    const botLogin = memo(async () => {
      if (deps.appSlug) return `${deps.appSlug}[bot]`;
      const octokit = await app.auth();
      const { data } = await octokit.request('GET /app');
      return `${data?.slug ?? 'patchwright'}[bot]`;
    });
    const triggerDeps = {
      jobs: deps.jobs,
      threads: deps.threads,
      botLogin,
      notifyWorkers: deps.notifyWorkers,
      cancelRunning: deps.cancelRunning,
      warn: (message: string, error: unknown) => app.log.warn({ err: error }, message),
      ...(deps.background ? { background: deps.background } : {}),
      remoteWorkers: deps.remoteWorkers ?? false,
    };
    app.on(['issues.labeled', 'issue_comment.created', 'pull_request_review.submitted'], async (context) => {
      // ProbotOctokit carries the config plugin; its request typings are a superset of what we use.
      const octokit = context.octokit as unknown as TriggerOctokit;
      const result = await handleTrigger(triggerDeps, octokit, {
        name: context.name,
        id: context.id,
        payload: context.payload,
      });
      deps.onDelivery?.(context.name, result.status);
      context.log.info({ delivery: context.id, event: context.name, result }, 'trigger handled');
    });
    // Every other delivery is counted too, as ignored: the metrics show all GitHub sends.
    const handled = new Set([
      'issues.labeled',
      'issue_comment.created',
      'pull_request_review.submitted',
      'check_suite.completed',
    ]);
    app.onAny(async (context) => {
      const action = (context.payload as { action?: string }).action;
      if (!handled.has(`${context.name}.${action}`)) deps.onDelivery?.(context.name, 'ignored');
    });
    app.on('check_suite.completed', async (context) => {
      const octokit = context.octokit as unknown as TriggerOctokit;
      const result = await handleCiFailure(triggerDeps, octokit, {
        name: context.name,
        id: context.id,
        payload: context.payload,
      });
      deps.onDelivery?.(context.name, result.status);
      context.log.info({ delivery: context.id, event: context.name, result }, 'check suite handled');
    });
  };
}

function memo<T>(fn: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= fn().catch((error: unknown) => {
      value = undefined;
      throw error;
    });
    return value;
  };
}
