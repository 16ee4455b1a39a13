import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectRepo } from '../../src/repo/inspect.ts';
import { normaliseCommand } from '../../src/repo/test-commands.ts';
import { tempDir } from '../support/app-harness.ts';

/** A checkout made of these files. */
function repo(files: Record<string, string>): string {
  const dir = tempDir('pw-cand-');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const workflow = (jobs: Record<string, string[]>, on = 'on: [push, pull_request]') =>
  `name: CI\n${on}\njobs:\n${Object.entries(jobs)
    .map(
      ([job, runs]) =>
        `  ${job}:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n${runs.map((r) => `      - run: ${r}`).join('\n')}`,
    )
    .join('\n')}\n`;

const setAside = (dir: string) =>
  Object.fromEntries(
    inspectRepo(dir)
      .candidates.filter((c) => c.setAside)
      .map((c) => [c.command, c.setAside]),
  );

describe('the suite CI runs, not a special-purpose step', () => {
  it('a stress run and a "basic" tier are set aside for the full suite', () => {
    const dir = repo({
      'package.json': JSON.stringify({
        scripts: { test: 'node --test', 'test:stress': 'node stress.js', 'test:basic': 'node --test test/basic' },
      }),
      '.github/workflows/ci.yml': workflow({
        stress: ['npm run test:stress'],
        basic: ['npm run test:basic'],
        unit: ['npm ci', 'npm test'],
      }),
    });
    const r = inspectRepo(dir);
    expect(r.test).toBe('npm test');
    expect(r.evidence.test).toMatchObject({ file: '.github/workflows/ci.yml', line: 19 });
    expect(setAside(dir)).toEqual({
      'npm run test:stress': expect.stringMatching(/special-purpose/),
      'npm run test:basic': expect.stringMatching(/special-purpose/),
    });
  });

  it('one crate or one feature of a Rust workspace → the workspace suite', () => {
    const dir = repo({
      'Cargo.toml': '[workspace]\nmembers = ["core", "cli"]\n',
      '.github/workflows/ci.yml': workflow({
        core: [
          'cargo test -p core',
          'cargo test --features simd',
          'cargo test --verbose --test integration',
          'cargo test --release -- loom',
        ],
      }),
    });
    expect(inspectRepo(dir).test).toBe('cargo test --workspace');
    expect(Object.values(setAside(dir))).toEqual([
      'one crate of the workspace',
      'a feature-flag run, not the default suite',
      'one target, not the whole suite',
      'a release-profile run',
    ]);
  });

  it('one Maven module with a profile is set aside; debug flags are dropped from the build that runs everything', () => {
    const dir = repo({
      'pom.xml': '<project/>',
      '.github/workflows/build.yml': workflow({
        subset: ['mvn -B -pl core -Pfast test'],
        build: ['mvn -X -B verify ${{ matrix.extra-args }}'],
      }),
    });
    const r = inspectRepo(dir);
    expect(r.test).toBe('mvn -B verify');
    expect(r.evidence.test).toMatchObject({ why: expect.stringMatching(/without -X; without values only CI knows/) });
    // The project's own default is listed too, behind what CI runs.
    expect(setAside(dir)).toEqual({
      'mvn -B -pl core -Pfast test': 'one module, not the whole build',
      'mvn -B test': 'mvn -B verify was found first (in CI)',
    });
  });

  it('a lint task is not the tests: `rake rubocop` is set aside, and so is a default rake task that lints', () => {
    const dir = repo({
      Gemfile: "gem 'rake'\ngem 'rubocop'\n",
      Rakefile: "require 'rake/testtask'\nRake::TestTask.new(:test)\ntask default: %w[test rubocop]\n",
      'AGENTS.md': '# Agents\n\n```\nbundle exec rake   # everything CI runs\n```\n',
      '.github/workflows/ruby.yml': workflow({ lint: ['bundle exec rake rubocop'], test: ['bundle exec rake test'] }),
    });
    expect(inspectRepo(dir).test).toBe('bundle exec rake test');
    expect(setAside(dir)).toEqual({
      'bundle exec rake': 'the default rake task also runs rubocop',
      'bundle exec rake rubocop': '`rubocop` is a lint or type check, not the tests',
    });
  });

  it('a workflow that runs only on a schedule is set aside, and so is a step in a subfolder', () => {
    const dir = repo({
      'go.mod': 'module x\n\ngo 1.21\n',
      '.github/workflows/nightly.yml': workflow(
        { all: ['go test -count=10 ./...'] },
        'on:\n  schedule:\n    - cron: "0 0 * * *"',
      ),
      '.github/workflows/tools.yml': `on: push\njobs:\n  tools:\n    steps:\n      - run: go test ./...\n        working-directory: tools\n`,
    });
    expect(inspectRepo(dir).test).toBe('go test ./...');
    expect(setAside(dir)).toEqual({
      'go test -count=10 ./...': expect.stringMatching(/only on a schedule/),
      'go test ./...': 'runs in tools/, one part of the repository',
    });
  });
});

describe('the runner the project uses', () => {
  it('nox: the test session, not a conda-only one; the session CI picks per matrix entry', () => {
    const noxfile =
      '@nox.session(venv_backend="conda")\ndef conda_tests(session):\n    pass\n\n@nox.session(python=["3.11", "3.12"])\ndef tests(session):\n    session.run("pytest")\n\n@nox.session\ndef lint(session):\n    pass\n';
    const dir = repo({
      'noxfile.py': noxfile,
      'pyproject.toml': '[project]\nname = "x"\n',
      '.github/workflows/ci.yml': workflow({
        conda: ['nox -s conda_tests'],
        lint: ['nox -s lint'],
        test: ['uvx nox -s "$NOX_SESSION"'],
      }),
    });
    const r = inspectRepo(dir);
    expect(r.test).toBe('uvx nox -s tests');
    expect(setAside(dir)).toEqual({
      'nox -s conda_tests': 'the `conda_tests` session needs conda',
      'nox -s lint': '`lint` is a lint or type check, not the tests',
      'python -m nox -s tests': 'uvx nox -s tests was found first (in CI)',
    });
    // Without CI, the noxfile's own test session.
    expect(inspectRepo(repo({ 'noxfile.py': noxfile })).test).toBe('python -m nox -s tests');
  });

  it('tox: the tests on this Python, not every env of the list; lint envs set aside', () => {
    const dir = repo({
      'tox.ini': '[tox]\nenvlist = py3{10,11}, docs, lint\n',
      '.github/workflows/ci.yml': workflow({ lint: ['tox -e lint'], test: ['python -m tox --installpkg dist/*.whl'] }),
    });
    expect(inspectRepo(dir).test).toBe('python -m tox -e py');
  });

  it('hatch test with matrix options, poe tasks, go-task and just', () => {
    expect(
      inspectRepo(
        repo({
          'pyproject.toml': '[tool.hatch.version]\npath = "x.py"\n',
          '.github/workflows/test.yml': workflow({
            t: ['hatch fmt --check', 'hatch test --python ${{ matrix.python }} --randomize'],
          }),
        }),
      ).test,
    ).toBe('hatch test --randomize');
    expect(
      inspectRepo(
        repo({
          'pyproject.toml': '[tool.poetry]\nname = "x"\n\n[tool.poe.tasks]\nlint = "ruff check"\ntest = "pytest"\n',
        }),
      ).test,
    ).toBe('poetry run poe test');
    expect(
      inspectRepo(
        repo({
          'go.mod': 'module x\n',
          'Taskfile.yml': 'version: 3\ntasks:\n  test:\n    cmds: [go test ./...]\n',
          '.github/workflows/ci.yml': workflow({
            t: ["task test --output group --output-group-begin '::group::{{.TASK}}'"],
          }),
        }),
      ).test,
    ).toBe('task test');
    expect(inspectRepo(repo({ justfile: 'build:\n    cargo build\n\ntest:\n    ./run-tests\n' })).test).toBe(
      'just test',
    );
  });

  it('a pnpm + turbo monorepo with no root test script runs turbo’s test task; nx likewise', () => {
    const turbo = inspectRepo(
      repo({
        'package.json': JSON.stringify({
          private: true,
          packageManager: 'pnpm@9.1.0',
          scripts: { build: 'turbo run build' },
        }),
        'pnpm-workspace.yaml': 'packages: ["packages/*"]\n',
        'turbo.json': '{ "tasks": { "build": {}, "test": { "dependsOn": ["^build"] } } }\n',
      }),
    );
    expect(turbo.test).toBe('pnpm exec turbo run test');
    expect(turbo.setup).toEqual(['pnpm install']);
    expect(
      inspectRepo(
        repo({ 'package.json': '{"name":"x"}', 'nx.json': '{ "targetDefaults": { "test": { "cache": true } } }' }),
      ).test,
    ).toBe('npx nx run-many -t test');
  });

  it('CMake: CI’s configure and build steps, then ctest in the build folder; without CI, a build folder with testing on', () => {
    const cmake =
      'cmake_minimum_required(VERSION 3.14)\nproject(x C)\noption(X_BUILD_TESTS "tests" OFF)\noption(X_FUZZ_TESTS "fuzzers" OFF)\nenable_testing()\nadd_test(NAME t COMMAND t)\n';
    const ci = inspectRepo(
      repo({
        'CMakeLists.txt': cmake,
        '.github/workflows/ci.yml': workflow({
          linux: [
            'cmake -S . -B build -DX_BUILD_TESTS=ON -G Ninja',
            'cmake --build build --parallel 4',
            'cd build ; ctest --output-on-failure -C ${{ matrix.config }}',
          ],
        }),
      }),
    );
    expect(ci.test).toBe('cd build && ctest --output-on-failure');
    expect(ci.setup).toEqual(['cmake -S . -B build -DX_BUILD_TESTS=ON -G Ninja', 'cmake --build build --parallel 4']);
    const bare = inspectRepo(repo({ 'CMakeLists.txt': cmake }));
    expect(bare.test).toBe('ctest --test-dir build --output-on-failure');
    expect(bare.setup).toEqual([
      'cmake -S . -B build -DBUILD_TESTING=ON -DX_BUILD_TESTS=ON',
      'cmake --build build --parallel',
    ]);
  });

  it('autotools: configure and make before `make check`, continued lines joined, matrix values dropped', () => {
    const r = inspectRepo(
      repo({
        'configure.ac': 'AC_INIT([x], [1])\n',
        'Makefile.am': 'check_PROGRAMS = t\n',
        '.github/workflows/ci.yml':
          'on: push\njobs:\n  linux:\n    steps:\n      - run: autoreconf -i\n      - run: |\n          ./configure \\\n            --host=${{ matrix.host }} \\\n            --disable-docs\n          make -j"$(nproc)"\n      - run: make check VERBOSE=yes\n',
      }),
    );
    expect(r.test).toBe('make check VERBOSE=yes');
    expect(r.setup).toEqual(['autoreconf -i', './configure --disable-docs', 'make -j"$(nproc)"']);
  });

  it('AGENTS.md: a watch command and a pattern with a placeholder are not the suite', () => {
    const dir = repo({
      'package.json': JSON.stringify({ scripts: { test: 'vitest run', 'test:watch': 'vitest' } }),
      'AGENTS.md':
        '- `pnpm test:watch` - watch\n- `pnpm vitest run <path>` - one file\n- `pnpm vitest run` - everything\n',
    });
    expect(inspectRepo(dir).test).toBe('pnpm vitest run');
    expect(setAside(dir)).toEqual({
      'pnpm test:watch': expect.stringMatching(/special-purpose|watch/),
      'npm test': expect.stringMatching(/pnpm vitest run was found first/),
    });
  });

  it('a Django project without pytest runs its own test runner', () => {
    expect(
      inspectRepo(
        repo({
          'manage.py':
            '#!/usr/bin/env python\nimport os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")\nfrom django.core.management import execute_from_command_line\n',
          'requirements.txt': 'Django>=5\n',
          'app/tests.py': 'from django.test import TestCase\n',
        }),
      ).test,
    ).toBe('python manage.py test');
  });

  it('bun: the test script runs with `bun run test`, since `bun test` is bun’s own runner', () => {
    expect(
      inspectRepo(repo({ 'package.json': JSON.stringify({ scripts: { test: 'vitest --run' } }), 'bun.lock': '{}' }))
        .test,
    ).toBe('bun run test');
  });
});

describe('making a CI command runnable', () => {
  it.each([
    ['FAKER_LAZY_LOAD=1 bundle exec rake test', 'bundle exec rake test'],
    ['./gradlew -Pjava=${{ matrix.java }} build --stacktrace --scan', './gradlew build'],
    ['cargo test --verbose --locked "${MSRV_FEATURES}"', 'cargo test --locked'],
    [
      'python -m nox -s test-${{ matrix.python.key || matrix.python }} -- tests/unit --verbose',
      'python -m nox -s test',
    ],
    ['mvn verify javadoc:jar', 'mvn verify'],
    ['xvfb-run -a npm test', 'npm test'],
    ['c8 --reporter=lcov npm test', 'npm test'],
    ['hatch run +py=${{ matrix.python }} test:run', 'hatch run test:run'],
    ['tox -e py${{ matrix.python }}', 'tox -e py'],
    ['mvn -B verify -Pci', 'mvn -B verify -Pci'],
  ])('%s → %s', (raw, want) => {
    expect(normaliseCommand(raw)).toMatchObject({ command: want });
  });

  it.each([
    ['${{ env.CARGO }} test --workspace', /program is a CI variable/],
    ['make test-${{ matrix.features }}', /only CI knows/],
    ['node bin/x.js --debug-benchmark 2>&1 >/dev/null | grep x', /shell construct/],
  ])('%s → set aside', (raw, why) => {
    expect(normaliseCommand(raw)).toEqual({ setAside: expect.stringMatching(why) });
  });
});

describe('more runners and shapes', () => {
  it('a local composite action a job uses: its run steps count as the job’s, with the action file as evidence', () => {
    const r = inspectRepo(
      repo({
        'package.json': JSON.stringify({ scripts: { test: 'node --test' } }),
        '.github/workflows/ci.yml':
          'on: [push]\njobs:\n  unit:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: ./.github/actions/unit\n',
        '.github/actions/unit/action.yml':
          'name: unit\nruns:\n  using: composite\n  steps:\n    - run: npm ci\n      shell: bash\n    - run: npm run test:ci -- --reporter=dot\n      shell: bash\n',
      }),
    );
    expect(r.test).toBe('npm run test:ci -- --reporter=dot');
    expect(r.evidence.test).toMatchObject({ file: '.github/actions/unit/action.yml', line: 7 });
  });

  it.each([
    ['npm ci && npm test', 'npm test'],
    ['cmake --build build --target test', 'cmake --build build --target test'],
    ['meson test -C builddir', 'meson test -C builddir'],
    ['gotestsum --format testname -- ./...', 'gotestsum --format testname -- ./...'],
    ['npm test --workspaces', 'npm test --workspaces'],
    ['pnpm -r test', 'pnpm -r test'],
    ['python manage.py test --parallel', 'python manage.py test --parallel'],
    ['bundle exec rails test', 'bundle exec rails test'],
  ])('CI step %s → %s', (step, want) => {
    expect(inspectRepo(repo({ '.github/workflows/ci.yml': workflow({ t: [step] }) })).test).toBe(want);
  });

  it.each([
    ['mvn -B -Pnative test', 'a profile run, not the default build'],
    ['npm test -w packages/a', 'one package of the workspace'],
    ['yarn workspace @x/a test', 'one package of the workspace'],
    ['npx nx affected -t test', 'only the projects a change affects'],
  ])('CI step %s → set aside: %s', (step, why) => {
    const dir = repo({ '.github/workflows/ci.yml': workflow({ t: [step] }) });
    expect(setAside(dir)[step]).toBe(why);
  });
});

describe('bad input: a clear answer, never a crash', () => {
  it('no CI and no manifest', () => {
    const r = inspectRepo(repo({ 'README.md': '# notes\n', 'notes/a.txt': 'x' }));
    expect(r.test).toBeNull();
    expect(r.evidence.test).toEqual({ reason: 'no build or test configuration was found' });
  });

  it('a workflow that does not parse: a warning, and the project files still answer', () => {
    const r = inspectRepo(
      repo({
        'package.json': JSON.stringify({ scripts: { test: 'node --test' } }),
        '.github/workflows/ci.yml': 'on: push\njobs:\n  t:\n\tsteps: [\n      - run: "npm run test:e2e\n',
      }),
    );
    expect(r.warnings.join('\n')).toMatch(
      /\.github\/workflows\/ci\.yml is not valid YAML \(.+\); its steps were read line by line/,
    );
    expect(r.test).toBe('npm test');
  });

  it('a matrix with 200 entries', () => {
    const include = Array.from(
      { length: 200 },
      (_, i) => `          - { os: ubuntu-latest, node: ${(i % 5) + 18}, shard: ${i} }`,
    ).join('\n');
    const wf = `on: [push]\njobs:\n  test:\n    strategy:\n      matrix:\n        include:\n${include}\n    steps:\n      - run: npm ci\n      - run: npx vitest run --shard=\${{ matrix.shard }}/200\n      - run: npm test\n`;
    const r = inspectRepo(
      repo({
        'package.json': JSON.stringify({ scripts: { test: 'vitest run' } }),
        'package-lock.json': '{}',
        '.github/workflows/ci.yml': wf,
      }),
    );
    expect(r.test).toBe('npm test');
    expect(setAsideOf(r, 'npx vitest run --shard=${{ matrix.shard }}/200')).toMatch(/only CI knows/);
  });

  it('a package.json that is not JSON', () => {
    const r = inspectRepo(repo({ 'package.json': '{ "scripts": { "test": "jest", } ', 'index.js': '' }));
    expect(r.test).toBeNull();
    expect(r.evidence.test).toEqual({ reason: 'package.json is not valid JSON' });
  });

  it('a CMakeLists with no tests', () => {
    const r = inspectRepo(
      repo({
        'CMakeLists.txt': 'cmake_minimum_required(VERSION 3.10)\nproject(x C)\nadd_executable(x main.c)\n',
        'main.c': 'int main(void){return 0;}\n',
      }),
    );
    expect(r.test).toBeNull();
    expect(r.evidence.test).toEqual({
      reason: 'CMakeLists.txt defines no tests (no enable_testing, add_test or CTest)',
    });
  });
});

function setAsideOf(r: ReturnType<typeof inspectRepo>, command: string): string | undefined {
  return r.candidates.find((c) => c.command === command)?.setAside;
}

describe('batch 6 of the real-repository corpus: rules it taught', () => {
  it('a test suite only a scheduled workflow runs is still the suite, when nothing else runs one; a matrix-named `make` is read', () => {
    const dir = repo({
      'configure.ac': 'AC_INIT([x], [1])\n',
      'regress/Makefile': 'all:\n\tsh run.sh\n',
      '.github/workflows/regress.yml':
        "on:\n  schedule:\n    - cron: '0 3 * * *'\njobs:\n  regress:\n    strategy:\n      matrix:\n        include:\n          - name: linux\n            make: make\n          - name: bsd\n            make: gmake\n    steps:\n      - run: |\n          sh autogen.sh\n          ./configure\n          ${{ matrix.make }} -j4\n      - run: |\n          cd regress\n          ${{ matrix.make }}\n",
    });
    const r = inspectRepo(dir);
    expect(r.test).toBe('cd regress && make');
    expect(r.evidence.test).toMatchObject({ why: expect.stringMatching(/only a scheduled workflow runs the tests/) });
    expect(r.setup).toEqual(['sh autogen.sh', './configure', 'make -j4']);
    // With a push workflow that runs tests, the scheduled one stays set aside.
    fs.writeFileSync(path.join(dir, 'Makefile'), 'check:\n\t$(MAKE) -C regress\n');
    fs.mkdirSync(path.join(dir, '.github/workflows'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.github/workflows/ci.yml'), workflow({ build: ['make check'] }));
    expect(inspectRepo(dir).test).toBe('make check');
  });

  it('`tox run --notest` prepares environments: the next step is the tests, without --skip-pkg-install', () => {
    const dir = repo({
      'tox.ini': '[tox]\nenv_list = py\n[testenv]\ncommands = pytest {posargs}\n',
      '.github/workflows/test.yml': workflow({
        tests: ['pip install tox', 'tox run -e py --notest', 'tox run -e py --skip-pkg-install -- -n 4'],
      }),
    });
    expect(inspectRepo(dir).test).toBe('tox run -e py');
    expect(setAside(dir)['tox run -e py --notest']).toMatch(/without running the tests/);
  });

  it('Go: a build-tag variant and a run for another platform are set aside; `check-clean-work-tree` is no test', () => {
    const dir = repo({
      'go.mod': 'module example.com/x\n\ngo 1.22\n',
      Makefile: 'test:\n\tgo test ./...\ncheck-clean-work-tree:\n\tgit diff --exit-code\n',
      '.github/workflows/ci.yml': workflow({
        lint: ['make lint'],
        tidy: ['make check-clean-work-tree'],
        cross: ['GOARCH=386 go test -parallel=1 ./...'],
        tags: ['go test --tags=dedupelabels ./...'],
        unit: ['make test'],
      }),
    });
    expect(inspectRepo(dir).test).toBe('make test');
    const why = setAside(dir);
    expect(why['make check-clean-work-tree']).toMatch(/does not run the tests/);
    expect(why['GOARCH=386 go test -parallel=1 ./...']).toMatch(/another platform \(GOARCH=386\)/);
    expect(why['go test --tags=dedupelabels ./...']).toMatch(/build tags/);
  });

  it('several Go modules: the Makefile runs them all, and its `test-unit` is the unit suite beside a `test` that adds e2e', () => {
    const dir = repo({
      'go.mod': 'module example.com/x\n\ngo 1.22\n',
      'go.work': 'go 1.22\n\nuse (\n\t.\n\t./server\n)\n',
      'server/go.mod': 'module example.com/x/server\n\ngo 1.22\n',
      Makefile: 'test:\n\tPASSES="unit e2e" ./test.sh\n\ntest-unit:\n\tPASSES="unit" ./test.sh\n',
    });
    expect(inspectRepo(dir).test).toBe('make test-unit');
    // One module: `go test ./...` covers it; a Makefile with only `test` keeps `make test`.
    const one = repo({ 'go.mod': 'module example.com/y\n\ngo 1.22\n', Makefile: 'test:\n\tgo test ./...\n' });
    expect(inspectRepo(one).test).toBe('go test ./...');
  });

  it('`npm run lint && npm run test:unit` where `test` = `npm-run-all build lint test:unit`: the unit part, not the script that lints', () => {
    const dir = repo({
      'package.json': JSON.stringify({
        scripts: { test: 'npm-run-all build lint test:unit', 'test:unit': 'vitest run', lint: 'eslint .' },
      }),
      'package-lock.json': '{}',
      '.github/workflows/ci.yml': workflow({ test: ['npm ci', 'npm run lint && npm run test:unit'] }),
    });
    expect(inspectRepo(dir).test).toBe('npm run test:unit');
  });
});

describe('batch 7 of the real-repository corpus: rules it taught', () => {
  it('tox with an environment list that builds docs, rake tasks that are not the tests, and a wasm job are set aside', () => {
    const dir = repo({
      Gemfile: "source 'https://rubygems.org'\ngem 'rake'\n",
      Rakefile: "require 'rake/testtask'\nRake::TestTask.new(:test)\ntask default: [:test, :rubocop]\n",
      '.github/workflows/ci.yml': workflow({
        build: ['bundle exec rake clean compile', 'bundle exec rake lexer templates'],
        wasm: ['bundle exec rake wasm:check'],
      }),
    });
    expect(inspectRepo(dir).test).toBe('bundle exec rake test');
    const why = setAside(dir);
    expect(why['bundle exec rake clean compile']).toMatch(/does not run the tests/);
    expect(why['bundle exec rake lexer templates']).toMatch(/none of these tasks is the tests/);
    expect(why['bundle exec rake wasm:check']).toMatch(/special-purpose/);
    const tox = repo({
      'tox.ini': '[tox]\nenv_list = py, docs\n',
      '.github/workflows/ci.yml': workflow({ extra: ['tox -e base,dist,docs'], unit: ['tox -e py'] }),
    });
    expect(inspectRepo(tox).test).toBe('tox -e py');
    expect(setAside(tox)['tox -e base,dist,docs']).toMatch(/`dist` is not a test environment/);
  });

  it('`rake compile` before `test/runner`: the runner in the test folder is the suite, compile its setup; `make all-with-unit-tests` is a build', () => {
    const dir = repo({
      Gemfile: "source 'https://rubygems.org'\n",
      'test/runner': '#!/usr/bin/env ruby\n',
      '.github/workflows/tests.yml': workflow({ test: ['bundle exec rake compile', 'test/runner --verbose'] }),
    });
    expect(inspectRepo(dir).test).toBe('test/runner --verbose');
    const c = repo({
      Makefile: 'all:\n\tcc -o x x.c\ntest:\n\t./runtest\n',
      runtest: '#!/bin/sh\n',
      '.github/workflows/ci.yml': workflow({
        unit: ["make -j4 all-with-unit-tests SERVER_CFLAGS='-Werror'", './runtest --verbose'],
      }),
    });
    const r = inspectRepo(c);
    expect(r.test).toBe('./runtest --verbose');
    expect(r.setup).toContain("make -j4 all-with-unit-tests SERVER_CFLAGS='-Werror'");
  });
});

describe('batch 8 of the real-repository corpus: rules it taught', () => {
  it('`mkdir -p build && cd build` in a script moves the lines after it: cmake, make and ctest run in build/', () => {
    const dir = repo({
      'CMakeLists.txt': 'cmake_minimum_required(VERSION 3.10)\nproject(x)\nenable_testing()\n',
      '.github/workflows/ci.yml':
        'on: [push]\njobs:\n  linux:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          mkdir -p build && cd build\n          cmake .. -DX_TESTS=ON\n          make -j2\n          ctest -j2 --output-on-failure\n',
    });
    const r = inspectRepo(dir);
    expect(r.test).toBe('cd build && ctest -j2 --output-on-failure');
    expect(r.setup).toEqual(['mkdir -p build', 'cd build && cmake .. -DX_TESTS=ON', 'cd build && make -j2']);
  });

  it('`make -C build -j$(nproc) VERBOSE=1 all` is the build before `make -C build test`', () => {
    const dir = repo({
      'src/CMakeLists.txt': 'project(x)\n',
      '.github/workflows/ci.yml': workflow({
        unit: ['cmake -S src/ -B build/', 'make -C build -j$(nproc) VERBOSE=1 all', 'make -C build/ test'],
      }),
    });
    const r = inspectRepo(dir);
    expect(r.test).toBe('make -C build/ test');
    expect(r.setup).toEqual(['cmake -S src/ -B build/', 'make -C build -j$(nproc) VERBOSE=1 all']);
  });

  it('`pnpm test:unit` stays the unit part when `test` also runs browser and memory suites', () => {
    const dir = repo({
      'package.json': JSON.stringify({
        scripts: {
          test: 'pnpm test:unit && pnpm test:browser && pnpm test:memory',
          'test:unit': 'vitest',
          'test:browser': 'playwright test',
          'test:memory': 'node mem.js',
        },
      }),
      'pnpm-lock.yaml': 'lockfileVersion: 9\n',
      '.github/workflows/ci.yml': workflow({ unit: ['pnpm install --frozen-lockfile', 'pnpm test:unit'] }),
    });
    expect(inspectRepo(dir).test).toBe('pnpm test:unit');
  });
});

describe('batch 9 of the real-repository corpus: rules it taught', () => {
  it('a CI expression with spaces is one word: `tox run -e ${{ matrix.tox || format(...) }}` is the tests on this Python', () => {
    const dir = repo({
      'tox.ini': '[tox]\nenv_list = py3{12,13}\n',
      '.github/workflows/tests.yaml': workflow({
        tests: ["uv run --locked tox run -e ${{ matrix.tox || format('py{0}', matrix.python) }}"],
      }),
    });
    expect(inspectRepo(dir).test).toBe('uv run --locked tox run -e py');
  });

  it('a tox environment whose own commands run no test runner is a smoke check, not the tests', () => {
    const dir = repo({
      'tox.ini':
        "[tox]\nenv_list = py, run-module\n[testenv]\ncommands = pytest {posargs}\n[testenv:run-module]\ncommands = python -c 'import x; print(x.__version__)'\n",
      '.github/workflows/tox.yml': workflow({ tox: ['tox -e run-module', 'tox -e py'] }),
    });
    expect(inspectRepo(dir).test).toBe('tox -e py');
    expect(setAside(dir)['tox -e run-module']).toMatch(/runs no tests/);
  });

  it('a job for another platform or a build-tag run is second best: it loses to a Linux run, but beats a default from the project files', () => {
    const both = repo({
      'pyproject.toml': '[project]\nname = "x"\n',
      '.github/workflows/freebsd.yml': workflow({ test: ['pytest -x tests/'] }),
      '.github/workflows/ci.yml': workflow({ test: ['pytest tests/'] }),
    });
    expect(inspectRepo(both).test).toMatch(/pytest tests\/$/);
    expect(setAside(both)['pytest -x tests/']).toMatch(/for another platform/);
    const only = repo({
      'go.mod': 'module example.com/n\n\ngo 1.22\n',
      'go_test.mod': 'module example.com/n\n',
      '.github/workflows/ci.yaml': workflow({
        test: ['go test -modfile=go_test.mod -race ./... -tags=internal_testing'],
      }),
    });
    expect(inspectRepo(only).test).toBe('go test -modfile=go_test.mod -race ./... -tags=internal_testing');
    expect(setAside(only)['go test ./...']).toMatch(/CI’s own .* was preferred/);
  });

  it('`go test -race -bench . -benchmem ./...` is the suite without the benchmarks', () => {
    const dir = repo({
      'go.mod': 'module example.com/z\n\ngo 1.22\n',
      '.github/workflows/test.yml': workflow({
        test: ['go test -race -bench . -benchmem ./...', 'go test -run=^$ -bench . ./...'],
      }),
    });
    expect(inspectRepo(dir).test).toBe('go test -race ./...');
  });
});

describe('batch 10 of the real-repository corpus: rules it taught', () => {
  it('`on:` with its list at the key’s own indentation still runs on push; `rake compile` is the setup the tests need', () => {
    const dir = repo({
      Gemfile: "source 'https://rubygems.org'\n",
      Rakefile: "require 'rake/testtask'\nRake::TestTask.new(:test)\n",
      '.github/workflows/ci.yml':
        'name: ci\non:\n- push\n- pull_request\njobs:\n  host:\n    runs-on: ubuntu-latest\n    steps:\n      - run: bundle exec rake compile\n      - run: bundle exec rake test JSON_COMPACT=1\n',
    });
    const r = inspectRepo(dir);
    expect(r.test).toBe('bundle exec rake test JSON_COMPACT=1');
    expect(r.setup).toContain('bundle exec rake compile');
  });

  it('a test script that lints and runs a browser suite: the tests without either', () => {
    const dir = repo({
      'package.json': JSON.stringify({
        scripts: {
          test: 'npm run test:node && npm run test:browser && npm run lint',
          'test:node': 'mocha test.js',
          'test:browser': 'karma start --single-run',
          lint: 'xo',
        },
      }),
    });
    const r = inspectRepo(dir);
    expect(r.test).toBe('npm run test:node');
    expect(r.evidence.test).toMatchObject({
      why: expect.stringMatching(/special-purpose runs \(npm run test:browser\)/),
    });
  });

  it('an autotools C project with a few Python test files: bootstrap, configure, make, then `make check` (only when Makefile.am names tests)', () => {
    const files = {
      'configure.ac': 'AC_INIT([x], [1])\n',
      'autogen.sh': '#!/bin/sh\nautoreconf -fi\n',
      'Makefile.am': 'SUBDIRS = src testsuite\n',
      'testsuite/emscripten/conftest.py': 'import pytest\n',
      'testsuite/emscripten/test_x.py': 'def test_x(): pass\n',
      ...Object.fromEntries(['a', 'b', 'c', 'd'].map((n) => [`src/${n}.c`, 'int x;\n'])),
    };
    const r = inspectRepo(repo(files));
    expect(r.test).toBe('make check');
    expect(r.setup).toEqual(['./autogen.sh', './configure', 'make']);
    // check_PROGRAMS that are fuzzers, no TESTS and no test folder: `make check` would run nothing.
    expect(inspectRepo(repo({ ...files, 'Makefile.am': 'check_PROGRAMS = fuzz/a-fuzzer\n' })).test).not.toBe(
      'make check',
    );
  });
});

describe('batch 11 of the real-repository corpus: rules it taught', () => {
  it('`./mvnw --version` prints a version; a cloud browser run is special-purpose; `cd build;` in a script moves the lines after it', () => {
    const dir = repo({
      'pom.xml': '<project/>\n',
      mvnw: '#!/bin/sh\n',
      '.github/workflows/main.yml': workflow({ build: ['./mvnw --version', './mvnw verify --batch-mode'] }),
    });
    expect(inspectRepo(dir).test).toBe('./mvnw verify --batch-mode');
    expect(setAside(dir)['./mvnw --version']).toMatch(/only prints its version/);
    const node = repo({
      'package.json': JSON.stringify({ scripts: { test: 'mocha', 'test-cloud': 'node cloud.js' } }),
      '.github/workflows/ci.yml': workflow({ test: ['npm run test-cloud', 'npm test'] }),
    });
    expect(inspectRepo(node).test).toBe('npm test');
    const c = repo({
      'CMakeLists.txt': 'project(x)\nenable_testing()\n',
      '.github/workflows/ci.yml':
        'on: [push]\njobs:\n  linux:\n    steps:\n      - run: |\n          cmake -B build;\n          cd build;\n          make;\n          ctest -j3\n',
    });
    expect(inspectRepo(c).test).toBe('cd build && ctest -j3');
  });

  it('a test folder’s own script run from that folder is the suite: `cd tests` then `./unittest.sh`', () => {
    const dir = repo({
      'ini.c': 'int x;\n',
      'tests/unittest.sh': '#!/bin/sh\n',
      '.github/workflows/tests.yml':
        'on: [push]\njobs:\n  test:\n    steps:\n      - run: |\n          cd tests\n          ./unittest.sh\n',
    });
    expect(inspectRepo(dir).test).toBe('cd tests && ./unittest.sh');
  });
});

describe('batch 12 of the real-repository corpus: rules it taught', () => {
  it('`rake ${{ matrix.task }}` is not the default rake task; a task list with a documentation check is not the tests', () => {
    const dir = repo({
      Gemfile: "source 'https://rubygems.org'\ngem 'rspec'\n",
      'spec/x_spec.rb': '',
      Rakefile: 'task default: [:internal_investigation, :spec]\n',
      '.github/workflows/main.yml': workflow({
        confirm: ['bundle exec rake confirm_config documentation_syntax_check'],
        main: ['NO_COVERAGE=true bundle exec rake ${{ matrix.task }}'],
        coverage: ['bundle exec rake spec'],
      }),
    });
    expect(inspectRepo(dir).test).toBe('bundle exec rake spec');
    const why = setAside(dir);
    expect(why['NO_COVERAGE=true bundle exec rake ${{ matrix.task }}']).toMatch(/the task is a value only CI knows/);
    expect(why['bundle exec rake confirm_config documentation_syntax_check']).toMatch(
      /none of these tasks is the tests/,
    );
  });

  it('Maven: `-f service/pom.xml` is one module; `-pl !x` leaves one out but still beats a default, and `-f build-pom.xml` is the build', () => {
    const dir = repo({
      'build-pom.xml': '<project/>\n',
      '.github/workflows/ci.yml': workflow({
        test: ["mvn -B verify -pl '!service/ksp' -f build-pom.xml", 'mvn -B verify -f service/pom.xml'],
      }),
    });
    expect(inspectRepo(dir).test).toBe("mvn -B verify -pl '!service/ksp' -f build-pom.xml");
    expect(setAside(dir)['mvn -B verify -f service/pom.xml']).toMatch(/one module/);
  });
});

describe('batch 13 of the real-repository corpus: rules it taught', () => {
  it('`cargo test --color=always -- --color=always` is `cargo test`; `rake gumbo:test` is one component, second to `rake test`', () => {
    const rust = repo({
      'Cargo.toml': '[package]\nname = "x"\n',
      '.github/workflows/test.yml': workflow({ test: ['cargo test --color=always -- --color=always'] }),
    });
    expect(inspectRepo(rust).test).toBe('cargo test');
    const ruby = repo({
      Gemfile: "source 'https://rubygems.org'\n",
      Rakefile: "require 'rake/testtask'\nRake::TestTask.new(:test)\n",
      '.github/workflows/ci.yml': workflow({
        gumbo: ['bundle exec rake gumbo:test'],
        test: ['bundle exec rake compile', 'bundle exec rake test'],
      }),
    });
    expect(inspectRepo(ruby).test).toBe('bundle exec rake test');
    expect(setAside(ruby)['bundle exec rake gumbo:test']).toMatch(/one component's tests/);
  });
});

describe('batch 14 of the real-repository corpus: rules it taught', () => {
  it('`npm run test-node` stays itself when `test` also runs a chrome suite; CI’s `npm run test-ci` that lints first is split like `npm test`', () => {
    const chai = repo({
      'package.json': JSON.stringify({
        scripts: {
          test: 'npm run test-node && npm run test-chrome',
          'test-node': 'mocha',
          'test-chrome': 'web-test-runner --playwright',
        },
      }),
      '.github/workflows/node.yml': workflow({ test: ['npm ci --ignore-scripts', 'npm run test-node'] }),
    });
    expect(inspectRepo(chai).test).toBe('npm run test-node');
    const pino = repo({
      'package.json': JSON.stringify({
        scripts: {
          'test-ci': 'npm run lint && npm run transpile && npm run borp',
          lint: 'eslint .',
          transpile: 'node t.js',
          borp: 'borp',
        },
      }),
      '.github/workflows/ci.yml': workflow({ test: ['npm i --ignore-scripts', 'npm run test-ci'] }),
    });
    const r = inspectRepo(pino);
    expect(r.test).toBe('npm run transpile && npm run borp');
    expect(r.evidence.test).toMatchObject({
      why: expect.stringMatching(/scripts\.test-ci without its lint step \(npm run lint\)/),
    });
  });

  it('`meson test -C build` where CI configured build/ in a script of its own: `meson setup build` first', () => {
    const dir = repo({
      'meson.build': "project('x', 'c')\n",
      'x.c': 'int x;\n',
      '.github/workflows/build.yml': workflow({ linux: ['./ci/build-linux.sh', 'meson test -C build'] }),
    });
    const r = inspectRepo(dir);
    expect(r.test).toBe('meson test -C build');
    expect(r.setup).toContain('meson setup build');
  });
});

describe('batch 15 of the real-repository corpus: rules it taught', () => {
  it('`cd test && rake ci`: the test folder’s own Rakefile runs the suite', () => {
    const dir = repo({
      'src/unity.c': 'int x;\n',
      'test/Rakefile': 'task :ci do\nend\n',
      '.github/workflows/main.yml':
        'on: [push]\njobs:\n  unit-tests:\n    steps:\n      - run: |\n          cd test && rake ci\n',
    });
    expect(inspectRepo(dir).test).toBe('cd test && rake ci');
  });
});
