import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { tempDir } from '../support/app-harness.ts';
import { scoreCorpus, scoreTable } from './corpus-score.ts';
import { EXPECTED } from './real-repos.expected.ts';

it('finds the test command of real repositories: at least 90% of the corpus, no ecosystem below 75%', () => {
  const results = scoreCorpus();
  const table = scoreTable(results);
  const wrong = results.filter((r) => !r.ok).map((r) => `${r.name}: got ${r.test ?? 'none'} (${r.why})`);
  console.log(
    table.map((r) => `${r.ecosystem.padEnd(7)} ${r.right}/${r.total}`).join('\n'),
    `\nwrong:\n${wrong.join('\n')}`,
  );
  expect(results.length).toBeGreaterThanOrEqual(40);
  for (const row of table.filter((r) => r.ecosystem !== 'all')) {
    expect(row.total, row.ecosystem).toBeGreaterThanOrEqual(5);
    expect(row.right / row.total, `${row.ecosystem}: ${row.right}/${row.total}`).toBeGreaterThanOrEqual(0.75);
  }
  const all = table.at(-1)!;
  expect(all.right / all.total, wrong.join('\n')).toBeGreaterThanOrEqual(0.9);
  // Thousands of small files written and read: minutes when other test runs load the machine's disk and cores.
}, 300_000);

it('every corpus repository has its fixture, and every fixture is scored', () => {
  const fixtures = fs
    .readdirSync('fixtures/real-repos')
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''));
  expect(fixtures.sort()).toEqual(Object.keys(EXPECTED).sort());
});

it('reads CI steps the way a person would: comments dropped, `make -C dir target` is no test, push workflows first', async () => {
  const { inspectRepo } = await import('../../src/repo/inspect.ts');
  const dir = tempDir('pw-ci-');
  fs.mkdirSync(path.join(dir, '.github/workflows'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, '.github/workflows/a-nightly.yml'),
    'jobs:\n  slow:\n    steps:\n      - run: make test-slow # nightly only\n      - run: make check\n',
  );
  fs.writeFileSync(
    path.join(dir, '.github/workflows/ci.yml'),
    'jobs:\n  unit:\n    steps:\n      - run: make -C tests/modules 32bit # build helpers\n      - run: make -j4 V=1\n      - run: |\n          echo "# not a comment"\n          ./runtest --tags -slow   # the suite\n',
  );
  const r = inspectRepo(dir);
  expect(r.test).toBe('./runtest --tags -slow');
  expect(r.setup).toEqual(['make -j4 V=1']);
  expect(r.candidates.map((c) => [c.file, c.command, c.setAside ?? null])).toEqual([
    ['.github/workflows/ci.yml', './runtest --tags -slow', null],
    ['.github/workflows/a-nightly.yml', 'make test-slow', '`test-slow` is a special-purpose run, not the whole suite'],
    ['.github/workflows/a-nightly.yml', 'make check', 'its CI job `slow` is special-purpose'],
  ]);
});
