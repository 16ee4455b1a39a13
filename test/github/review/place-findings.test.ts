import { describe, expect, it } from 'vitest';
import { commentableLines, rangeFits } from '../../../src/github/review/diff-lines.ts';
import { withoutRepeats } from '../../../src/github/review/earlier-comments.ts';
import { fenceFor, placeFindings, type Finding } from '../../../src/github/review/place-findings.ts';

const diff = [
  'diff --git a/src/math.js b/src/math.js',
  'index 1111111..2222222 100644',
  '--- a/src/math.js',
  '+++ b/src/math.js',
  '@@ -1,4 +1,5 @@',
  ' // math',
  '-exports.add = (a, b) => a - b;',
  '+exports.add = (a, b) => a + b;',
  '+exports.mul = (a, b) => a * b;',
  ' exports.sub = (a, b) => a - b;',
  ' exports.div = (a, b) => a / b;',
  '@@ -20,3 +21,3 @@ function helper() {',
  ' const x = 1;',
  '-const y = 2;',
  '+const y = 3;',
  ' const z = 4;',
  'diff --git a/old.txt b/old.txt',
  'deleted file mode 100644',
  '--- a/old.txt',
  '+++ /dev/null',
  '@@ -1,2 +0,0 @@',
  '-gone',
  '-also gone',
  '',
].join('\n');

const f = (over: Partial<Finding>): Finding => ({
  path: 'src/math.js',
  line: 2,
  severity: 'major',
  title: 't',
  body: 'b',
  ...over,
});
const id = (t: string) => t;

describe('commentable lines', () => {
  const files = commentableLines(diff);
  it('knows new-side lines (added and context) and old-side lines (deleted and context), hunk by hunk', () => {
    const m = files.get('src/math.js')!;
    expect([...m.lines.values()].filter((l) => l.side === 'RIGHT').map((l) => `${l.line}${l.kind[0]}`)).toEqual([
      '1c',
      '2a',
      '3a',
      '4c',
      '5c',
      '21c',
      '22a',
      '23c',
    ]);
    expect([...m.lines.values()].filter((l) => l.side === 'LEFT').map((l) => `${l.line}${l.kind[0]}`)).toEqual([
      '1c',
      '2d',
      '3c',
      '4c',
      '20c',
      '21d',
      '22c',
    ]);
    expect(files.get('old.txt')!.lines.size).toBe(2);
  });
  it('a range stays inside one hunk', () => {
    expect(rangeFits(files, 'src/math.js', 'RIGHT', 2, 5)).toBe(true);
    expect(rangeFits(files, 'src/math.js', 'RIGHT', 5, 21)).toBe(false);
    expect(rangeFits(files, 'src/math.js', 'RIGHT', 6, 7)).toBe(false);
  });
  it('reads the patch of one file from the PR files API (no diff --git header)', () => {
    const one = commentableLines('@@ -1,2 +1,2 @@\n a\n-b\n+c', 'x.py');
    expect(one.get('x.py')!.lines.get('RIGHT:2')!.kind).toBe('added');
  });
});

describe('placing findings', () => {
  const files = commentableLines(diff);
  it('places a finding on a changed line, a range in one hunk, and a deleted line on the LEFT', () => {
    const p = placeFindings([f({ line: 3, startLine: 2 }), f({ line: 21, side: 'LEFT' }), f({ line: 22 })], files, id);
    expect(p.unplaced).toEqual([]);
    expect(p.inline.map((i) => i.comment)).toEqual([
      expect.objectContaining({ path: 'src/math.js', line: 3, side: 'RIGHT', start_line: 2, start_side: 'RIGHT' }),
      expect.objectContaining({ line: 21, side: 'LEFT' }),
      expect.objectContaining({ line: 22, side: 'RIGHT' }),
    ]);
    expect(p.inline[2]!.comment).not.toHaveProperty('start_line');
  });
  it('a line outside the diff, or a file the PR does not change, goes to the summary with the reason', () => {
    const p = placeFindings([f({ line: 10 }), f({ path: 'README.md', line: 1 })], files, id);
    expect(p.inline).toEqual([]);
    expect(p.unplaced.map((u) => u.why)).toEqual([
      'line 10 of src/math.js is not in the diff',
      'README.md is not changed by this pull request',
    ]);
  });
  it('a suggestion is a fenced block longer than any backtick run in it; never on the old side or on a range that cannot be placed', () => {
    const p = placeFindings(
      [
        f({ suggestion: 'exports.add = (a, b) => `${a}```;' }),
        f({ line: 21, side: 'LEFT', suggestion: 'x' }),
        f({ line: 21, startLine: 5, suggestion: 'y' }),
      ],
      files,
      id,
    );
    expect(p.inline[0]!.comment.body).toContain('````suggestion\nexports.add = (a, b) => `${a}```;\n````');
    expect(p.inline[1]!.comment.body).not.toContain('suggestion');
    expect(p.inline[2]!.comment.body).not.toContain('suggestion');
    expect(fenceFor('no ticks')).toBe('```');
  });
  it('every posted part goes through the sanitizer it is given', () => {
    const p = placeFindings([f({ title: '@team look', body: 'ping @x', proof: 'npm test' })], files, (t) =>
      t.replace(/@/g, '(at)'),
    );
    expect(p.inline[0]!.comment.body).not.toContain('@');
  });
});

describe('repeats', () => {
  it('drops a finding already made nearby in mostly the same words, and a repeat inside one review', () => {
    const earlier = [
      {
        path: 'src/math.js',
        line: 2,
        body: '**major:** add subtracts\n\nThe add function subtracts its operands instead of adding them.',
      },
    ];
    const same = f({
      line: 3,
      title: 'add subtracts',
      body: 'The add function subtracts its operands instead of adding them',
    });
    const other = f({ line: 22, title: 'y changed', body: 'y is now three; the config reader expects two' });
    const r = withoutRepeats([same, other, { ...other }], earlier);
    expect(r.fresh).toEqual([other]);
    expect(r.repeated).toBe(2);
  });
});
