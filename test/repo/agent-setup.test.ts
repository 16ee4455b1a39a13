import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectRepo } from '../../src/repo/inspect.ts';
import { tempDir } from '../support/app-harness.ts';

function tree(files: Record<string, string>): string {
  const dir = tempDir('pw-agentsetup-');
  for (const [p, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), text);
  }
  return dir;
}

const pkg = { 'package.json': '{"name":"x","scripts":{"test":"vitest run"}}\n', 'package-lock.json': '{}\n' };

describe('other agents’ setup files', () => {
  it('Copilot’s setup steps: the run steps of the copilot-setup-steps job, with file and line', () => {
    const r = inspectRepo(
      tree({
        ...pkg,
        '.github/workflows/copilot-setup-steps.yml':
          'on: workflow_dispatch\njobs:\n  copilot-setup-steps:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/setup-node@v4\n      - run: npm ci\n      - run: |\n          npx playwright install-deps\n          npm run build\n',
      }),
    );
    expect(r.setup).toEqual(['npm ci', 'npx playwright install-deps', 'npm run build']);
    expect(r.evidence.setup[0]).toMatchObject({ file: '.github/workflows/copilot-setup-steps.yml', line: 8 });
  });

  it('the dev container: updateContentCommand then postCreateCommand, in JSON with comments and trailing commas', () => {
    const r = inspectRepo(
      tree({
        ...pkg,
        '.devcontainer/devcontainer.json':
          '{\n  // the image\n  "image": "node:22",\n  "updateContentCommand": "npm ci",\n  /* then */\n  "postCreateCommand": ["npm", "run", "prepare"],\n}\n',
      }),
    );
    expect(r.setup).toEqual(['npm ci', 'npm run prepare']);
    expect(r.evidence.setup[1]).toMatchObject({ file: '.devcontainer/devcontainer.json', line: 6 });
  });

  it('AGENTS.md: its install and test commands, not the one for a single test', () => {
    const r = inspectRepo(
      tree({
        ...pkg,
        'AGENTS.md':
          '# Agents\n\nRun one test: `pnpm test -- src/a.test.ts`\n\n```sh\n$ pnpm install\n```\n\nThe suite: `pnpm test`.\n',
      }),
    );
    expect(r.setup).toEqual(['pnpm install']);
    expect(r.test).toBe('pnpm test');
    expect(r.evidence.test).toMatchObject({ file: 'AGENTS.md', line: 9 });
  });

  it('order of trust: agent.yml, then these, then CI and ecosystem files', () => {
    const dir = tree({
      ...pkg,
      'AGENTS.md': 'Tests: `npm run test:unit`\n',
      '.github/workflows/ci.yml': 'jobs:\n  t:\n    steps:\n      - run: npm run test:ci\n',
    });
    expect(inspectRepo(dir).test).toBe('npm run test:unit');
    expect(inspectRepo(dir, { test: 'npm run test:all' }).test).toBe('npm run test:all');
    expect(
      inspectRepo(
        tree({ ...pkg, '.github/workflows/ci.yml': 'jobs:\n  t:\n    steps:\n      - run: npm run test:ci\n' }),
      ).test,
    ).toBe('npm run test:ci');
  });

  it('a dev container file that does not parse is ignored, not a crash', () => {
    expect(inspectRepo(tree({ ...pkg, '.devcontainer/devcontainer.json': '{ "postCreateCommand": ' })).setup).toEqual([
      'npm ci',
    ]);
  });
});

describe('a test script that lints first', () => {
  it('the tests run without the lint step, which becomes the lint command', () => {
    const r = inspectRepo(
      tree({
        'package.json': '{"name":"x","scripts":{"test":"xo && npm run build && ava"}}\n',
        'package-lock.json': '{}\n',
      }),
    );
    expect(r.test).toBe('npm run build && PATH="$PWD/node_modules/.bin:$PATH" ava');
    expect(r.lint).toBe('PATH="$PWD/node_modules/.bin:$PATH" xo');
    expect(r.evidence.test).toMatchObject({
      file: 'package.json',
      why: expect.stringMatching(/without its lint step \(.*xo\)/),
    });
  });

  it('a script that only tests is left as it is', () => {
    expect(inspectRepo(tree({ 'package.json': '{"name":"x","scripts":{"test":"tsc && vitest run"}}\n' })).test).toBe(
      'npm test',
    );
  });
});

it('CI runs `npm test` and the script lints first: the tests without the lint step, evidence from both', () => {
  const r = inspectRepo(
    tree({
      'package.json': '{"name":"x","scripts":{"test":"xo && c8 ava && tsd"}}\n',
      '.github/workflows/main.yml': 'jobs:\n  test:\n    steps:\n      - run: npm install\n      - run: npm test\n',
    }),
  );
  expect(r.test).toBe('PATH="$PWD/node_modules/.bin:$PATH" c8 ava && PATH="$PWD/node_modules/.bin:$PATH" tsd');
  expect(r.evidence.test).toMatchObject({
    file: '.github/workflows/main.yml',
    why: expect.stringMatching(/CI runs it; scripts\.test without its lint step/),
  });
});
