import type { Settings } from '../adapters/env/read-settings.ts';
import type { RunJob } from '../adapters/queue/worker-pool.ts';
import type { GithubAccess } from './start-server.ts';

export interface JobRunnerDeps {
  github: GithubAccess;
  settings: Settings;
}

/** Placeholder until the agent run is wired in: fails jobs with a plain reason. */
export function createJobRunner(_deps: JobRunnerDeps): RunJob {
  return async () => ({ state: 'failed', reason: 'the agent run is not wired into the app yet' });
}
