import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { inspectRepo } from '../../src/repo/inspect.ts';
import { tempDir } from '../support/app-harness.ts';

const DATA = path.resolve('fixtures/real-repos');

function materialise(name: string): string {
  const { files } = JSON.parse(fs.readFileSync(path.join(DATA, `${name}.json`), 'utf8')) as { files: Record<string, string | null> };
  const dir = tempDir(`pw-real-${name}-`);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text ?? '');
  }
  return dir;
}

/** What a maintainer would run, read from each project's CI and configs (see fixtures/real-repos/README.md). */
const EXPECTED: Record<string, { test: RegExp; setup?: RegExp }> = {
  // .travis.yml runs `go test -v ./...`; no Makefile.
  'google+uuid': { test: /^go test( -v)? \.\/\.\.\.$/ },
  // .travis.yml runs `make check` (tests, then linters fetched with `go get`); `make test` is its test part.
  'pkg+errors': { test: /^make (test|check)$/ },
  // CI runs `make test`, which wraps `go test ./...` in richgo (installed by an earlier step).
  'spf13+cobra': { test: /^(go test \.\/\.\.\.|make test)$/ },
  // tox.ini: deps from requirements/tests.txt, then pytest.
  'pallets+jinja': { test: /^python -m pytest$/, setup: /requirements\/tests\.txt/ },
  // CI runs `npm run test-ci` (npm test under nyc); no lockfile, so `npm install`.
  'expressjs+express': { test: /^npm (run )?test(-ci)?$/, setup: /^npm install$/ },
  // ci.yml builds with `make ...`, then runs `./runtest`.
  'redis+redis': { test: /^(\.\/runtest\b.*|make test)$/, setup: /^make\b/ },
};

it('finds the test command (and the setup it needs) of real projects', () => {
  const results = Object.entries(EXPECTED).map(([name, want]) => {
    const r = inspectRepo(materialise(name));
    const ok = want.test.test(r.test ?? '') && (!want.setup || r.setup.some((s) => want.setup!.test(s)));
    return { name, ok, test: r.test, setup: r.setup };
  });
  const wrong = results.filter((r) => !r.ok);
  expect(wrong, JSON.stringify(wrong, null, 1)).toEqual([]);
});

it('reads CI steps the way a person would: comments dropped, `make -C dir target` is no test, push workflows first', async () => {
  const { ciTestCommands } = await import('../../src/repo/ci-commands.ts');
  const { RepoFiles } = await import('../../src/repo/repo-files.ts');
  const dir = tempDir('pw-ci-');
  fs.mkdirSync(path.join(dir, '.github/workflows'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.github/workflows/a-nightly.yml'), 'jobs:\n  slow:\n    steps:\n      - run: make test-slow # nightly only\n      - run: make check\n');
  fs.writeFileSync(
    path.join(dir, '.github/workflows/ci.yml'),
    'jobs:\n  unit:\n    steps:\n      - run: make -C tests/modules 32bit # build helpers\n      - run: make -j4 V=1\n      - run: |\n          echo "# not a comment"\n          ./runtest --tags -slow   # the suite\n',
  );
  const found = ciTestCommands(new RepoFiles(dir));
  expect(found.map((c) => [c.file, c.command, c.setup.map((s) => s.command)])).toEqual([
    ['.github/workflows/ci.yml', './runtest --tags -slow', ['make -j4 V=1']],
    ['.github/workflows/a-nightly.yml', 'make check', []],
  ]);
});
