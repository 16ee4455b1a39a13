import fs from 'node:fs';
import nock from 'nock';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BOT_LOGIN, deliver, sign, startTestServer } from '../support/app-harness.ts';
import { mockConfig, mockInstallation, mockPermission } from '../support/nock-github.ts';
import { OWNER, payload, REPO } from '../support/payloads.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;
const fixture = (name: string) => fs.readFileSync(`fixtures/config/${name}.yml`, 'utf8');

const labeled = (label = 'agent', sender = 'maintainer') =>
  payload('issues', 'labeled', { label: { name: label }, sender: { login: sender, type: 'User' } });

function ackMocks(scope: nock.Scope, number: number): nock.Scope {
  return scope
    .post(`/repos/${OWNER}/${REPO}/issues/${number}/reactions`, { content: 'eyes' })
    .reply(201, { id: 1, content: 'eyes' })
    .post(`/repos/${OWNER}/${REPO}/issues/${number}/comments`, (b) => b.body.includes('queued'))
    .reply(201, { id: 555 });
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});

beforeEach(async () => {
  // A pool that never takes jobs, so the tests see them queued.
  server = await startTestServer({ concurrency: 1, runJob: () => new Promise(() => {}) });
  server.pool.stop();
});

afterEach(async () => {
  await server.close();
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe('signature', () => {
  it('accepts a correctly signed label delivery and queues one job', async () => {
    const issue = labeled();
    const number = (issue.issue as { number: number }).number;
    const scope = mockInstallation();
    mockConfig(scope, OWNER, REPO, null);
    mockPermission(scope, OWNER, REPO, 'maintainer', 'write');
    ackMocks(scope, number);
    const res = await deliver(server.url, 'issues', issue);
    expect(res.status).toBe(200);
    const jobs = server.jobs.list();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ state: 'queued', number, action: 'start', repo: `${OWNER}/${REPO}` });
    expect(jobs[0]?.task.requester).toBe('maintainer');
    await server.settled();
    expect(server.threads.trackingComment(`${OWNER}/${REPO}`, number)).toBe(555);
  });

  it.each([
    ['badly signed', sign('something else')],
    ['signed with another secret', sign(JSON.stringify(labeled()), 'wrong')],
    ['unsigned', null],
  ])('rejects a %s delivery with 4xx and calls nothing', async (_name, signature) => {
    const res = await deliver(server.url, 'issues', labeled(), { signature });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(server.jobs.list()).toEqual([]);
  });
});

describe('dedupe', () => {
  it('turns the same delivery sent five times into one job and one acknowledgement', async () => {
    const issue = labeled();
    const number = (issue.issue as { number: number }).number;
    const scope = mockInstallation();
    for (let i = 0; i < 5; i++) {
      mockConfig(scope, OWNER, REPO, null);
      mockPermission(scope, OWNER, REPO, 'maintainer', 'admin');
    }
    ackMocks(scope, number);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await deliver(server.url, 'issues', issue, { id: 'same-delivery' })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect(server.jobs.list()).toHaveLength(1);
  });
});

describe('who may trigger', () => {
  it('starts nothing for a user with read permission on a label', async () => {
    const scope = mockInstallation();
    mockConfig(scope, OWNER, REPO, null);
    mockPermission(scope, OWNER, REPO, 'reader', 'read');
    const res = await deliver(server.url, 'issues', labeled('agent', 'reader'));
    expect(res.status).toBe(200);
    expect(server.jobs.list()).toEqual([]);
  });

  it('replies once, politely, to a triage user commanding twice, and never queues', async () => {
    const comment = (id: number) =>
      payload('issue_comment', 'created', {
        comment: { id, body: '/agent please rewrite everything', user: { login: 'triager', type: 'User' } },
        sender: { login: 'triager', type: 'User' },
        issue: { number: 7, pull_request: undefined },
      });
    const scope = mockInstallation();
    for (let i = 0; i < 2; i++) {
      mockConfig(scope, OWNER, REPO, null);
      mockPermission(scope, OWNER, REPO, 'triager', 'read', 'triage');
    }
    scope
      .post(`/repos/${OWNER}/${REPO}/issues/7/comments`, (b) => /write access/.test(b.body) && !/rewrite/.test(b.body))
      .once()
      .reply(201, { id: 9 });
    expect((await deliver(server.url, 'issue_comment', comment(1))).status).toBe(200);
    expect((await deliver(server.url, 'issue_comment', comment(2))).status).toBe(200);
    expect(server.jobs.list()).toEqual([]);
  });

  it('starts nothing for a review by a user below write permission, and says nothing', async () => {
    const scope = mockInstallation();
    mockConfig(scope, OWNER, REPO, null);
    mockPermission(scope, OWNER, REPO, 'drive-by', 'read');
    const review = payload('pull_request_review', 'submitted', {
      review: { id: 5, state: 'changes_requested', body: 'rewrite it all', user: { login: 'drive-by', type: 'User' } },
      sender: { login: 'drive-by', type: 'User' },
      pull_request: {
        number: 3,
        user: { login: BOT_LOGIN, type: 'Bot' },
        head: { ref: 'agent/1-x', repo: { full_name: `${OWNER}/${REPO}` } },
      },
    });
    expect((await deliver(server.url, 'pull_request_review', review)).status).toBe(200);
    expect(server.jobs.list()).toEqual([]);
  });

  it('ignores bots, ourselves included, without a single GitHub call', async () => {
    const botLabel = payload('issues', 'labeled', {
      label: { name: 'agent' },
      sender: { login: 'renovate[bot]', type: 'Bot' },
    });
    const selfComment = payload('issue_comment', 'created', {
      comment: { body: '/agent retry', user: { login: BOT_LOGIN, type: 'Bot' } },
      sender: { login: BOT_LOGIN, type: 'Bot' },
    });
    expect((await deliver(server.url, 'issues', botLabel)).status).toBe(200);
    expect((await deliver(server.url, 'issue_comment', selfComment)).status).toBe(200);
    expect(server.jobs.list()).toEqual([]);
  });

  it('ignores comments without a command, and other labels, without calling GitHub', async () => {
    const chatter = payload('issue_comment', 'created', { comment: { body: 'Looks good, `/agent` later maybe' } });
    expect((await deliver(server.url, 'issue_comment', chatter)).status).toBe(200);
    expect((await deliver(server.url, 'issues', payload('issues', 'opened'))).status).toBe(200);
    expect(server.jobs.list()).toEqual([]);
  });
});

describe('config fixtures', () => {
  it('basic: its own label starts a job and the default label does not', async () => {
    const issue = labeled('robot');
    const number = (issue.issue as { number: number }).number;
    const scope = mockInstallation();
    mockConfig(scope, OWNER, REPO, fixture('basic'));
    mockPermission(scope, OWNER, REPO, 'maintainer', 'admin');
    ackMocks(scope, number);
    mockConfig(scope, OWNER, REPO, fixture('basic'));
    await deliver(server.url, 'issues', issue);
    await deliver(server.url, 'issues', labeled('agent'));
    expect(server.jobs.list()).toHaveLength(1);
  });

  it('basic: minPermission maintain turns a writer away', async () => {
    const scope = mockInstallation();
    mockConfig(scope, OWNER, REPO, fixture('basic'));
    mockPermission(scope, OWNER, REPO, 'maintainer', 'write');
    await deliver(server.url, 'issues', labeled('robot'));
    expect(server.jobs.list()).toEqual([]);
  });

  it('empty: the defaults apply', async () => {
    const issue = labeled('agent');
    const scope = mockInstallation();
    mockConfig(scope, OWNER, REPO, fixture('empty'));
    mockPermission(scope, OWNER, REPO, 'maintainer', 'write');
    ackMocks(scope, (issue.issue as { number: number }).number);
    await deliver(server.url, 'issues', issue);
    expect(server.jobs.list()).toHaveLength(1);
  });

  it.each([
    ['malformed', /\(file\).*could not be parsed/],
    ['evil', /`sandbox.kind`: is not a known key/],
    ['evil', /`budgets.maxCostUsd`: Too small/],
    ['evil', /`minPermission`: Invalid option/],
    ['evil', /`branch`: must contain \{issue\}/],
  ])('%s: no job, and the tracking comment names the file, key and problem (%s)', async (name, expected) => {
    const issue = labeled('agent');
    const number = (issue.issue as { number: number }).number;
    const scope = mockInstallation();
    mockConfig(scope, OWNER, REPO, fixture(name));
    mockPermission(scope, OWNER, REPO, 'maintainer', 'write');
    let posted = '';
    scope
      .post(`/repos/${OWNER}/${REPO}/issues/${number}/comments`, (b) => {
        posted = b.body;
        return true;
      })
      .reply(201, { id: 77 });
    const res = await deliver(server.url, 'issues', issue);
    expect(res.status).toBe(200);
    expect(server.jobs.list()).toEqual([]);
    expect(posted).toContain('.github/agent.yml');
    expect(posted).toMatch(expected);
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('extends: the org base and the repo file merge, the repo winning', async () => {
    const issue = labeled('ai-fix');
    const scope = mockInstallation();
    mockConfig(scope, OWNER, REPO, fixture('extends'));
    scope
      .get(`/repos/${OWNER}/.github/contents/.github%2Fagent.yml`)
      .reply(200, fixture('org-base'), { 'content-type': 'text/plain; charset=utf-8' });
    mockPermission(scope, OWNER, REPO, 'maintainer', 'write');
    ackMocks(scope, (issue.issue as { number: number }).number);
    await deliver(server.url, 'issues', issue);
    expect(server.jobs.list()).toHaveLength(1);
  });
});
