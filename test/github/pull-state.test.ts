import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/store/open-database.ts';
import { ThreadStore } from '../../src/adapters/store/thread-store.ts';
import { pullState } from '../../src/github/job/pull-state.ts';
import { defaultRepoConfig, RepoConfig } from '../../src/protocol/repo-config.ts';
import type { Task } from '../../src/protocol/task.ts';
import { BOT_LOGIN, tempDir } from '../support/app-harness.ts';

/** What a PR job works on comes from the thread store; a PR opened before the store kept PRs is adopted only when its head is an issue's recorded branch. */
const KEY = 'octo-org/widgets';
const task = (number: number): Task => ({
  action: 'follow_up',
  repo: {
    owner: 'octo-org',
    name: 'widgets',
    cloneUrl: 'https://github.com/octo-org/widgets.git',
    defaultBranch: 'main',
  },
  installationId: 1,
  number,
  isPullRequest: true,
  title: 't',
  body: '',
  instructions: 'x',
  requester: 'maintainer',
  trigger: { kind: 'command', commentId: 1, command: 'instructions' },
});
const github = (pr: { head: string; headRepo?: string; author?: string; body?: string }) =>
  ({
    request: async () => ({
      data: {
        head: { ref: pr.head, repo: { full_name: pr.headRepo ?? KEY } },
        base: { ref: 'main' },
        user: { login: pr.author ?? BOT_LOGIN },
        body: pr.body ?? '',
      },
    }),
  }) as never;

describe('pullState', () => {
  it('the recorded PR: its branch and issue, whatever the body says', async () => {
    const threads = new ThreadStore(openDatabase(tempDir()));
    threads.setPullRequest(KEY, 100, { branch: 'agent/7-fix', closes: 7, forPull: null });
    expect(
      await pullState(
        github({ head: 'agent/7-fix', body: 'Fixes #12' }),
        task(100),
        threads,
        defaultRepoConfig,
        BOT_LOGIN,
      ),
    ).toEqual({ kind: 'own', base: 'main', branch: 'agent/7-fix', closes: 7, forPull: null });
  });

  it('a recorded PR whose head is not its branch is refused', async () => {
    const threads = new ThreadStore(openDatabase(tempDir()));
    threads.setPullRequest(KEY, 100, { branch: 'agent/7-fix', closes: 7, forPull: null });
    expect(await pullState(github({ head: 'main' }), task(100), threads, defaultRepoConfig, BOT_LOGIN)).toMatchObject({
      kind: 'refused',
      reason: 'the PR head is not the branch the app made',
    });
  });

  it('an earlier PR of the app is adopted through the issue whose recorded branch is its head, and recorded', async () => {
    const threads = new ThreadStore(openDatabase(tempDir()));
    threads.setBranch(KEY, 7, 'agent/7-fix');
    threads.setBranch(KEY, 12, 'agent/12-other');
    expect(
      await pullState(
        github({ head: 'agent/7-fix', body: 'Fixes #12\n\nCloses #7' }),
        task(100),
        threads,
        defaultRepoConfig,
        BOT_LOGIN,
      ),
    ).toMatchObject({ kind: 'own', branch: 'agent/7-fix', closes: 7 });
    expect(threads.pullRequest(KEY, 100)).toEqual({ branch: 'agent/7-fix', closes: 7, forPull: null });
  });

  it('a body that names an issue whose branch is not the head adopts nothing', async () => {
    const threads = new ThreadStore(openDatabase(tempDir()));
    threads.setBranch(KEY, 12, 'agent/12-other');
    expect(
      await pullState(
        github({ head: 'agent/7-fix', body: 'Fixes #12' }),
        task(100),
        threads,
        defaultRepoConfig,
        BOT_LOGIN,
      ),
    ).toMatchObject({ kind: 'refused', reason: 'pull request was not opened by Patchwright' });
    expect(threads.pullRequest(KEY, 100)).toBeUndefined();
  });

  it('a fork is refused, whatever the config; a human’s PR in the repository only with humanPullRequests', async () => {
    const threads = new ThreadStore(openDatabase(tempDir()));
    const humans = RepoConfig.parse({ followUp: { humanPullRequests: true } });
    expect(
      await pullState(
        github({ head: 'main', headRepo: 'evil/widgets', author: 'x' }),
        task(101),
        threads,
        humans,
        BOT_LOGIN,
      ),
    ).toMatchObject({ kind: 'refused', reason: 'pull request comes from a fork' });
    expect(
      await pullState(
        github({ head: 'develop', author: 'colleague' }),
        task(102),
        threads,
        defaultRepoConfig,
        BOT_LOGIN,
      ),
    ).toMatchObject({ kind: 'refused', reason: 'pull request was not opened by Patchwright' });
    expect(
      await pullState(github({ head: 'develop', author: 'colleague' }), task(102), threads, humans, BOT_LOGIN),
    ).toEqual({ kind: 'human', base: 'develop', forPull: 102 });
  });
});
