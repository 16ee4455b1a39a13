import { describe, expect, it } from 'vitest';
import { parseIssuesFile } from '../../src/eval/issues-file.ts';
import { namedTestsCommand } from '../../src/eval/named-command.ts';
import { withoutPaths } from '../../src/eval/run-task.ts';

describe('namedTestsCommand: the repository’s own command, asked to name each test', () => {
  it.each([
    ['python -m unittest', 'python -m unittest -v'],
    ['python3 -m unittest discover -s tests -p "*_test.py"', 'python3 -m unittest discover -s tests -p "*_test.py" -v'],
    ['PYTHONPATH=src python -m unittest', 'PYTHONPATH=src python -m unittest -v'],
    ['python -m unittest -v', 'python -m unittest -v'],
    ['python -m pytest', 'python -m pytest -rA'],
    ['uv run pytest tests', 'uv run pytest tests -rA'],
    ['pytest -q -rfE', 'pytest -q -rfE -rA'],
    ['pytest -v', 'pytest -v'],
    ['go test ./...', 'go test -v ./...'],
    ['go test -race ./...', 'go test -v -race ./...'],
    ['go test -json ./...', 'go test -json ./...'],
    ['npx vitest run', 'npx vitest run --reporter=verbose'],
    ['vitest run --reporter=dot', 'vitest run --reporter=dot'],
    ['cargo test -q --workspace', 'cargo test --workspace'],
    ['node --test', 'node --test'],
    ['npm test', 'npm test'],
    ['tox -e pytest', 'tox -e pytest'],
    ['make test', 'make test'],
    ['python -m pytest && echo done', 'python -m pytest && echo done'],
    ['pytest | tee log', 'pytest | tee log'],
  ])('%s → %s', (given, expected) => {
    expect(namedTestsCommand(given)).toBe(expected);
  });
});

describe('parseIssuesFile', () => {
  it.each([
    [
      'gh issue list --json number,title,body',
      '[{"number":12,"title":"Crash on empty input","body":"It crashes."},{"number":13,"title":"No body","body":null}]',
    ],
    [
      'an object keyed by number',
      '{"12":{"title":"Crash on empty input","body":"It crashes."},"13":{"title":"No body"}}',
    ],
    [
      'one JSON object a line',
      '{"number":12,"title":"Crash on empty input","body":"It crashes."}\n{"number":"13","title":"No body"}\n',
    ],
  ])('%s', (_n, text) => {
    expect([...parseIssuesFile(text, 'issues.json')]).toEqual([
      [12, { title: 'Crash on empty input', body: 'It crashes.' }],
      [13, { title: 'No body', body: '' }],
    ]);
  });

  it.each([
    ['not JSON', 'number,title\n12,x\n', /issues\.json line 1 is not JSON: give the output of `gh issue list/],
    [
      'an entry without a title',
      '[{"number":12}]',
      /issues\.json, entry 1: each issue needs a number and a title \(title: /,
    ],
    ['a JSON scalar', '42', /neither a list of issues nor an object keyed by issue number/],
  ])('%s: a message that names the file and the fix', (_n, text, message) => {
    expect(() => parseIssuesFile(text, 'issues.json')).toThrow(message);
  });
});

describe('withoutPaths: what a run did to the fix’s test files is dropped before the fix’s tests go on', () => {
  const section = (p: string, body = '@@ -1 +1 @@\n-a\n+b\n') =>
    `diff --git a/${p} b/${p}\nindex 1111111..2222222 100644\n--- a/${p}\n+++ b/${p}\n${body}`;
  it('drops the sections of those files, keeps the others byte for byte', () => {
    const patch = section('src/x.py') + section('tests/test_x.py') + section('tests/data/new.toml');
    expect(withoutPaths(patch, ['tests/test_x.py', 'tests/data/new.toml'])).toBe(section('src/x.py'));
  });

  it.each([
    [
      'a new file',
      'diff --git a/tests/t.py b/tests/t.py\nnew file mode 100644\nindex 0000000..2222222\n--- /dev/null\n+++ b/tests/t.py\n@@ -0,0 +1 @@\n+x\n',
    ],
    [
      'a deleted file',
      'diff --git a/tests/t.py b/tests/t.py\ndeleted file mode 100644\nindex 2222222..0000000\n--- a/tests/t.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n',
    ],
    [
      'a binary file (no --- lines)',
      'diff --git a/tests/t.py b/tests/t.py\nindex 1111111..2222222 100644\nGIT binary patch\nliteral 3\nKcmZQzWMT#Y01f~L\n\nliteral 0\nKcmV+b0RR6000031\n\n',
    ],
    ['a mode change only', 'diff --git a/tests/t.py b/tests/t.py\nold mode 100644\nnew mode 100755\n'],
    [
      'a name git quotes',
      'diff --git "a/tests/t\\303\\251.py" "b/tests/t\\303\\251.py"\nindex 1111111..2222222 100644\n--- "a/tests/t\\303\\251.py"\n+++ "b/tests/t\\303\\251.py"\n@@ -1 +1 @@\n-a\n+b\n',
    ],
  ])('%s', (_n, part) => {
    const keep = section('src/x.py');
    const name = part.includes('303') ? 'tests/té.py' : 'tests/t.py';
    expect(withoutPaths(keep + part, [name])).toBe(keep);
  });
});
