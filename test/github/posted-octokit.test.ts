import { afterAll, beforeAll, expect, it } from 'vitest';
import { postedOnly } from '../../src/github/posted-octokit.ts';
import { md } from '../../src/github/publish/posted.ts';
import { TestOctokit } from '../support/app-harness.ts';
import { startGithubFake, type FakeGithub } from '../support/github-fake.ts';
import { hostileCorpus } from '../support/hostile-text.ts';
import { markdownProblems } from '../support/markdown-check.ts';

/**
 * The choke point: a call site that forgets the `Posted` builders and sends a plain string still
 * posts nothing live, on every text field GitHub shows (comment and PR bodies, titles, check-run
 * summary, text and annotations); a `Posted` is sent as the app wrote it.
 */
let github: FakeGithub;
const Octokit = TestOctokit.plugin(postedOnly);
let octokit: InstanceType<typeof Octokit>;

beforeAll(async () => {
  github = await startGithubFake();
  octokit = new Octokit({ auth: { token: 'ghs_test' }, baseUrl: github.url });
});
afterAll(() => github?.close());

const hostile = hostileCorpus(7, 50).join('\n');
const last = () => github.requests.at(-1)!.body;

it('a plain string in a comment, a PR or a check run is sanitized whole', async () => {
  await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    owner: 'o',
    repo: 'r',
    issue_number: 1,
    body: hostile,
  });
  expect(markdownProblems(String(last().body))).toEqual([]);
  await octokit.request('POST /repos/{owner}/{repo}/pulls', {
    owner: 'o',
    repo: 'r',
    head: 'h',
    base: 'main',
    title: hostileCorpus(8, 5)[3]!,
    body: hostile,
  });
  expect(markdownProblems(String(last().title))).toEqual([]);
  expect(markdownProblems(String(last().body))).toEqual([]);
  await octokit.request('POST /repos/{owner}/{repo}/check-runs', {
    owner: 'o',
    repo: 'r',
    name: 'Patchwright',
    head_sha: 'a'.repeat(40),
    output: {
      title: '@alice <b>x</b>',
      summary: hostile,
      text: hostile,
      annotations: [
        {
          path: 'a.js',
          start_line: 1,
          end_line: 1,
          annotation_level: 'failure',
          title: '@bob fails',
          message: 'Fixes #12 <img src=x>',
        },
      ],
    },
  });
  const output = last().output as {
    title: string;
    summary: string;
    text: string;
    annotations: Array<{ title: string; message: string; path: string }>;
  };
  for (const text of [
    output.title,
    output.summary,
    output.text,
    output.annotations[0]!.title,
    output.annotations[0]!.message,
  ])
    expect(markdownProblems(text)).toEqual([]);
  expect(output.annotations[0]!.path).toBe('a.js');
});

it('a Posted goes out as the app wrote it (its own marker and link kept); ids and names are untouched', async () => {
  await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    owner: 'o',
    repo: 'r',
    issue_number: 1,
    body: md`<!-- patchwright:tracking -->\nPull request: https://github.test/pull/1 for ${'@carol'}` as unknown as string,
  });
  expect(last().body).toBe('<!-- patchwright:tracking -->\nPull request: https://github.test/pull/1 for `@carol`');
  await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', {
    owner: 'o',
    repo: 'r',
    issue_number: 1,
    labels: ['@weird-label'],
  });
  expect(last().labels).toEqual(['@weird-label']);
});
