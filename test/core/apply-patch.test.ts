import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { localFiles } from '../../src/adapters/git/local-files.ts';
import { applyPatch } from '../../src/core/tools/apply-patch/apply-patch.ts';
import { tempDir } from '../support/app-harness.ts';

let root: string;
const read = (p: string) => fs.readFileSync(path.join(root, p), 'utf8');
const apply = (body: string, protectedPaths: string[] = ['.github/workflows/**']) =>
  applyPatch(`*** Begin Patch\n${body}\n*** End Patch`, localFiles(root), protectedPaths);

beforeEach(() => {
  root = tempDir('pw-patch-');
  fs.writeFileSync(path.join(root, 'a.py'), 'def add(a, b):\n    return a - b\n\n\ndef sub(a, b):\n    return a - b\n');
  fs.writeFileSync(path.join(root, 'b.txt'), 'one\ntwo\nthree\n');
});

describe('apply_patch', () => {
  it("reports each change as unified-diff hunks with the real line numbers, the file's own context lines", async () => {
    const res = await apply(
      '*** Update File: a.py\n@@ def sub(a, b):\n-    return a - b\n+    return a - b  # sub\n+    # two lines now',
    );
    expect(res).toMatchObject({
      ok: true,
      changes: [
        {
          path: 'a.py',
          kind: 'update',
          diff: '@@ -6,1 +6,2 @@ def sub(a, b):\n-    return a - b\n+    return a - b  # sub\n+    # two lines now',
        },
      ],
    });
    const two = await apply('*** Update File: b.txt\n one\n-two\n+2\n+2b\n@@\n-three\n+3');
    expect(two).toMatchObject({
      ok: true,
      changes: [{ diff: '@@ -1,2 +1,3 @@\n one\n-two\n+2\n+2b\n@@ -3,1 +4,1 @@\n-three\n+3' }],
    });
  });

  it('updates with an @@ anchor to pick between identical lines', async () => {
    const res = await apply('*** Update File: a.py\n@@ def add(a, b):\n-    return a - b\n+    return a + b');
    expect(res.ok).toBe(true);
    expect(read('a.py')).toBe('def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n');
  });

  it.each([
    ['trailing whitespace', 'two   '],
    ['indentation', '   two'],
    ['unicode punctuation', 'two'],
  ])('matches ignoring %s', async (_name, context) => {
    if (_name === 'unicode punctuation')
      fs.writeFileSync(path.join(root, 'b.txt'), 'say \u201Chi\u201D \u2014 ok\ntwo\n');
    const body =
      _name === 'unicode punctuation'
        ? '*** Update File: b.txt\n-say "hi" - ok\n+say "bye"'
        : `*** Update File: b.txt\n ${context}\n-three\n+3`;
    const res = await apply(body);
    expect(res).toMatchObject({ ok: true });
    expect(read('b.txt')).toMatch(_name === 'unicode punctuation' ? /say "bye"/ : /two\n3\n$/);
  });

  it('adds, deletes and moves several files in one patch', async () => {
    const res = await apply(
      '*** Add File: src/new.txt\n+hello\n*** Delete File: b.txt\n*** Update File: a.py\n*** Move to: lib/calc.py\n@@ def sub(a, b):\n     return a - b\n+# end',
    );
    expect(res).toMatchObject({
      ok: true,
      changes: [{ kind: 'add' }, { kind: 'delete' }, { kind: 'move', movePath: 'lib/calc.py' }],
    });
    expect(read('src/new.txt')).toBe('hello\n');
    expect(fs.existsSync(path.join(root, 'b.txt'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'a.py'))).toBe(false);
    expect(read('lib/calc.py')).toMatch(/return a - b\n# end\n$/);
  });

  it('writes nothing when a later hunk fails, and shows the nearest text', async () => {
    const res = await apply(
      '*** Update File: b.txt\n-one\n+1\n*** Update File: a.py\n-def multiply(a, b):\n+def mul(a, b):',
    );
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error).toMatch(/a.py: hunk 1: this context was not found:\ndef multiply/);
    expect(res.error).toMatch(/closest text is at line \d+:\ndef add/);
    expect(read('b.txt')).toBe('one\ntwo\nthree\n');
  });

  it('rejects ambiguous context', async () => {
    const res = await apply('*** Update File: a.py\n-    return a - b\n+    return 0');
    expect(res).toMatchObject({ ok: false, error: expect.stringMatching(/more than one place/) });
  });

  it.each([
    ['a path escape', '*** Add File: ../evil.txt\n+x', /outside the repository/],
    ['an absolute path', '*** Add File: /tmp/evil.txt\n+x', /relative/],
    ['.git', '*** Add File: .git/hooks/pre-commit\n+x', /\.git cannot be changed/],
    ['a protected path', '*** Add File: .github/workflows/ci.yml\n+x', /protected/],
    ['a symlink out', '*** Add File: out/evil.txt\n+x', /outside the repository/],
    ['a dangling symlink', '*** Add File: dangling\n+x', /symbolic link/],
    [
      'a link to .git, deleted and added again',
      '*** Delete File: gitlink\n*** Add File: gitlink\n+gitdir: /tmp/evil',
      /symbolic link|does not exist/,
    ],
    ['a path through a link to .git', '*** Add File: gitdirlink/hooks/pre-commit\n+x', /inside \.git/],
    ['.GIT in another case', '*** Add File: sub/.GIT/config\n+x', /\.git/i],
    ['a FIFO', '*** Update File: fifo\n-x\n+y', /not a regular file/],
    ['bad syntax', '*** Frobnicate File: x', /expected "\*\*\* Add File:"/],
  ])('refuses %s', async (_name, body, error) => {
    fs.symlinkSync('/tmp', path.join(root, 'out'));
    fs.symlinkSync('/nonexistent/pw-dangling-target', path.join(root, 'dangling'));
    fs.mkdirSync(path.join(root, '.git'), { recursive: true });
    fs.writeFileSync(path.join(root, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    fs.symlinkSync('.git', path.join(root, 'gitlink'));
    fs.symlinkSync('.git', path.join(root, 'gitdirlink'));
    execFileSync('mkfifo', [path.join(root, 'fifo')]);
    const res = await apply(body);
    expect(res).toMatchObject({ ok: false, error: expect.stringMatching(error) });
    expect(fs.existsSync('/tmp/evil.txt')).toBe(false);
    expect(fs.readFileSync(path.join(root, '.git', 'HEAD'), 'utf8')).toBe('ref: refs/heads/main\n');
    expect(fs.existsSync(path.join(root, '.git', 'hooks'))).toBe(false);
  });

  it('never writes through a hard link: the other name keeps its content', async () => {
    fs.writeFileSync(path.join(root, 'orig.txt'), 'x\n');
    fs.linkSync(path.join(root, 'orig.txt'), path.join(root, 'hard.txt'));
    expect(await apply('*** Update File: hard.txt\n-x\n+y')).toMatchObject({ ok: true });
    expect(read('hard.txt')).toBe('y\n');
    expect(read('orig.txt')).toBe('x\n');
  });
});
