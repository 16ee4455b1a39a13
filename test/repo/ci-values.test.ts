import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ciCommands } from '../../src/repo/ci-commands.ts';
import { workflowEnv } from '../../src/repo/ci-env.ts';
import { resolveCiValues } from '../../src/repo/ci-values.ts';
import { inspectRepo } from '../../src/repo/inspect.ts';
import { RepoFiles } from '../../src/repo/repo-files.ts';
import { normaliseCommand } from '../../src/repo/test-commands.ts';
import { tempDir } from '../support/app-harness.ts';

function checkout(files: Record<string, string>): string {
  const dir = tempDir('pw-ci-values-');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

describe('CI values in a command', () => {
  const env = {
    FEATURES: 'full,test-util',
    BASE: 'full',
    MORE: '$BASE,test-util',
    EXPR: '${{ matrix.extra }}',
    SPACED: '--features a,b --locked',
  };
  it.each([
    ['cargo test --features $FEATURES', 'cargo test --features full,test-util', ['FEATURES']],
    ['cargo test --features ${FEATURES}', 'cargo test --features full,test-util', ['FEATURES']],
    ['cargo test --features "${{ env.FEATURES }}"', 'cargo test --features "full,test-util"', ['FEATURES']],
    ['cargo test --features ${{env.FEATURES}}', 'cargo test --features full,test-util', ['FEATURES']],
    ['cargo test --features $MORE', 'cargo test --features full,test-util', ['MORE']],
    ['cargo test $SPACED', 'cargo test --features a,b --locked', ['SPACED']],
    ['pytest ${MARKERS:-tests}', 'pytest tests', []],
    // Only CI knows these: left as written, for the caller to drop or set aside.
    ['cargo test --features $EXPR', 'cargo test --features $EXPR', []],
    ['cargo test --features ${{ matrix.features }}', 'cargo test --features ${{ matrix.features }}', []],
    ['go test -run $GITHUB_SHA ./...', 'go test -run $GITHUB_SHA ./...', []],
    // The shell expands nothing inside single quotes; neither does this.
    ["sh -c 'echo $FEATURES'", "sh -c 'echo $FEATURES'", []],
  ])('%s → %s', (command, want, names) => {
    expect(resolveCiValues(command, env)).toEqual({ command: want, resolved: names });
  });

  it('normaliseCommand resolves them before judging what is left, and says where the value came from', () => {
    expect(normaliseCommand('cargo nextest run --workspace --features $F', { env: { F: 'full' } })).toEqual({
      command: 'cargo nextest run --workspace --features full',
      changes: ['with `F` from the workflow’s env'],
    });
    // Without the env, the value is only CI's: the option goes (as before).
    expect(normaliseCommand('cargo nextest run --workspace --features $F')).toEqual({
      command: 'cargo nextest run --workspace',
      changes: ['without values only CI knows'],
    });
  });
});

describe('the env: a workflow step sees', () => {
  const workflow = [
    'on: [push]',
    'env:',
    '  LEVEL: workflow',
    '  FEATURES: "full,test-util"',
    'jobs:',
    '  test:',
    '    env: { LEVEL: job, JOB_ONLY: "1" }',
    '    steps:',
    '      - run: cargo test --features $FEATURES',
    '      - name: with its own',
    '        env:',
    '          LEVEL: step',
    '          DJANGO_SETTINGS_MODULE: tests.settings',
    '          TOKEN: ${{ secrets.TOKEN }}',
    '        run: pytest',
    '  other:',
    '    steps:',
    '      - run: pytest',
    '',
  ].join('\n');
  it('workflow, then job, then step, later ones winning; which names the step itself sets', () => {
    const at = workflowEnv(workflow);
    expect(at(9)).toEqual({ env: { LEVEL: 'job', FEATURES: 'full,test-util', JOB_ONLY: '1' }, own: [] });
    expect(at(15)).toEqual({
      env: {
        LEVEL: 'step',
        FEATURES: 'full,test-util',
        JOB_ONLY: '1',
        DJANGO_SETTINGS_MODULE: 'tests.settings',
        TOKEN: '${{ secrets.TOKEN }}',
      },
      own: ['LEVEL', 'DJANGO_SETTINGS_MODULE', 'TOKEN'],
    });
    expect(at(18)).toEqual({ env: { LEVEL: 'workflow', FEATURES: 'full,test-util' }, own: [] });
  });

  it('a composite action’s steps; a file that is not YAML gives none', () => {
    const action =
      'runs:\n  using: composite\n  steps:\n    - run: make test\n      shell: bash\n      env:\n        V: "1"\n';
    expect(workflowEnv(action)(4)).toEqual({ env: { V: '1' }, own: ['V'] });
    expect(workflowEnv('jobs: [\n')(1)).toEqual({ env: {}, own: [] });
  });

  it('a step’s script: export and bare assignment lines set values for what follows, a sourced repository script too; a virtualenv’s activate does not count', () => {
    const dir = checkout({
      'ci/env.sh': 'export X=1\n',
      '.github/workflows/ci.yml': [
        'on: [push]',
        'jobs:',
        '  t:',
        '    steps:',
        '      - run: |',
        '          export PYTHONPATH=src A="one two"',
        '          B=2',
        '          source ci/env.sh',
        '          . venv/bin/activate',
        '          pytest',
        '      - run: source ci/env.sh && python -m pytest',
        '',
      ].join('\n'),
    });
    const cmds = ciCommands(new RepoFiles(dir));
    // The setting lines are not commands of their own.
    expect(cmds.map((c) => c.command)).toEqual(['pytest', 'python -m pytest']);
    expect(cmds[0]).toMatchObject({
      env: { PYTHONPATH: 'src', A: 'one two', B: '2' },
      stepEnv: ['PYTHONPATH', 'A', 'B'],
      sourced: ['ci/env.sh'],
    });
    expect(cmds[1]).toMatchObject({ sourced: ['ci/env.sh'] });
    expect(cmds[1]!.stepEnv).toBeUndefined();
  });
});

describe('inspect keeps what a CI command depends on', () => {
  const ci = (steps: string, top = '') => `on: [push]\n${top}jobs:\n  test:\n    steps:\n${steps}`;

  it('tokio: features from the workflow’s env on a workspace-wide run', () => {
    const r = inspectRepo(
      checkout({
        'Cargo.toml': '[workspace]\nmembers = ["a"]\n',
        '.github/workflows/ci.yml': ci(
          '      - run: cargo nextest run --workspace --features $TOKIO_STABLE_FEATURES\n',
          'env:\n  TOKIO_STABLE_FEATURES: "full,test-util"\n',
        ),
      }),
    );
    expect(r.test).toBe('cargo nextest run --workspace --features full,test-util');
    expect(r.evidence.test).toMatchObject({
      why: expect.stringContaining('with `TOKIO_STABLE_FEATURES` from the workflow’s env'),
    });
  });

  it('what the step sets for its command: its env:, exports and sourced scripts, less CI’s own settings', () => {
    const r = inspectRepo(
      checkout({
        'pyproject.toml': '[tool.pytest.ini_options]\n',
        'ci/env.sh': 'export DB=sqlite\n',
        '.github/workflows/ci.yml': ci(
          [
            '      - env:',
            '          DJANGO_SETTINGS_MODULE: tests.settings',
            '          FORCE_COLOR: "1"',
            '          CODECOV_TOKEN: ${{ secrets.CODECOV_TOKEN }}',
            '          INSTA_FORCE_PASS: "1"',
            '          UPDATE_SNAPSHOTS: "1"',
            '          RUSTFLAGS: -Dwarnings',
            '          PYTEST_ADDOPTS: --color=yes',
            '          PY: ${{ matrix.python }}',
            '        run: |',
            '          export PYTHONHASHSEED=0',
            '          source ci/env.sh',
            '          pytest tests',
            '',
          ].join('\n'),
        ),
      }),
    );
    expect(r.test).toBe('. ci/env.sh && DJANGO_SETTINGS_MODULE=tests.settings PYTHONHASHSEED=0 pytest tests');
  });

  it('a step’s TOXENV or NOXSESSION is the environment it runs: a manifest check is not the tests', () => {
    const dir = checkout({
      'tox.ini':
        '[tox]\nenvlist = py, checkmanifest\n[testenv]\ncommands = pytest\n[testenv:checkmanifest]\ncommands = check-manifest\n',
      'setup.py': '',
      '.github/workflows/ci.yml': ci(
        '      - run: tox\n        env:\n          TOXENV: checkmanifest\n      - run: tox\n        env:\n          TOXENV: ${{ matrix.toxenv }}\n',
      ),
    });
    const r = inspectRepo(dir);
    expect(r.candidates.slice(0, 2).map((c) => [c.command, c.setAside ?? null])).toEqual([
      ['tox', 'the tox environment `checkmanifest` runs no tests (check-manifest)'],
      ['tox -e py', null],
    ]);
  });

  it('tox or nox from CI, installed by CI’s own step: setup installs it too (with uv’s pip in a uv project, which has no pip)', () => {
    const files = {
      'tox.ini': '[tox]\nenvlist = py\n[testenv]\ncommands = pytest\n',
      'setup.py': '',
      '.github/workflows/ci.yml': ci('      - run: python -m pip install tox\n      - run: tox\n'),
    };
    expect(inspectRepo(checkout(files)).setup).toEqual(['python -m pip install -e .', 'python -m pip install tox']);
    expect(
      inspectRepo(checkout({ ...files, 'pyproject.toml': '[project]\nname = "x"\n', 'uv.lock': '' })).setup,
    ).toEqual(['uv sync', 'uv pip install tox']);
  });

  it('a repository script that ends by running the tests is the test command, behind uv run too: its exports stay with it', () => {
    const r = inspectRepo(
      checkout({
        'pyproject.toml': '[tool.pytest.ini_options]\n',
        'uv.lock': '',
        'ci/check.sh': '#!/bin/sh\nset -e\nexport TERMINAL_WIDTH=3000\npytest -n auto "$@"\necho done\n',
        '.github/workflows/ci.yml': ci('      - run: uv run bash ci/check.sh\n'),
      }),
    );
    expect(r.test).toBe('uv run bash ci/check.sh');
  });

  it('one that ends otherwise (a build, a report) is not, whatever it calls on the way; nor one whose run is a subset', () => {
    const dir = checkout({
      'Cargo.toml': '[package]\nname = "x"\n',
      'ci/build.sh': '#!/bin/sh\ncargo test\ncargo build --release\n',
      'ci/panic-abort.sh': '#!/bin/sh\nset -ex\ncargo test --all-features --test "*"\n',
      '.github/workflows/ci.yml': ci('      - run: ci/build.sh\n      - run: ci/panic-abort.sh\n'),
    });
    const r = inspectRepo(dir);
    expect(r.test).toBe('cargo test');
    expect(r.candidates.find((c) => c.command === 'ci/panic-abort.sh')?.setAside).toBe(
      'it ends with `cargo test --all-features --test "*"`: one target, not the whole suite',
    );
    expect(r.candidates.some((c) => c.command === 'ci/build.sh')).toBe(false);
  });
});
