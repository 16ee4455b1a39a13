import fs from 'node:fs';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { loadConfig, REPOSITORY_ONLY, type ConfigOctokit } from '../../src/github/config/load-config.ts';
import { defaultRepoConfig } from '../../src/protocol/repo-config.ts';
import { TestOctokit } from '../support/app-harness.ts';
import { API } from '../support/nock-github.ts';

/**
 * An org's `.github` repository (and any repository `_extends` names) is read for every
 * repository of the org: keys that run commands or widen access come from the repository's own
 * file only. Each such key is tried alone in a shared file, at each place a shared file can come
 * from; the same keys in the repository's own file are fine.
 */
const fixture = (name: string) => fs.readFileSync(`fixtures/config/${name}.yml`, 'utf8');
const octokit = () => new TestOctokit({ auth: { token: 'ghs_test' } }) as unknown as ConfigOctokit;
const file = (owner: string, repo: string, path = '.github%2Fagent.yml') => `/repos/${owner}/${repo}/contents/${path}`;
const yaml = (text: string | object) =>
  [
    200,
    typeof text === 'string' ? text : YAML.stringify(text),
    { 'content-type': 'text/plain; charset=utf-8' },
  ] as const;

/** One value for each repository-only key, valid for the schema (so only the source makes it wrong). */
const SAMPLE: Record<(typeof REPOSITORY_ONLY)[number], object> = {
  setup: { setup: ['npm ci'] },
  test: { test: 'npm test' },
  lint: { lint: 'npm run lint' },
  minPermission: { minPermission: 'triage' },
  sandbox: { sandbox: { network: true } },
  'followUp.humanPullRequests': { followUp: { humanPullRequests: true } },
};

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe('what a shared agent.yml may set', () => {
  it.each(REPOSITORY_ONLY)(
    '%s in the org’s .github repository is refused, naming the key and the file',
    async (key) => {
      nock(API)
        .get(file('octo-org', 'widgets'))
        .reply(404, { message: 'Not Found' })
        .get(file('octo-org', '.github'))
        .reply(...yaml(SAMPLE[key]));
      const loaded = await loadConfig(octokit(), 'octo-org', 'widgets');
      expect(loaded).toEqual({
        ok: false,
        problems: [
          {
            path: key,
            message: expect.stringMatching(
              /is set in octo-org\/\.github:\.github\/agent\.yml, a file shared by other repositories; it runs commands or widens access, so only a repository's own \.github\/agent\.yml may set it/,
            ),
          },
        ],
      });
    },
  );

  it.each(REPOSITORY_ONLY)('%s in a file the repository’s own file extends is refused too', async (key) => {
    nock(API)
      .get(file('octo-org', 'widgets'))
      .reply(...yaml({ _extends: 'shared-config' }))
      .get(file('octo-org', 'shared-config'))
      .reply(...yaml(SAMPLE[key]));
    const loaded = await loadConfig(octokit(), 'octo-org', 'widgets');
    expect(loaded.ok).toBe(false);
    expect(!loaded.ok && loaded.problems.map((p) => p.path)).toEqual([key]);
  });

  it.each(REPOSITORY_ONLY)('%s in the repository’s own file is its own business', async (key) => {
    nock(API)
      .get(file('octo-org', 'widgets'))
      .reply(...yaml(SAMPLE[key]));
    expect((await loadConfig(octokit(), 'octo-org', 'widgets')).ok).toBe(true);
  });

  it('an org file that tries all of them at once gets every one named', async () => {
    nock(API)
      .get(file('octo-org', 'widgets'))
      .reply(404, { message: 'Not Found' })
      .get(file('octo-org', '.github'))
      .reply(...yaml(fixture('org-evil')));
    const loaded = await loadConfig(octokit(), 'octo-org', 'widgets');
    expect(!loaded.ok && loaded.problems.map((p) => p.path)).toEqual([...REPOSITORY_ONLY]);
  });

  it('words, budgets and batching come from the org; its protected paths are added to the defaults, never replacing them', async () => {
    nock(API)
      .get(file('octo-org', 'widgets'))
      .reply(404, { message: 'Not Found' })
      .get(file('octo-org', '.github'))
      .reply(...yaml(fixture('org-protect')));
    const loaded = await loadConfig(octokit(), 'octo-org', 'widgets');
    expect(loaded.ok && loaded.config).toMatchObject({
      label: 'ai-fix',
      command: 'fixit',
      budgets: { maxTurns: 12 },
      followUp: { batchSeconds: 5, humanPullRequests: false },
      protectedPaths: [...defaultRepoConfig.protectedPaths, 'deploy/**'],
    });
  });

  it('the repository’s own protectedPaths is its choice: it replaces the list', async () => {
    nock(API)
      .get(file('octo-org', 'widgets'))
      .reply(...yaml({ _extends: '.github', protectedPaths: ['src/**'] }))
      .get(file('octo-org', '.github'))
      .reply(...yaml(fixture('org-protect')));
    const loaded = await loadConfig(octokit(), 'octo-org', 'widgets');
    expect(loaded.ok && loaded.config.protectedPaths).toEqual(['src/**']);
  });
});
