import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/app-harness.ts';
import { fixtureRepo, nodeBuggy } from '../support/fixture-repo.ts';

const NODE = path.resolve('node_modules/.bin/node');
const CLI = path.resolve('bin/patchwright.js');

function doctor(...args: string[]): { code: number; out: string; err: string } {
  try {
    const out = execFileSync(NODE, [CLI, 'doctor', ...args], {
      encoding: 'utf8',
      env: { ...process.env, PATCHWRIGHT_DATA_DIR: tempDir('pw-doc-data-') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { code: 0, out, err: '' };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { code: e.status, out: e.stdout, err: e.stderr };
  }
}

describe('patchwright doctor', () => {
  it('ready: setup works in the sandbox and the baseline names its tests (a failing one included), exit 0', () => {
    const repo = fixtureRepo(nodeBuggy);
    const r = doctor(repo, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as {
      ready: boolean;
      setup: Array<{ command: string; exitCode: number }>;
      baseline: { passed: number; failed: number; failures: string[] };
    };
    expect(report.ready).toBe(true);
    expect(report.setup).toMatchObject([{ command: 'npm ci', exitCode: 0 }]);
    expect(report.baseline).toMatchObject({ failed: 1, failures: ['adds'] });
    expect(execFileSync('git', ['branch', '--list', 'patchwright/*'], { cwd: repo, encoding: 'utf8' }).trim()).toBe('');
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: repo, encoding: 'utf8' }).trim()).toBe('');
  });

  it('not ready: the failing setup step with its output tail and what to set, exit 1', () => {
    const r = doctor(
      fixtureRepo({ ...nodeBuggy, '.github/agent.yml': 'setup: ["echo preparing; echo broken >&2; exit 3"]\n' }),
    );
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^Not ready\./);
    expect(r.out).toMatch(/FAIL echo preparing; echo broken >&2; exit 3 \([\d.]+ s\)\n\s+preparing\n\s+broken/);
    expect(r.out).toMatch(
      /setup step .* failed \(exit 3\); if it is not how this repository installs, set `setup:` in \.github\/agent\.yml/,
    );
  });

  it('not ready: no test command, or one that fails before naming any test', () => {
    expect(doctor(fixtureRepo({ 'README.md': '# x\n' })).out).toMatch(
      /no test command was found: set `test:` in \.github\/agent\.yml/,
    );
    const lint = doctor(
      fixtureRepo({ ...nodeBuggy, '.github/agent.yml': 'test: "echo lint error in src/a.js && exit 1"\n' }),
    );
    expect(lint.code).toBe(1);
    expect(lint.out).toMatch(/fails \(exit 1\) before any test is named: lint error in src\/a\.js/);
  });

  it('the toolchain the repository asks for is compared with the worker’s: a note when it only differs, the first thing to fix when it is older and something fails', () => {
    // The worker's Node is the one the sandbox finds on the system PATH, not the one running this test.
    const have = execFileSync('sh', ['-c', 'node --version'], {
      encoding: 'utf8',
      env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
    })
      .trim()
      .replace(/^v/, '')
      .split('.')[0]!;
    const pinned = doctor(fixtureRepo({ ...nodeBuggy, '.nvmrc': `${Number(have) - 2}\n` }), '--json');
    expect(pinned.code).toBe(0);
    expect((JSON.parse(pinned.out) as { toolchain: string[] }).toolchain.join()).toMatch(
      new RegExp(`\\.nvmrc asks for Node ${Number(have) - 2}; the worker has ${have}\\.`),
    );
    const pkg = JSON.parse(nodeBuggy['package.json']) as Record<string, unknown>;
    const older = doctor(
      fixtureRepo({
        ...nodeBuggy,
        'package.json': JSON.stringify({ ...pkg, engines: { node: '>=99' } }, null, 2),
        '.github/agent.yml': 'setup: ["node -e \\"process.exit(3)\\""]\n',
      }),
    );
    expect(older.code).toBe(1);
    expect(older.out).toMatch(
      /\n- the worker has Node [\d.]+, older than the Node >=99 that package\.json line \d+ asks for: install it on the worker[^\n]*\n- setup step/,
    );
  });

  it('bad input: not a directory, not a git checkout, an invalid agent.yml: exit 2 and why', () => {
    expect(doctor('/nonexistent/dir')).toMatchObject({ code: 2, err: expect.stringMatching(/is not a directory/) });
    expect(doctor(tempDir('pw-nogit-'))).toMatchObject({
      code: 2,
      err: expect.stringMatching(/not inside a git checkout/),
    });
    expect(doctor(fixtureRepo({ ...nodeBuggy, '.github/agent.yml': 'budgets: [1\n' }))).toMatchObject({
      code: 2,
      err: expect.stringMatching(/agent\.yml/),
    });
  });
});
