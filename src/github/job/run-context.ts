import type { Settings } from '../../adapters/env/read-settings.ts';
import type { Workspaces } from '../../adapters/git/workspaces.ts';
import type { SandboxUsers } from '../../adapters/sandbox/sandbox-users.ts';
import type { EventsPort, ThreadsPort } from '../../adapters/store/ports.ts';
import type { ModelClient } from '../../core/model/model-port.ts';
import type { RepoConfig } from '../../protocol/repo-config.ts';
import type { GithubAccess } from '../app-runtime.ts';
import type { Posted } from '../publish/posted.ts';

export interface JobRunnerDeps {
  github: GithubAccess;
  settings: Settings;
  threads: ThreadsPort;
  events: EventsPort;
  appSlug: () => Promise<string>;
  /** Tests hand in a model; by default the OpenAI adapter from the settings. */
  model?: ModelClient;
  env?: NodeJS.ProcessEnv;
}

export type Octo = Awaited<ReturnType<GithubAccess['forInstallation']>>;

/** What one job's work is handed: the runner's dependencies, the installation's Octokit, its git token, the shared workspaces and host users. */
export interface RunContext {
  deps: JobRunnerDeps;
  octokit: Octo;
  /** A token for git: this repository's contents only (repo-access.ts). */
  gitToken: () => Promise<string>;
  workspaces: Workspaces;
  users: SandboxUsers;
  kind: 'bwrap' | 'docker' | 'none';
  config: RepoConfig;
  say: (text: Posted) => Promise<void>;
}
