import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './app-harness.ts';
import { gitEnv } from './git-http-server.ts';

/** A git repository in a temp dir with `files` committed on main. */
export function fixtureRepo(files: Record<string, string>): string {
  const dir = tempDir('pw-fixture-');
  for (const [p, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), text);
  }
  const run = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: gitEnv() });
  run('init', '-q', '-b', 'main');
  run('add', '-A');
  run('commit', '-qm', 'initial');
  return dir;
}

/** A git repository in a temp dir with a copy of `src` committed on main: file modes and links kept, as a real checkout has them. */
export function repoFromFolder(src: string): string {
  const dir = tempDir('pw-fixture-');
  fs.cpSync(src, dir, { recursive: true, verbatimSymlinks: true });
  const run = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: gitEnv() });
  run('init', '-q', '-b', 'main');
  run('add', '-A');
  run('commit', '-qm', 'initial');
  return dir;
}

export const nodeBuggy = {
  'package.json': JSON.stringify({ name: 'calc', version: '1.0.0', scripts: { test: 'node --test' } }, null, 2) + '\n',
  'package-lock.json':
    JSON.stringify(
      {
        name: 'calc',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: { '': { name: 'calc', version: '1.0.0' } },
      },
      null,
      2,
    ) + '\n',
  '.gitignore': 'node_modules/\n',
  'math.js': 'exports.add = (a, b) => a - b;\n',
  'test/math.test.js':
    "const test = require('node:test');\nconst assert = require('node:assert');\nconst { add } = require('../math.js');\n\ntest('adds', () => {\n  assert.strictEqual(add(2, 3), 5);\n});\n",
};

export const nodeFix =
  '*** Begin Patch\n*** Update File: math.js\n-exports.add = (a, b) => a - b;\n+exports.add = (a, b) => a + b;\n*** End Patch';

export const pythonBuggy = {
  'calc.py': 'def add(a, b):\n    return a - b\n',
  'tests/test_calc.py':
    'import unittest\n\nfrom calc import add\n\n\nclass AddTest(unittest.TestCase):\n    def test_add(self):\n        self.assertEqual(add(2, 3), 5)\n',
};

export const pythonFix =
  '*** Begin Patch\n*** Update File: calc.py\n@@ def add(a, b):\n-    return a - b\n+    return a + b\n*** End Patch';

/** Adds a test for a `mul` that does not exist yet: a new failure, not a pre-existing one. */
export const nodeAddMulTest =
  "*** Begin Patch\n*** Add File: test/mul.test.js\n+const test = require('node:test');\n+const assert = require('node:assert');\n+const { mul } = require('../math.js');\n+\n+test('multiplies', () => {\n+  assert.strictEqual(mul(2, 3), 6);\n+});\n*** End Patch";

export const nodeAddMul =
  '*** Begin Patch\n*** Update File: math.js\n exports.add = (a, b) => a - b;\n+exports.mul = (a, b) => a * b;\n*** End Patch';
