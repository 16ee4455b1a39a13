import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanVerifier, workspaceChanges } from '../../src/adapters/git/clean-checkout.ts';
import { readChange, unignoredPaths } from '../../src/adapters/git/read-change.ts';
import { commonGitDir, diffTrees, mixTrees, snapshotTree, treeOf } from '../../src/adapters/git/tree-snapshot.ts';
import type { Sandbox } from '../../src/core/ports.ts';
import { tempDir } from '../support/app-harness.ts';
import { fixtureRepo } from '../support/fixture-repo.ts';
import { gitEnv } from '../support/git-http-server.ts';

const run = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: gitEnv(), encoding: 'utf8' });
const write = (root: string, rel: string, data: string | Buffer) => (
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true }), fs.writeFileSync(path.join(root, rel), data)
);
const PKG = '{\n  "scripts": {\n    "test": "node --test"\n  }\n}\n';
const FORGED = '{\n  "scripts": {\n    "test": "true"\n  }\n}\n';

/**
 * Every way a checkout's attributes (or its bytes) make `git diff` hide a change: each case is a
 * real committed `.gitattributes` (or a binary file), a change made in the worktree, and a check
 * that the plain diff hides it (the control: the way the harness used to look) while the
 * harness's own reading sees the whole new contents.
 */
const HIDING: Array<{
  name: string;
  attributes?: string;
  path: string;
  before: string | Buffer;
  after: string | Buffer;
}> = [
  {
    name: '-diff on package.json',
    attributes: 'package.json -diff\n',
    path: 'package.json',
    before: PKG,
    after: FORGED,
  },
  {
    name: '-diff on a test folder',
    attributes: 'test/** -diff\n',
    path: 'test/a.test.js',
    before: "test('a', () => {});\n",
    after: "test.skip('a', () => {});\n",
  },
  { name: 'binary on everything', attributes: '* binary\n', path: 'package.json', before: PKG, after: FORGED },
  {
    name: 'a macro that unsets diff',
    attributes: '[attr]opaque -diff -merge\n*.json opaque\n',
    path: 'package.json',
    before: PKG,
    after: FORGED,
  },
  {
    name: 'a NUL byte in the file',
    path: 'test/a.test.js',
    before: "test('a', () => {});\n\0",
    after: "test.skip('a', () => {});\n\0",
  },
];

describe('the change as the harness reads it: whole contents from objects, never the diff text', () => {
  it.each(HIDING)('$name: the plain diff hides it, the harness reads it', async (c) => {
    const repo = fixtureRepo({
      'package.json': PKG,
      'test/a.test.js': "test('a', () => {});\n",
      ...(c.attributes ? { '.gitattributes': c.attributes } : {}),
    });
    write(repo, c.path, c.before);
    run(repo, 'add', '-A');
    run(repo, 'commit', '-qm', 'start', '--allow-empty');
    const start = run(repo, 'rev-parse', 'HEAD').trim();
    write(repo, c.path, c.after);
    // The control: git's own diff in the checkout (as the harness used to read it) shows no line of it.
    const plain = run(repo, 'diff', '--no-color', '--no-ext-diff', '--no-textconv', start);
    expect(plain).toMatch(/Binary files .* differ/);
    const snap = await workspaceChanges(repo, await commonGitDir(repo), start)();
    const f = snap.files.find((x) => x.path === c.path)!;
    expect(Buffer.from(f.after!.bytes)).toEqual(Buffer.from(c.after));
    expect(Buffer.from(f.before!.bytes)).toEqual(Buffer.from(c.before));
    // The diff for people is text too, attributes or not.
    expect(snap.diff).not.toMatch(/Binary files/);
    expect(snap.diff).toContain(
      typeof c.after === 'string' ? c.after.split('\n').find((l) => !c.before.toString().includes(l))! : 'skip',
    );
  });

  it('a worktree .gitattributes the change itself adds hides nothing either', async () => {
    const repo = fixtureRepo({ 'package.json': PKG });
    const start = run(repo, 'rev-parse', 'HEAD').trim();
    write(repo, '.gitattributes', 'package.json -diff\n');
    write(repo, 'package.json', FORGED);
    expect(run(repo, 'diff', '--no-color', start)).toMatch(/Binary files/);
    const snap = await workspaceChanges(repo, await commonGitDir(repo), start)();
    expect(snap.files.map((f) => f.path).sort()).toEqual(['.gitattributes', 'package.json']);
    expect(snap.diff).toContain('+    "test": "true"');
  });

  it('renames are a delete and an add; modes, links and executables are kept', async () => {
    const repo = fixtureRepo({ 'a.txt': 'one\n', 'run.sh': 'echo\n' });
    const start = run(repo, 'rev-parse', 'HEAD').trim();
    fs.renameSync(path.join(repo, 'a.txt'), path.join(repo, 'b.txt'));
    fs.chmodSync(path.join(repo, 'run.sh'), 0o755);
    fs.symlinkSync('b.txt', path.join(repo, 'link'));
    const snap = await workspaceChanges(repo, await commonGitDir(repo), start)();
    const by = Object.fromEntries(snap.files.map((f) => [f.path, f]));
    expect(by['a.txt']!.after).toBeNull();
    expect(by['b.txt']!.before).toBeNull();
    expect(by['run.sh']!.after!.mode).toBe('100755');
    expect(by['link']!.after).toMatchObject({ mode: '120000' });
    expect(Buffer.from(by['link']!.after!.bytes).toString()).toBe('b.txt');
  });

  it('a snapshot leaves out ignored files and never touches the checkout’s own index', async () => {
    const repo = fixtureRepo({ '.gitignore': 'node_modules/\n', 'a.txt': 'a\n' });
    const start = run(repo, 'rev-parse', 'HEAD').trim();
    write(repo, 'node_modules/.bin/node', '#!/bin/sh\necho forged\n');
    write(repo, 'a.txt', 'b\n');
    const index = fs.readFileSync(path.join(repo, '.git', 'index'));
    const tree = await snapshotTree(repo, start);
    expect(fs.readFileSync(path.join(repo, '.git', 'index'))).toEqual(index);
    const files = await readChange(path.join(repo, '.git'), start, tree);
    expect(files.map((f) => f.path)).toEqual(['a.txt']);
  });

  it('finds what a change un-ignores: added files and dropped rules, nested rules and negations too', async () => {
    const repo = fixtureRepo({ '.gitignore': 'node_modules/\n.venv/\n', 'pkg/.gitignore': 'build/\n', 'a.txt': 'a\n' });
    const gitDir = path.join(repo, '.git');
    const start = await treeOf(gitDir, 'HEAD');
    write(repo, '.gitignore', '.venv/\n!node_modules/\n');
    write(repo, 'pkg/.gitignore', '# none\n');
    write(repo, 'node_modules/.bin/node', 'forged\n');
    const tree = await snapshotTree(repo);
    const probes = ['node_modules/.bin/node', 'node_modules/x', '.venv/x', 'pkg/build/x', 'src/a.js'];
    expect(await unignoredPaths(gitDir, start, tree, probes)).toEqual([
      'node_modules/.bin/node',
      'node_modules/x',
      'pkg/build/x',
    ]);
  });

  it('mixes trees: the start with the change’s tests, and the change with the tests as they were', async () => {
    const repo = fixtureRepo({ 'math.js': 'old\n', 'test/a.test.js': 'a\n' });
    const gitDir = path.join(repo, '.git');
    const start = await treeOf(gitDir, 'HEAD');
    write(repo, 'math.js', 'new\n');
    write(repo, 'test/a.test.js', 'a2\n');
    write(repo, 'test/b.test.js', 'b\n');
    const after = await snapshotTree(repo);
    const oldTests = await mixTrees(gitDir, after, start, ['test/a.test.js', 'test/b.test.js']);
    expect(run(repo, 'ls-tree', '-r', '--name-only', oldTests).trim().split('\n')).toEqual([
      'math.js',
      'test/a.test.js',
    ]);
    expect(run(repo, 'cat-file', '-p', `${oldTests}:math.js`)).toBe('new\n');
    expect(run(repo, 'cat-file', '-p', `${oldTests}:test/a.test.js`)).toBe('a\n');
    const newTests = await mixTrees(gitDir, start, after, ['test/a.test.js', 'test/b.test.js']);
    expect(run(repo, 'cat-file', '-p', `${newTests}:math.js`)).toBe('old\n');
    expect(run(repo, 'cat-file', '-p', `${newTests}:test/b.test.js`)).toBe('b\n');
    expect(await diffTrees(gitDir, start, start)).toBe('');
  });
});

describe('clean checkouts for the verdict', () => {
  it('hold exactly the tree, none of the agent checkout’s ignored or untracked files, and go away when disposed', async () => {
    const repo = fixtureRepo({ '.gitignore': 'node_modules/\n', 'math.js': 'old\n' });
    const gitDir = path.join(repo, '.git');
    const start = run(repo, 'rev-parse', 'HEAD').trim();
    write(repo, 'math.js', 'new\n');
    write(repo, 'node_modules/.bin/node', 'forged\n');
    const snap = await workspaceChanges(repo, gitDir, start)();
    const root = tempDir('pw-verify-root-');
    const layouts: Array<{ worktree: string; runTmp: string; cacheDir: string }> = [];
    const fake: Sandbox = {
      kind: 'none',
      run: async () => ({
        exitCode: 0,
        signal: null,
        stdout: '',
        stderr: '',
        durationMs: 0,
        timedOut: false,
        cancelled: false,
      }),
    };
    const verifier = cleanVerifier({
      gitDir,
      parent: start,
      root,
      label: 'r1',
      sandbox: (l) => (layouts.push(l), fake),
    });
    const co = await verifier.checkout(snap.id, new AbortController().signal);
    expect(fs.readFileSync(path.join(co.root, 'math.js'), 'utf8')).toBe('new\n');
    expect(fs.existsSync(path.join(co.root, 'node_modules'))).toBe(false);
    expect(run(co.root, 'rev-parse', 'HEAD^{tree}').trim()).toBe(snap.id);
    // Its temp dir and cache are its own: not the agent's, not the repository's shared cache.
    expect(layouts[0]!.worktree).toBe(co.root);
    expect(layouts[0]!.runTmp.startsWith(root) && layouts[0]!.cacheDir.startsWith(root)).toBe(true);
    expect(run(repo, 'status', '--porcelain')).toContain('math.js');
    await co.dispose();
    expect(fs.existsSync(co.root)).toBe(false);
    expect(run(repo, 'worktree', 'list')).not.toContain(co.root);
  });
});
