import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../../src/adapters/git/run-git.ts';
import { guardWorktree, undoForbiddenChanges, WorktreeTamperedError } from '../../src/adapters/git/worktree-guard.ts';
import { tempDir } from '../support/app-harness.ts';
import { gitEnv } from '../support/git-http-server.ts';
import { fixtureRepo } from '../support/fixture-repo.ts';

const run = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: gitEnv(), encoding: 'utf8' });

/** A checkout where the model made a repository whose config runs a program when git looks at it. */
function withNestedFsmonitor(): { repo: string; marker: string } {
  const repo = fixtureRepo({ 'a.txt': 'a\n' });
  const marker = path.join(tempDir('pw-marker-'), 'RAN');
  run(repo, 'init', '-q', 'nested');
  fs.writeFileSync(path.join(repo, 'nested', 'f'), 'x\n');
  run(path.join(repo, 'nested'), 'add', 'f');
  run(path.join(repo, 'nested'), 'commit', '-qm', 'n');
  run(repo, 'add', 'nested');
  run(path.join(repo, 'nested'), 'config', 'core.fsmonitor', `touch ${marker}; false`);
  return { repo, marker };
}

describe("the app's own git on a checkout the model wrote", () => {
  it('plain git would run a nested repository’s fsmonitor; the hardened client does not', async () => {
    const { repo, marker } = withNestedFsmonitor();
    await git(repo).raw(['status']);
    await git(repo).raw(['diff', 'HEAD']);
    expect(fs.existsSync(marker)).toBe(false);
    // The control: the same command without the hardening runs the model's program.
    execFileSync('git', ['status'], { cwd: repo, env: gitEnv() });
    expect(fs.existsSync(marker)).toBe(true);
  });

  it('ignores the user’s and the system’s git config (credential helpers, aliases, includes)', async () => {
    const home = tempDir('pw-home-');
    fs.writeFileSync(path.join(home, '.gitconfig'), '[user]\n\tname = From Home\n');
    const repo = fixtureRepo({ 'a.txt': 'a\n' });
    const prev = process.env.HOME;
    process.env.HOME = home;
    try {
      expect(
        await git(repo)
          .raw(['config', '--get', 'user.name'])
          .catch(() => ''),
      ).toBe('');
    } finally {
      process.env.HOME = prev;
    }
  });

  it('guardWorktree removes nested repositories, .git files pointing elsewhere and .GIT look-alikes', async () => {
    const { repo } = withNestedFsmonitor();
    fs.mkdirSync(path.join(repo, 'lib', '.git'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'lib', '.git', 'HEAD'), 'ref: refs/heads/main\n');
    fs.writeFileSync(path.join(repo, 'lib', 'x.js'), 'x\n');
    fs.mkdirSync(path.join(repo, 'sub'));
    fs.writeFileSync(path.join(repo, 'sub', '.git'), 'gitdir: /tmp/evil\n');
    fs.writeFileSync(path.join(repo, 'sub', 'y'), 'y\n');
    fs.mkdirSync(path.join(repo, 'docs', '.GIT'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'docs', '.GIT', 'config'), '[core]\n');
    fs.writeFileSync(path.join(repo, 'docs', 'z.md'), 'z\n');
    const notes = await guardWorktree(repo);
    expect(notes.join('\n')).toMatch(/nested\/\.git/);
    expect(notes.join('\n')).toMatch(/lib\/\.git/);
    expect(notes.join('\n')).toMatch(/sub\/\.git/);
    expect(notes.join('\n')).toMatch(/docs\/\.GIT/);
    for (const p of ['nested/.git', 'lib/.git', 'sub/.git', 'docs/.GIT'])
      expect(fs.existsSync(path.join(repo, p))).toBe(false);
    // The model's files stay: only the git metadata goes.
    expect(fs.readFileSync(path.join(repo, 'lib', 'x.js'), 'utf8')).toBe('x\n');
    expect(fs.existsSync(path.join(repo, '.git', 'HEAD'))).toBe(true);
  });

  it('guardWorktree stops the run when the worktree’s own .git link was changed', async () => {
    const main = fixtureRepo({ 'a.txt': 'a\n' });
    const wt = path.join(tempDir('pw-wt-'), 'w');
    run(main, 'worktree', 'add', '-q', wt);
    const link = fs.readFileSync(path.join(wt, '.git'), 'utf8');
    expect(await guardWorktree(wt, link)).toEqual([]);
    fs.writeFileSync(path.join(wt, '.git'), 'gitdir: /tmp/evil\n');
    await expect(guardWorktree(wt, link)).rejects.toBeInstanceOf(WorktreeTamperedError);
  });

  it('undoForbiddenChanges restores protected files changed through the shell and removes links out', async () => {
    const repo = fixtureRepo({ '.github/workflows/ci.yml': 'on: push\n', 'a.txt': 'a\n' });
    const start = run(repo, 'rev-parse', 'HEAD').trim();
    fs.writeFileSync(path.join(repo, '.github/workflows/ci.yml'), 'on: push\njobs: { steal: {} }\n');
    fs.writeFileSync(path.join(repo, '.github/workflows/new.yml'), 'on: push\n');
    fs.symlinkSync('/etc/passwd', path.join(repo, 'passwd'));
    fs.symlinkSync('a.txt', path.join(repo, 'inside'));
    fs.writeFileSync(path.join(repo, 'a.txt'), 'changed\n');
    const notes = await undoForbiddenChanges(repo, start, ['.github/workflows/**']);
    expect(fs.readFileSync(path.join(repo, '.github/workflows/ci.yml'), 'utf8')).toBe('on: push\n');
    expect(fs.existsSync(path.join(repo, '.github/workflows/new.yml'))).toBe(false);
    expect(fs.lstatSync(path.join(repo, 'passwd'), { throwIfNoEntry: false })).toBeUndefined();
    expect(fs.readlinkSync(path.join(repo, 'inside'))).toBe('a.txt');
    expect(fs.readFileSync(path.join(repo, 'a.txt'), 'utf8')).toBe('changed\n');
    expect(notes).toHaveLength(3);
    expect(notes.join('\n')).toMatch(/protected \(\.github\/workflows\/\*\*\)/);
    expect(notes.join('\n')).toMatch(/link to \/etc\/passwd/);
  });
});

describe('embedded bare repositories', () => {
  it('one the run made is removed; one the repository tracks as a fixture is kept', async () => {
    const repo = fixtureRepo({
      'tests/fixtures/sample.git/HEAD': 'ref: refs/heads/main\n',
      'tests/fixtures/sample.git/config': '[core]\n\tbare = true\n',
      'tests/fixtures/sample.git/objects/.keep': '',
      'tests/fixtures/sample.git/refs/.keep': '',
      'a.txt': 'a\n',
    });
    execFileSync('git', ['init', '-q', '--bare', path.join(repo, 'made', 'evil')]);
    const notes = await guardWorktree(repo);
    expect(notes.join('\n')).toMatch(/removed made\/evil/);
    expect(fs.existsSync(path.join(repo, 'made', 'evil', 'config'))).toBe(false);
    expect(fs.existsSync(path.join(repo, 'tests/fixtures/sample.git/config'))).toBe(true);
  });
});
