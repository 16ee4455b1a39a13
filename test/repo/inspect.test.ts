import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { instructionsFor } from '../../src/repo/instructions.ts';
import { inspectRepo } from '../../src/repo/inspect.ts';

const repo = (name: string) => path.join('fixtures/repos', name);

describe('inspect: test commands per ecosystem', () => {
  it.each([
    ['node-npm', 'npm run test-ci', '.github/workflows/ci.yml', 10, 'npm'],
    ['node-pnpm', 'pnpm test', 'package.json', 6, 'pnpm'],
    ['python-pytest', 'python -m pytest', 'pyproject.toml', 8, 'pip'],
    ['python-unittest', 'python -m unittest discover -s tests', 'tests/test_calc.py', 1, 'pip'],
    ['python-uv', 'uv run pytest -q tests', '.github/workflows/test.yml', 8, 'uv'],
    ['go-module', 'go test ./...', 'go.mod', 1, 'go'],
    ['rust-workspace', 'cargo test --workspace', 'Cargo.toml', 1, 'cargo'],
    ['java-maven', './mvnw -B test', 'mvnw', 1, 'maven'],
    ['kotlin-gradle', './gradlew --no-daemon test', 'gradlew', 1, 'gradle'],
    ['ruby-rspec', 'bundle exec rspec', 'Gemfile', 4, 'bundler'],
    ['ruby-rake', 'bundle exec rake test', 'Rakefile', 3, 'bundler'],
    ['c-make', 'make check', 'Makefile', 8, null],
  ])('%s → %s', (name, test, file, line, pm) => {
    const r = inspectRepo(repo(name));
    expect(r.test).toBe(test);
    expect(r.evidence.test).toMatchObject({ file, line });
    expect(r.packageManager).toBe(pm);
  });

  it('says why there is no test command rather than guessing', () => {
    const yarn = inspectRepo(repo('node-yarn-notest'));
    expect(yarn.test).toBeNull();
    expect(yarn.evidence.test).toEqual({ reason: expect.stringMatching(/placeholder/) });
    expect(yarn.setup).toEqual(['yarn install --immutable']);
    const docs = inspectRepo(repo('docs-only'));
    expect(docs.test).toBeNull();
    expect(docs.evidence.test).toEqual({ reason: 'no build or test configuration was found' });
  });

  it('reports setup and lint with their sources', () => {
    const py = inspectRepo(repo('python-pytest'));
    expect(py.setup).toEqual(['python -m pip install -e .[test]']);
    expect(py.lint).toBe('ruff check .');
    const node = inspectRepo(repo('node-npm'));
    expect(node.setup).toEqual(['npm ci']);
    expect(node.lint).toBe('npm run lint');
    expect(node.evidence.lint).toMatchObject({ file: 'package.json', why: 'scripts.lint' });
  });

  it('lets .github/agent.yml overrides win', () => {
    const r = inspectRepo(repo('go-module'), { test: 'make itest', setup: ['make deps'] });
    expect(r.test).toBe('make itest');
    expect(r.setup).toEqual(['make deps']);
    expect(r.evidence.test).toMatchObject({ file: '.github/agent.yml' });
  });
});

describe('inspect: instructions', () => {
  it('lists the AGENTS chain (override replacing AGENTS.md) and the other instruction files', () => {
    const r = inspectRepo(repo('node-npm'));
    expect(r.instructions).toEqual([
      'AGENTS.md',
      'docs/AGENTS.override.md',
      'lib/AGENTS.md',
      'CLAUDE.md',
      '.github/copilot-instructions.md',
    ]);
    expect(instructionsFor(r.instructions, 'lib/router/index.js')).toEqual([
      'AGENTS.md',
      'lib/AGENTS.md',
      'CLAUDE.md',
      '.github/copilot-instructions.md',
    ]);
  });
});

describe('inspect: bad input', () => {
  const scratch = () => fs.mkdtempSync(path.join(os.tmpdir(), 'pw-inspect-'));

  it('refuses what is not a directory', () => {
    expect(() => inspectRepo('/nonexistent/dir')).toThrow(/not a directory/);
  });

  it('warns on an empty tree and on a directory that is not a git checkout', () => {
    const r = inspectRepo(scratch());
    expect(r.warnings).toEqual(['not a git checkout: Patchwright runs need one', 'the checkout is empty']);
    expect(r.test).toBeNull();
  });

  it('never follows a symlink out of the checkout, and skips binary files', () => {
    const outside = scratch();
    fs.writeFileSync(path.join(outside, 'package.json'), JSON.stringify({ scripts: { test: 'steal-secrets' } }));
    const dir = scratch();
    fs.symlinkSync(path.join(outside, 'package.json'), path.join(dir, 'package.json'));
    fs.writeFileSync(path.join(dir, 'Makefile'), Buffer.from([0x74, 0x65, 0x73, 0x74, 0x3a, 0x00, 0x0a]));
    const r = inspectRepo(dir);
    expect(r.test).toBeNull();
    expect(JSON.stringify(r)).not.toContain('steal-secrets');
  });

  it('caps the walk on a huge tree and says so', () => {
    const dir = scratch();
    for (let d = 0; d < 25; d++) {
      fs.mkdirSync(path.join(dir, `d${d}`));
      for (let f = 0; f < 1000; f++) fs.writeFileSync(path.join(dir, `d${d}`, `f${f}.txt`), '');
    }
    expect(inspectRepo(dir).warnings.join()).toMatch(/large tree: only the first 20000 files/);
  });
});
