import fs from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Workspaces } from '../../src/adapters/git/workspaces.ts';
import { deliver, startTestServer, tempDir } from '../support/app-harness.ts';
import { makeRemoteRepo, startGitServer, type GitServer } from '../support/git-http-server.ts';
import { mockConfig, mockInstallation, mockPermission } from '../support/nock-github.ts';
import { OWNER, payload, REPO } from '../support/payloads.ts';

const TOKEN = `ghs_${Date.now()}${Math.random().toString(36).slice(2)}`;
let git: GitServer;
let cloneUrl: string;

beforeAll(async () => {
  const root = tempDir('pw-disk-remote-');
  makeRemoteRepo(root, 'widgets', { 'README.md': '# widgets\n', 'src/a.js': 'export const a = 1;\n' });
  git = await startGitServer(root, TOKEN);
  cloneUrl = `${git.url}/widgets.git`;
});
afterAll(() => git.close());

const request = (runId: string) => ({
  cloneUrl,
  token: TOKEN,
  base: 'main',
  branch: `agent/${runId}`,
  startFrom: 'base' as const,
  runId,
});

describe('disk and workspace faults: a clear error, and the next job still runs', () => {
  it.each([
    [
      'its objects deleted',
      (mirror: string) => fs.rmSync(path.join(mirror, 'objects'), { recursive: true, force: true }),
    ],
    [
      'its config overwritten with garbage',
      (mirror: string) => fs.writeFileSync(path.join(mirror, 'config'), '[core\n\u0000\u0001garbage = = =\n'),
    ],
    ['its HEAD emptied', (mirror: string) => fs.writeFileSync(path.join(mirror, 'HEAD'), '')],
  ])('a corrupt mirror (%s) is fetched again, and the run says so', async (_what, corrupt) => {
    const dataDir = tempDir('pw-disk-data-');
    const workspaces = new Workspaces(dataDir);
    const first = await workspaces.prepare(request('r1'));
    await workspaces.remove(first);
    corrupt(first.mirror);
    const again = await workspaces.prepare(request('r2'));
    expect(fs.readFileSync(path.join(again.dir, 'src/a.js'), 'utf8')).toContain('a = 1');
    expect(again.notes).toContain('the cached copy of the repository was corrupt and was fetched again');
  });

  it('lock files and a worktree left by a process killed in the middle of git: cleared at the next start', async () => {
    const dataDir = tempDir('pw-disk-data-');
    const before = new Workspaces(dataDir);
    const ws = await before.prepare(request('crashed'));
    // The process dies mid-commit and mid-fetch: its locks stay behind, and so does the worktree.
    const gitDir = fs
      .readFileSync(path.join(ws.dir, '.git'), 'utf8')
      .replace(/^gitdir:\s*/, '')
      .trim();
    fs.writeFileSync(path.join(gitDir, 'index.lock'), '');
    fs.writeFileSync(path.join(ws.mirror, 'packed-refs.lock'), '');
    fs.writeFileSync(path.join(ws.mirror, 'shallow.lock'), '');
    const after = new Workspaces(dataDir);
    expect(await after.cleanupLeftovers()).toBe(1);
    const next = await after.prepare(request('next'));
    expect(fs.readFileSync(path.join(next.dir, 'src/a.js'), 'utf8')).toContain('a = 1');
    expect(fs.existsSync(path.join(ws.mirror, 'packed-refs.lock'))).toBe(false);
  });

  it('the data dir below its free-space floor: no clone starts, the error says how much is free and what to do; with room, the next one runs', async () => {
    const dataDir = tempDir('pw-disk-data-');
    const err = await new Workspaces(dataDir, Number.POSITIVE_INFINITY, 1e12)
      .prepare(request('full'))
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /the data dir .* has \d+ MB free, below PATCHWRIGHT_MIN_FREE_DISK_MB \(1000000000000\), so no checkout was made; free some space/,
    );
    expect(fs.existsSync(path.join(dataDir, 'mirrors'))).toBe(false);
    const ok = await new Workspaces(dataDir, Number.POSITIVE_INFINITY, 1).prepare(request('room'));
    expect(fs.existsSync(path.join(ok.dir, 'README.md'))).toBe(true);
  });
});

describe('the job store cannot be written (SQLite says the disk is full)', () => {
  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
  });
  afterEach(() => nock.cleanAll());

  it('the delivery is answered 503 with the reason, so GitHub shows it failed and it can be redelivered; once there is room, deliveries are taken again', async () => {
    const server = await startTestServer();
    try {
      const label = (_delivery: string) =>
        payload('issues', 'labeled', { label: { name: 'agent' }, issue: { number: 5 } });
      const scope = mockInstallation();
      mockConfig(scope, OWNER, REPO, null);
      mockPermission(scope, OWNER, REPO, 'maintainer', 'write');
      // Every insert into the job store fails the way SQLite fails on a full disk.
      server.db.exec(
        "CREATE TEMP TRIGGER disk_full BEFORE INSERT ON jobs BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END",
      );
      const full = await deliver(server.url, 'issues', label('a'));
      const fullText = await full.text();
      expect([full.status, fullText]).toEqual([503, expect.stringMatching(/could not be stored.*full/i)]);

      expect(server.jobs.list()).toHaveLength(0);

      server.db.exec('DROP TRIGGER disk_full');
      const scope2 = mockInstallation();
      mockConfig(scope2, OWNER, REPO, null);
      mockPermission(scope2, OWNER, REPO, 'maintainer', 'write');
      scope2.post(`/repos/${OWNER}/${REPO}/issues/5/reactions`).reply(201, {});
      scope2.post(`/repos/${OWNER}/${REPO}/issues/5/comments`).reply(201, { id: 77 });
      const ok = await deliver(server.url, 'issues', label('b'));
      expect(ok.status).toBeLessThan(300);
      await server.settled();
      expect(server.jobs.list()).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
