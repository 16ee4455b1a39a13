import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { tempDir } from '../support/app-harness.ts';
import { gitEnv } from '../support/git-http-server.ts';

const NODE = path.resolve('node_modules/.bin/node');
const CLI = path.resolve('bin/patchwright.js');

/** A checkout whose history is the newest 100 subjects of a real public repository (oldest first). */
/** A checkout whose history is a corpus file's newest 100 subjects, or the subjects given (newest first). */
function repoWithHistory(source: string | string[], files: Record<string, string>): string {
  const dir = tempDir('pw-inspect-');
  for (const [p, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), text);
  }
  const subjects = (
    typeof source === 'string'
      ? fs
          .readFileSync(path.resolve('fixtures/commit-subjects', source), 'utf8')
          .split('\n')
          .filter(Boolean)
          .slice(0, 100)
          .map((l) => l.split('\t').slice(1).join('\t'))
      : [...source]
  ).reverse();
  // One fast-import stream instead of a hundred `git commit` processes.
  let stream = '';
  subjects.forEach((s, i) => {
    const msg = Buffer.byteLength(s);
    stream += `commit refs/heads/main\ncommitter Dev <dev@example.com> ${1_700_000_000 + i} +0000\ndata ${msg}\n${s}\n${i ? '' : 'deleteall\n'}\n`;
  });
  const run = (args: string[], input?: string) => execFileSync('git', args, { cwd: dir, env: gitEnv(), input });
  run(['init', '-q', '-b', 'main']);
  run(['fast-import', '--quiet'], stream);
  run(['reset', '-q', '--mixed', 'main']);
  run(['add', '-A']);
  run(['commit', '-qm', subjects.at(-1)!]);
  return dir;
}

const inspect = (dir: string) =>
  JSON.parse(execFileSync(NODE, [CLI, 'inspect', dir, '--json'], { encoding: 'utf8' })) as {
    conventions: Record<string, unknown>;
  };

it('inspect --json shows the conventions: a Conventional history, a docs/ template, the configured branch', () => {
  const dir = repoWithHistory('vercel+ai.tsv', {
    'package.json': '{"scripts":{"test":"vitest run"}}\n',
    'docs/Pull_Request_Template.md':
      '## Background\n\n<!-- why -->\n\n## Summary\n\n## Verification\n\n- [ ] Tests added\n',
    '.github/agent.yml': 'branch: bot/{issue}-{slug}\n',
  });
  const { conventions } = inspect(dir);
  expect(conventions).toMatchObject({
    commitStyle: { kind: 'conventional', source: 'history', types: expect.arrayContaining(['feat', 'fix']) },
    prTitleStyle: { kind: 'conventional' },
    prTemplate: { path: 'docs/Pull_Request_Template.md', headings: ['## Background', '## Summary', '## Verification'] },
    branchPattern: 'bot/{issue}-{slug}',
    branchSource: 'config',
  });
  expect((conventions.commitStyle as { scopes: string[] }).scopes.length).toBeGreaterThan(2);
});

it('inspect --json: gitmoji and component-prefix histories, no template, the default branch', () => {
  expect(inspect(repoWithHistory('fastapi+fastapi.tsv', { 'README.md': 'x\n' })).conventions).toMatchObject({
    commitStyle: { kind: 'gitmoji' },
    prTemplate: null,
    branchPattern: 'agent/{issue}-{slug}',
    branchSource: 'default',
  });
  const stated = repoWithHistory('fastapi+fastapi.tsv', {
    '.github/agent.yml': 'conventions:\n  commitStyle: plain\n  closingKeyword: Fixes\n',
  });
  expect(inspect(stated).conventions).toMatchObject({
    commitStyle: { kind: 'plain', source: 'config' },
    prBody: { closingKeyword: 'Fixes' },
  });
  expect(inspect(repoWithHistory('golang+tools.tsv', { 'go.mod': 'module x\n' })).conventions).toMatchObject({
    commitStyle: { kind: 'component-prefix', prefixes: expect.arrayContaining(['gopls']) },
  });
});

it('inspect --check-title: a team title fits (exit 0), another repo’s style does not (exit 1, with the reason)', () => {
  const dir = repoWithHistory('prettier+prettier.tsv', { 'package.json': '{}\n' });
  const check = (title: string) => {
    try {
      return { code: 0, out: execFileSync(NODE, [CLI, 'inspect', dir, '--check-title', title], { encoding: 'utf8' }) };
    } catch (error) {
      const e = error as { status: number; stdout: string };
      return { code: e.status, out: e.stdout };
    }
  };
  expect(check('Fix the Markdown table alignment')).toEqual({
    code: 0,
    out: expect.stringMatching(/^fits: plain \(squash-merges\)/),
  });
  expect(check('  docs: fix a broken link')).toMatchObject({ code: 0 });
  expect(check('Revert "Fix the Markdown table alignment"')).toMatchObject({ code: 0 });
  const other = check('feat(parser): add a thing');
  expect(other.code).toBe(1);
  expect(other.out).toMatch(/does not fit: this repository writes titles as plain sentences/);
  // Prettier's own `docs:` titles are a habit; the rules shown are the ones the history keeps.
  expect(other.out).toMatch(/also fits \(the team's own habits\): titles starting .*`docs:` \(lower-case\)/);
  // ...in the casing its `docs:` titles agree on.
  expect(check('docs: Fix a broken link')).toEqual({
    code: 1,
    out: expect.stringMatching(
      /^does not fit: start the description with a lower-case letter, as this repository's `docs:` titles do/,
    ),
  });
  expect(other.out).toMatch(/rules the history keeps without exception: .*at most \d+ characters/);
  expect(check('docs(api): fix a broken link')).toMatchObject({ code: 1 });
  // `inspect` itself says the same under the PR title style.
  expect(execFileSync(NODE, [CLI, 'inspect', dir], { encoding: 'utf8' })).toMatch(
    /PR titles: +plain, .*merged PR titles in the history\n +also fits \(the team's own habits\): titles starting `docs:`/,
  );
  const json = JSON.parse(
    execFileSync(NODE, [CLI, 'inspect', dir, '--check-title', 'Fix it', '--json'], { encoding: 'utf8' }),
  ) as { fits: boolean; style: string };
  expect(json).toMatchObject({ fits: true, style: 'plain' });
});

it('inspect --title-report: the team’s own newest titles through the check, today and when each was new', () => {
  const long = `Handle the case where ${'a very long input '.repeat(4)}arrives (#30)`;
  const plain = (i: number) => `Handle case ${i} (#${i})`;
  // Newest first; the newest subject is committed twice (the checkout's own commit repeats it).
  const dir = repoWithHistory(
    [
      plain(99),
      'feat: add a flag (#98)',
      ...[50, 51, 52].map(plain),
      long,
      ...Array.from({ length: 20 }, (_, i) => plain(i)),
    ],
    { 'README.md': 'x\n' },
  );
  const out = execFileSync(NODE, [CLI, 'inspect', dir, '--title-report'], { encoding: 'utf8' });
  // 27 titles: the stray `feat:` is refused today; the long one only by the shorter history before it.
  expect(out).toMatch(
    /^PR title style: plain \(squash-merges\)\nthe newest 27 merged PR titles: 26 fit the check today; 25 fit the check of the history before each\n/,
  );
  expect(out).toMatch(/refused today:\n {2}feat: add a flag\n {4}this repository writes titles as plain sentences/);
  expect(out).toMatch(
    /refused when new \(judged by the history before it\):\n {2}feat: add a flag\n.*\n {2}Handle the case where .* arrives\n {4}the title is 101 characters; this repository's titles stay under 83\n/,
  );
  const json = JSON.parse(
    execFileSync(NODE, [CLI, 'inspect', dir, '--title-report', '--json'], { encoding: 'utf8' }),
  ) as { style: string; source: string; titles: Array<{ title: string; now: string | null; before: string | null }> };
  expect(json).toMatchObject({ style: 'plain', source: 'squash-merges' });
  expect(json.titles.filter((t) => t.before !== null).map((t) => t.title)).toEqual([
    'feat: add a flag',
    long.replace(' (#30)', ''),
  ]);
  // No history: says so rather than counting zero titles.
  expect(execFileSync(NODE, [CLI, 'inspect', tempDir('pw-nohistory-'), '--title-report'], { encoding: 'utf8' })).toBe(
    'no titles to report: the history has no commits by people (not a git checkout, an empty one, or only bot commits)\n',
  );
});

it('inspect of a path that is not a directory says so (exit 2), for --check-title too', () => {
  const file = path.join(tempDir(), 'notes.txt');
  fs.writeFileSync(file, 'x\n');
  for (const args of [
    ['inspect', '/nonexistent/pw-checkout'],
    ['inspect', file, '--check-title', 'Fix it'],
  ]) {
    const r = spawnSync(NODE, [CLI, ...args], { encoding: 'utf8' });
    expect(r.status, args.join(' ')).toBe(2);
    expect(r.stderr).toMatch(/^patchwright inspect: \S+ is not a directory \(give a checkout/);
  }
});

it('inspect shows which test commands were set aside and why: all of them in --json `candidates`, a short list in text', () => {
  const dir = repoWithHistory('golang+tools.tsv', {
    'go.mod': 'module x\n',
    '.github/workflows/ci.yml':
      'on: [push]\njobs:\n  t:\n    steps:\n      - run: go test -run TestSlow ./...\n      - run: go test ./internal/x\n      - run: go test -race ./...\n',
  });
  const json = JSON.parse(execFileSync(NODE, [CLI, 'inspect', dir, '--json'], { encoding: 'utf8' })) as {
    test: string;
    candidates: Array<{ command: string; file: string; line: number; source: string; setAside?: string }>;
  };
  expect(json.test).toBe('go test -race ./...');
  expect(json.candidates).toEqual([
    {
      command: 'go test -run TestSlow ./...',
      file: '.github/workflows/ci.yml',
      line: 5,
      source: 'ci',
      setAside: 'a special-purpose go test run',
    },
    {
      command: 'go test ./internal/x',
      file: '.github/workflows/ci.yml',
      line: 6,
      source: 'ci',
      setAside: 'some packages, not ./...',
    },
    { command: 'go test -race ./...', file: '.github/workflows/ci.yml', line: 7, source: 'ci' },
    {
      command: 'go test ./...',
      file: 'go.mod',
      line: 1,
      source: 'project files',
      setAside: 'go test -race ./... was found first (in CI)',
    },
  ]);
  const text = execFileSync(NODE, [CLI, 'inspect', dir], { encoding: 'utf8' });
  expect(text).toContain('Test:       go test -race ./...  (.github/workflows/ci.yml:7)');
  expect(text).toContain('  - go test ./internal/x  (.github/workflows/ci.yml:6): some packages, not ./...');
});
