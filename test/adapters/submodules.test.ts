import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspaces } from '../../src/adapters/git/workspaces.ts';
import { tempDir } from '../support/app-harness.ts';
import { gitEnv, makeRemoteRepo, startGitServer, type GitServer } from '../support/git-http-server.ts';

/**
 * Submodule URLs are checked at every level before the host's git fetches anything for that
 * level: https (here: the test server's own scheme) on the repository's own host, nothing else.
 * A canary git server on another port (another host) counts requests: no foreign URL, at any
 * depth and in any spelling, may ever reach it.
 */
const TOKEN = 'ghs_submodules_test_token_0123456789';
let root: string;
let home: GitServer;
let canary: GitServer;

/** A bare repository `<root>/<name>.git` whose tree holds `files` and a gitlink for each submodule. */
function repoWithSubmodules(
  name: string,
  subs: Array<{ path: string; url: string; of: string }>,
  files: Record<string, string> = { 'README.md': `${name}\n` },
): void {
  const work = fs.mkdtempSync(path.join(root, 'work-'));
  const run = (...args: string[]) => execFileSync('git', args, { cwd: work, env: gitEnv() });
  run('init', '-q', '-b', 'main');
  for (const [f, t] of Object.entries(files)) fs.writeFileSync(path.join(work, f), t);
  if (subs.length)
    fs.writeFileSync(
      path.join(work, '.gitmodules'),
      subs.map((s) => `[submodule "${s.path}"]\n\tpath = ${s.path}\n\turl = ${s.url}\n`).join(''),
    );
  run('add', '-A');
  for (const s of subs) run('update-index', '--add', '--cacheinfo', `160000,${head(s.of)},${s.path}`);
  run('commit', '-qm', `${name} with ${subs.length} submodule(s)`);
  execFileSync('git', ['clone', '-q', '--bare', work, path.join(root, `${name}.git`)]);
  fs.rmSync(work, { recursive: true, force: true });
}
const head = (name: string) =>
  execFileSync('git', ['rev-parse', 'main'], { cwd: path.join(root, `${name}.git`), encoding: 'utf8' }).trim();
const prepare = (name: string) =>
  new Workspaces(tempDir('pw-sm-data-')).prepare({
    cloneUrl: `${home.url}/${name}.git`,
    token: TOKEN,
    base: 'main',
    branch: 'agent/1-x',
    startFrom: 'base',
    runId: `sm-${name}`,
  });

beforeAll(async () => {
  root = tempDir('pw-submodules-');
  const evilRoot = tempDir('pw-submodules-evil-');
  makeRemoteRepo(evilRoot, 'evil', { 'pwned.txt': 'fetched from elsewhere\n' });
  canary = await startGitServer(evilRoot, 'unused', { open: ['evil'] });
  home = await startGitServer(root, TOKEN, { open: ['leaf', 'mid', 'deep', 'evil-local', 'bad2', 'level2'] });
  makeRemoteRepo(root, 'leaf', { 'leaf.txt': 'leaf\n' });
  makeRemoteRepo(root, 'evil-local', { 'pwned.txt': 'x\n' });
  const foreign = `${canary.url}/evil.git`;
  // Allowed all the way down: relative and absolute URLs on the repository's own host.
  repoWithSubmodules('deep', [{ path: 'leaf', url: '../leaf.git', of: 'leaf' }]);
  repoWithSubmodules('mid', [{ path: 'deep', url: `${home.url}/deep.git`, of: 'deep' }]);
  repoWithSubmodules('good', [{ path: 'mid', url: './../mid.git', of: 'mid' }]);
  // A foreign URL one, two and three levels down, and in every spelling at the top.
  repoWithSubmodules('bad2', [{ path: 'x', url: foreign, of: 'leaf' }]);
  repoWithSubmodules('level2', [{ path: 'bad2', url: '../bad2.git', of: 'bad2' }]);
  repoWithSubmodules('level3', [{ path: 'level2', url: '../level2.git', of: 'level2' }]);
}, 60_000);

afterAll(async () => {
  await Promise.all([home?.close(), canary?.close()]);
});

describe('submodules are checked at every level', () => {
  it('submodules on the repository’s own host are initialised at every level, relative or not', async () => {
    const ws = await prepare('good');
    expect(fs.readFileSync(path.join(ws.dir, 'mid/deep/leaf/leaf.txt'), 'utf8')).toBe('leaf\n');
    expect(ws.notes).toContain('submodules initialised (3)');
  });

  it.each([
    ['level 2', 'level2', 'bad2'],
    ['level 3', 'level3', 'level2/bad2'],
  ])(
    'a foreign URL at %s is refused there, before git fetches it; the levels above are initialised',
    async (_depth, name, where) => {
      const before = canary.paths.length;
      const ws = await prepare(name);
      expect(canary.paths.length).toBe(before);
      expect(fs.existsSync(path.join(ws.dir, where, 'README.md'))).toBe(true);
      expect(fs.existsSync(path.join(ws.dir, where, 'x', 'pwned.txt'))).toBe(false);
      expect(ws.notes.join('\n')).toContain(
        `submodules not initialised in ${where}: .gitmodules names URLs outside ${new URL(home.url).host} (${canary.url}/evil.git)`,
      );
    },
  );

  it.each([
    ['another host', () => `${canary.url}/evil.git`],
    ['another port of the same hostname', () => `http://127.0.0.1:${new URL(canary.url).port}/evil.git`],
    ['a user in the URL', () => `http://x@${new URL(home.url).host}/evil-local.git`],
    ['a host that only starts like ours', () => `http://${new URL(home.url).host}.evil.example/evil.git`],
    [
      'a host hidden behind userinfo',
      () => `http://${new URL(home.url).host}@127.0.0.1:${new URL(canary.url).port}/evil.git`,
    ],
    ['file://', () => `file://${root}/evil-local.git`],
    ['a local path', () => `${root}/evil-local.git`],
    ['ext::', () => 'ext::sh -c touch% /tmp/pw-submodule-ext-ran'],
    ['ssh', () => `ssh://${new URL(home.url).hostname}/evil-local.git`],
    ['scp-like', () => `git@${new URL(home.url).hostname}:evil-local.git`],
    ['git://', () => `git://${new URL(home.url).host}/evil-local.git`],
    ['https on a deployment whose own URL is http', () => `https://${new URL(home.url).host}/evil-local.git`],
  ])('a top-level URL of %s is refused, and nothing is fetched', async (label, url) => {
    const name = `top-${label.replace(/\W+/g, '-')}`;
    repoWithSubmodules(name, [{ path: 'x', url: url(), of: 'evil-local' }]);
    const before = canary.paths.length;
    const ws = await prepare(name);
    expect(canary.paths.length).toBe(before);
    expect(fs.existsSync(path.join(ws.dir, 'x', 'pwned.txt'))).toBe(false);
    expect(fs.existsSync('/tmp/pw-submodule-ext-ran')).toBe(false);
    expect(ws.notes.join('\n')).toMatch(/submodules not initialised: \.gitmodules names URLs outside/);
  });
});
