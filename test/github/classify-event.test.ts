import { describe, expect, it } from 'vitest';
import { classifyEvent } from '../../src/github/triggers/classify-event.ts';
import { RepoConfig } from '../../src/protocol/repo-config.ts';
import { BOT_LOGIN } from '../support/app-harness.ts';
import { payload } from '../support/payloads.ts';

const config = RepoConfig.parse({});
const mention = RepoConfig.parse({ followUp: { mode: 'mention' } });
const review = (state: string, body: string | null, prAuthor = BOT_LOGIN, headRepo = 'octo-org/widgets') =>
  payload('pull_request_review', 'submitted', {
    review: { id: 1, state, body, user: { login: 'maintainer', type: 'User' } },
    pull_request: {
      number: 3,
      title: 't',
      body: 'b',
      user: { login: prAuthor, type: 'Bot' },
      head: { ref: 'agent/1-x', repo: { full_name: headRepo } },
    },
  });

describe('classifyEvent', () => {
  it('turns a changes-requested review on our PR into a follow-up', () => {
    expect(
      classifyEvent('pull_request_review', review('changes_requested', 'Please rename'), {
        config,
        botLogin: BOT_LOGIN,
      }),
    ).toMatchObject({
      kind: 'trigger',
      task: {
        action: 'follow_up',
        number: 3,
        isPullRequest: true,
        instructions: 'Please rename',
        trigger: { kind: 'review', reviewId: 1 },
      },
    });
  });

  it.each([
    ['an approval', review('approved', '')],
    ['a review on a human PR', review('commented', 'nice', 'octocat')],
    ['a review on a fork PR', review('commented', 'nice', BOT_LOGIN, 'someone/fork')],
  ])('ignores %s', (_name, p) => {
    expect(classifyEvent('pull_request_review', p, { config, botLogin: BOT_LOGIN }).kind).toBe('ignore');
  });

  it('mention-only mode ignores plain review talk and takes the command', () => {
    expect(
      classifyEvent('pull_request_review', review('commented', 'I think we should rename this'), {
        config: mention,
        botLogin: BOT_LOGIN,
      }).kind,
    ).toBe('ignore');
    expect(
      classifyEvent('pull_request_review', review('commented', '/agent rename it'), {
        config: mention,
        botLogin: BOT_LOGIN,
      }),
    ).toMatchObject({ task: { instructions: 'rename it' } });
  });

  it('reads commands on our PRs and ignores them on human PRs unless allowed', () => {
    const comment = (author: string, body: string) =>
      payload('issue_comment', 'created', {
        comment: { id: 9, body },
        issue: { number: 3, pull_request: { url: 'x' }, user: { login: author, type: 'User' } },
      });
    expect(
      classifyEvent('issue_comment', comment(BOT_LOGIN, '/agent retry smaller'), { config, botLogin: BOT_LOGIN }),
    ).toMatchObject({ task: { action: 'retry', instructions: 'smaller' } });
    expect(classifyEvent('issue_comment', comment('octocat', '/agent fix'), { config, botLogin: BOT_LOGIN }).kind).toBe(
      'ignore',
    );
    const allow = RepoConfig.parse({ followUp: { humanPullRequests: true } });
    expect(
      classifyEvent('issue_comment', comment('octocat', '/agent fix'), { config: allow, botLogin: BOT_LOGIN }),
    ).toMatchObject({ task: { action: 'follow_up' } });
  });
});
