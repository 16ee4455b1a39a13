import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkChanges,
  commitAll,
  push,
  PushRefusedError,
  rebaseOntoRemote,
} from '../../src/adapters/git/commit-and-push.ts';
import { Workspaces } from '../../src/adapters/git/workspaces.ts';
import { tempDir } from '../support/app-harness.ts';
import { gitEnv, makeRemoteRepo, startGitServer, type GitServer } from '../support/git-http-server.ts';

const TOKEN = `ghs_${Date.now()}${Math.random().toString(36).slice(2)}`;
const BOT = { name: 'patchwright[bot]', email: '1+patchwright[bot]@users.noreply.github.com' };
let server: GitServer;
let cloneUrl: string;
let remote: string;

beforeAll(async () => {
  const root = tempDir('pw-remote-');
  remote = makeRemoteRepo(root, 'widgets', {
    'README.md': '# widgets\n',
    'src/a.js': 'export const a = 1;\n',
    '.gitattributes': '*.bin filter=lfs diff=lfs merge=lfs -text\n',
  });
  server = await startGitServer(root, TOKEN);
  cloneUrl = `${server.url}/widgets.git`;
});
afterAll(() => server.close());

const remoteLog = (ref: string) => execFileSync('git', ['log', '--format=%an|%s|%b', ref], { cwd: remote }).toString();

describe('workspaces', () => {
  it('clones with the token in a header only, and never writes it anywhere', async () => {
    const dataDir = tempDir();
    const ws = await new Workspaces(dataDir).prepare({
      cloneUrl,
      token: TOKEN,
      base: 'main',
      branch: 'agent/1-x',
      startFrom: 'base',
      runId: 'r1',
    });
    expect(fs.readFileSync(path.join(ws.dir, 'src/a.js'), 'utf8')).toContain('a = 1');
    expect(server.authHeaders.some((h) => h.startsWith('Basic '))).toBe(true);
    // grep exits 1 when the token is nowhere in the data dir.
    expect(() => execFileSync('grep', ['-rl', TOKEN, dataDir], { stdio: 'pipe' })).toThrow();
    expect(fs.readFileSync(path.join(ws.mirror, 'config'), 'utf8')).not.toContain(TOKEN);
    expect(fs.readFileSync(path.join(ws.mirror, 'config'), 'utf8')).not.toMatch(/extraheader|x-access-token/i);
    expect(ws.notes.join()).toMatch(/LFS/);
  });

  it('fails cleanly without the token, and the error never contains it', async () => {
    const err = await new Workspaces(tempDir())
      .prepare({ cloneUrl, token: 'wrong-token-value', base: 'main', branch: 'b', startFrom: 'base', runId: 'r2' })
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/fetching the repository failed/);
    expect((err as Error).message).not.toContain('wrong-token-value');
  });

  it('reuses the mirror: the second run fetches instead of cloning', async () => {
    const dataDir = tempDir();
    const spaces = new Workspaces(dataDir);
    const first = await spaces.prepare({
      cloneUrl,
      token: TOKEN,
      base: 'main',
      branch: 'agent/2-a',
      startFrom: 'base',
      runId: 'a',
    });
    fs.writeFileSync(path.join(first.dir, 'junk.txt'), 'left behind');
    fs.writeFileSync(path.join(first.dir, 'src/a.js'), 'changed');
    await spaces.remove(first);
    const second = await spaces.prepare({
      cloneUrl,
      token: TOKEN,
      base: 'main',
      branch: 'agent/2-b',
      startFrom: 'base',
      runId: 'b',
    });
    expect(first.coldMirror).toBe(true);
    expect(second.coldMirror).toBe(false);
    expect(second.mirror).toBe(first.mirror);
    // The parked tree is reused, with nothing of the first run left in it.
    expect(second.dir).toBe(first.dir);
    expect(fs.existsSync(path.join(second.dir, 'junk.txt'))).toBe(false);
    expect(fs.readFileSync(path.join(second.dir, 'src/a.js'), 'utf8')).toBe('export const a = 1;\n');
    expect(
      execFileSync('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: second.dir, encoding: 'utf8' }).trim(),
    ).toBe('agent/2-b');
  });

  it('commits as the bot with a co-author, pushes, and leases on the branch it started from', async () => {
    const spaces = new Workspaces(tempDir());
    const ws = await spaces.prepare({
      cloneUrl,
      token: TOKEN,
      base: 'main',
      branch: 'agent/3-fix',
      startFrom: 'base',
      runId: 'c',
    });
    fs.writeFileSync(path.join(ws.dir, 'src/a.js'), 'export const a = 2;\n');
    const sha = await commitAll(ws, 'fix: set a to 2', BOT, [{ name: 'Mona', email: 'mona@example.com' }]);
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    await push(ws, cloneUrl, TOKEN, ['.github/workflows/**']);
    expect(remoteLog('agent/3-fix')).toMatch(
      /patchwright\[bot\]\|fix: set a to 2\|Co-authored-by: Mona <mona@example.com>/,
    );

    await spaces.remove(ws);
    // A human pushes to the branch; a follow-up run that started before it must not overwrite it.
    const stale = await spaces.prepare({
      cloneUrl,
      token: TOKEN,
      base: 'main',
      branch: 'agent/3-fix',
      startFrom: 'branch',
      runId: 'd',
    });
    const human = tempDir('pw-human-');
    execFileSync('git', ['clone', '-q', remote, human]);
    execFileSync('git', ['checkout', '-q', 'agent/3-fix'], { cwd: human });
    fs.writeFileSync(path.join(human, 'human.txt'), 'mine\n');
    execFileSync('git', ['add', '-A'], { cwd: human });
    execFileSync('git', ['commit', '-qm', 'human change'], { cwd: human, env: gitEnv() });
    execFileSync('git', ['push', '-q', 'origin', 'agent/3-fix'], { cwd: human });
    fs.writeFileSync(path.join(stale.dir, 'src/a.js'), 'export const a = 3;\n');
    await commitAll(stale, 'fix: three', BOT);
    await expect(push(stale, cloneUrl, TOKEN, [])).rejects.toMatchObject({
      code: 'branch_moved',
      message: expect.stringMatching(/someone pushed to agent\/3-fix/),
    });
    expect(remoteLog('agent/3-fix')).toContain('human change');

    // Replayed on top of the human's commit, the change goes in after it; nothing of theirs is lost.
    const { ws: rebased, theirs } = await rebaseOntoRemote(stale, cloneUrl, TOKEN, BOT);
    expect(theirs).toEqual(['human change']);
    await push(rebased, cloneUrl, TOKEN, []);
    expect(
      execFileSync('git', ['log', '--format=%s', 'agent/3-fix'], { cwd: remote, encoding: 'utf8' })
        .split('\n')
        .slice(0, 3),
    ).toEqual(['fix: three', 'human change', 'fix: set a to 2']);
    expect(execFileSync('git', ['show', 'agent/3-fix:human.txt'], { cwd: remote, encoding: 'utf8' })).toBe('mine\n');
    await spaces.remove(rebased);

    // A human edit of the same line: a conflict, reported by file; nothing pushed, the rebase undone.
    const clash = await spaces.prepare({
      cloneUrl,
      token: TOKEN,
      base: 'main',
      branch: 'agent/3-fix',
      startFrom: 'branch',
      runId: 'g',
    });
    execFileSync('git', ['pull', '-q', 'origin', 'agent/3-fix'], { cwd: human, env: gitEnv() });
    fs.writeFileSync(path.join(human, 'src/a.js'), 'export const a = 4;\n');
    execFileSync('git', ['commit', '-qam', 'human four'], { cwd: human, env: gitEnv() });
    execFileSync('git', ['push', '-q', 'origin', 'agent/3-fix'], { cwd: human });
    fs.writeFileSync(path.join(clash.dir, 'src/a.js'), 'export const a = 5;\n');
    await commitAll(clash, 'fix: five', BOT);
    const before = execFileSync('git', ['rev-parse', 'agent/3-fix'], { cwd: remote, encoding: 'utf8' });
    await expect(rebaseOntoRemote(clash, cloneUrl, TOKEN, BOT)).rejects.toMatchObject({
      code: 'rebase_conflict',
      message: expect.stringMatching(/conflicts with theirs in src\/a\.js/),
    });
    expect(execFileSync('git', ['rev-parse', 'agent/3-fix'], { cwd: remote, encoding: 'utf8' })).toBe(before);
    expect(fs.existsSync(path.join(clash.dir, '.git', 'rebase-merge'))).toBe(false);
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: clash.dir, encoding: 'utf8' })).toBe('');
  });

  it('refuses protected paths and secrets, naming file and line but not the secret', async () => {
    const spaces = new Workspaces(tempDir());
    const ws = await spaces.prepare({
      cloneUrl,
      token: TOKEN,
      base: 'main',
      branch: 'agent/4',
      startFrom: 'base',
      runId: 'e',
    });
    const fakeKey = ['sk', 'proj', 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'].join('-');
    fs.mkdirSync(path.join(ws.dir, '.github/workflows'), { recursive: true });
    fs.writeFileSync(path.join(ws.dir, '.github/workflows/ci.yml'), 'on: push\n');
    fs.writeFileSync(path.join(ws.dir, 'config.js'), `// settings\nexport const key = "${fakeKey}";\n`);
    await commitAll(ws, 'chore: oops', BOT);
    const problems = await checkChanges(ws, ['.github/workflows/**']);
    expect(problems).toEqual([
      { path: '.github/workflows/ci.yml', reason: 'is protected (.github/workflows/**)' },
      { path: 'config.js', line: 2, reason: 'adds what looks like a OpenAI key' },
    ]);
    const err = await push(ws, cloneUrl, TOKEN, ['.github/workflows/**']).catch((e: Error) => e);
    expect(err).toBeInstanceOf(PushRefusedError);
    expect((err as Error).message).not.toContain(fakeKey);
    expect(() => execFileSync('git', ['rev-parse', '--verify', 'agent/4'], { cwd: remote, stdio: 'pipe' })).toThrow();
  });

  it('cleans worktrees left by a crash', async () => {
    const dataDir = tempDir();
    const spaces = new Workspaces(dataDir);
    const ws = await spaces.prepare({
      cloneUrl,
      token: TOKEN,
      base: 'main',
      branch: 'agent/5',
      startFrom: 'base',
      runId: 'f',
    });
    expect(await new Workspaces(dataDir).cleanupLeftovers()).toBe(1);
    expect(fs.existsSync(ws.dir)).toBe(false);
    const again = await new Workspaces(dataDir).prepare({
      cloneUrl,
      token: TOKEN,
      base: 'main',
      branch: 'agent/5',
      startFrom: 'base',
      runId: 'f',
    });
    expect(fs.existsSync(again.dir)).toBe(true);
  });
});

describe('workspaces against a hostile branch', () => {
  it('the token is sent for this repository only: not to another repository on the same host', async () => {
    const { gitAuthEnv } = await import('../../src/adapters/git/git-auth.ts');
    const env = gitAuthEnv('https://github.com/octo/widgets.git', 'tok');
    expect(env.GIT_CONFIG_KEY_0).toBe('http.https://github.com/octo/widgets.git.extraHeader');
    // git's own matcher: the header applies under the repository's path and nowhere else.
    const repo = tempDir('pw-urlmatch-');
    execFileSync('git', ['init', '-q', repo]);
    const match = (url: string) =>
      execFileSync('git', ['config', '--get-urlmatch', 'http.extraHeader', url], {
        cwd: repo,
        env: {
          ...process.env,
          GIT_CONFIG_COUNT: '1',
          GIT_CONFIG_KEY_0: env.GIT_CONFIG_KEY_0!,
          GIT_CONFIG_VALUE_0: 'X',
        },
      })
        .toString()
        .trim();
    expect(match('https://github.com/octo/widgets.git/info/refs')).toBe('X');
    expect(() => match('https://github.com/octo/private-stuff.git/info/refs')).toThrow();
  });

  it('a branch whose .gitmodules names URLs outside the repository host gets no submodules, and says so', async () => {
    const root = tempDir('pw-submods-');
    makeRemoteRepo(root, 'sub', {
      '.gitmodules':
        '[submodule "x"]\n\tpath = x\n\turl = http://169.254.169.254/latest/meta-data\n[submodule "y"]\n\tpath = y\n\turl = file:///etc\n',
      'a.txt': 'a\n',
    });
    const local = await startGitServer(root, TOKEN);
    try {
      const ws = await new Workspaces(tempDir()).prepare({
        cloneUrl: `${local.url}/sub.git`,
        token: TOKEN,
        base: 'main',
        branch: 'agent/9-x',
        startFrom: 'base',
        runId: 'sm1',
      });
      expect(ws.notes.join('\n')).toMatch(
        /submodules not initialised: \.gitmodules names URLs outside 127\.0\.0\.1:\d+ \(http:\/\/169\.254\.169\.254\/latest\/meta-data, file:\/\/\/etc\)/,
      );
    } finally {
      await local.close();
    }
  });
});

describe('mirror eviction', () => {
  it('evicts the least recently used mirror beyond the disk budget, never one in use', async () => {
    const root = tempDir('pw-evict-');
    makeRemoteRepo(root, 'one', { 'a.txt': 'x'.repeat(50_000) });
    makeRemoteRepo(root, 'two', { 'b.txt': 'y'.repeat(50_000) });
    const local = await startGitServer(root, TOKEN);
    const dataDir = tempDir();
    const spaces = new Workspaces(dataDir, 1); // a budget no mirror fits in
    const one = await spaces.prepare({
      cloneUrl: `${local.url}/one.git`,
      token: TOKEN,
      base: 'main',
      branch: 'b1',
      startFrom: 'base',
      runId: 'e1',
    });
    const two = await spaces.prepare({
      cloneUrl: `${local.url}/two.git`,
      token: TOKEN,
      base: 'main',
      branch: 'b2',
      startFrom: 'base',
      runId: 'e2',
    });
    await spaces.remove(one);
    expect(fs.existsSync(one.mirror)).toBe(false);
    expect(fs.existsSync(two.mirror)).toBe(true);
    await spaces.remove(two);
    expect(fs.existsSync(two.mirror)).toBe(false);
    await local.close();
  });
});
