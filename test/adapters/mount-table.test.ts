import { describe, expect, it } from 'vitest';
import {
  checkMounts,
  UnsafeMountError,
  withParents,
  withShields,
  type Mount,
} from '../../src/adapters/sandbox/mount-table.ts';

/**
 * checkMounts against every kind of mount in every position relative to a writable bind: the
 * rules a table must pass before bwrap sees it (bwrap makes mount points with `mkdir -p` and a
 * file with `creat()`, both through any link a sandbox left in a writable folder).
 */
const W = '/data/runs/1/tmp';
const WT = '/data/wt/1';
const writable = [W, WT, '/data/cache/o--r'];
const base: Mount[] = [
  { op: 'bind', source: W, dest: '/tmp', via: 'fd', type: 'dir' },
  { op: 'bind', source: WT, dest: WT, via: 'fd', type: 'dir' },
];
const kinds = (dest: string): Array<[string, Mount]> => [
  ['ro-bind of a folder', { op: 'ro-bind', source: '/data/mirrors/o/r.git', dest, via: 'fd', type: 'dir' }],
  ['ro-bind of a file', { op: 'ro-bind', source: '/usr/share/x', dest, via: 'path', type: 'file' }],
  ['bind', { op: 'bind', source: '/data/cache/o--r', dest, via: 'fd', type: 'dir' }],
  ['content', { op: 'data', dest, data: 'x' }],
  ['tmpfs', { op: 'tmpfs', dest, bytes: 1024, perms: '0755' }],
  ['dir', { op: 'dir', dest }],
  ['symlink', { op: 'symlink', dest, target: '/usr/bin' }],
];
const check = (m: Mount[]) => () => checkMounts(m, writable, [`${WT}/.git`]);

describe('checkMounts', () => {
  it.each(kinds('/tmp/a/b'))('refuses a %s two levels inside a writable bind', (_, m) => {
    expect(check([...base, m])).toThrow(UnsafeMountError);
  });

  it.each(kinds('/tmp/a/b'))('accepts a %s two levels inside a writable bind once a shield is first', (_, m) => {
    expect(check(withParents(withShields([...base, m])))).not.toThrow();
  });

  it.each(kinds('/tmp/a').filter(([k]) => !['ro-bind of a file', 'content'].includes(k)))(
    'accepts a %s one level inside a writable bind',
    (_, m) => {
      expect(check([...base, m])).not.toThrow();
    },
  );

  it.each([
    ['a file ro-bind', kinds('/tmp/a')[1]![1]],
    ['content', kinds('/tmp/a')[3]![1]],
  ])('refuses %s one level inside a writable bind', (_, m) => {
    expect(check([...base, m])).toThrow(/a file inside the writable/);
  });

  it('allows the worktree’s own .git as content, or as a folder by descriptor, and nothing else there', () => {
    expect(check([...base, { op: 'data', dest: `${WT}/.git`, data: 'gitdir: x\n' }])).not.toThrow();
    expect(
      check([...base, { op: 'ro-bind', source: `${WT}/.git`, dest: `${WT}/.git`, via: 'fd', type: 'dir' }]),
    ).not.toThrow();
    expect(
      check([...base, { op: 'ro-bind', source: `${WT}/.git`, dest: `${WT}/.git`, via: 'path', type: 'dir' }]),
    ).toThrow(/cannot be a mount source/);
    expect(check([...base, { op: 'data', dest: `${WT}/.gitmodules`, data: 'x' }])).toThrow(
      /a file inside the writable/,
    );
  });

  it.each(writable)('refuses any source inside %s, by path or by descriptor, read-only or not', (w) => {
    for (const via of ['path', 'fd'] as const) {
      for (const op of ['bind', 'ro-bind'] as const)
        expect(check([{ op, source: `${w}/x`, dest: '/opt/x', via, type: 'dir' }])).toThrow(
          /which a sandbox can write/,
        );
    }
  });

  it('refuses writable binds inside one another', () => {
    expect(() =>
      checkMounts(
        [
          { op: 'bind', source: '/a', dest: '/a', via: 'fd', type: 'dir' },
          { op: 'bind', source: '/a/b', dest: '/x', via: 'fd', type: 'dir' },
        ],
        [],
      ),
    ).toThrow(/cannot nest/);
  });

  it('does not mind anything inside a fresh tmpfs or a read-only bind', () => {
    const table: Mount[] = [
      ...base,
      { op: 'tmpfs', dest: '/tmp/s', bytes: 1024, perms: '0755' },
      ...kinds('/tmp/s/a/b').map(([, m]) => m),
    ];
    expect(check(table)).not.toThrow();
  });

  it('withShields refuses a mount made inside a place that a later mount covers (it would be hidden, and the shield’s remount would take the later one)', () => {
    expect(() =>
      withShields([
        ...base,
        { op: 'data', dest: '/tmp/p/q/config', data: '' },
        { op: 'bind', source: '/data/wt/2', dest: '/tmp/p', via: 'fd', type: 'dir' },
      ]),
    ).toThrow(/mounted later and would hide it/);
  });

  it('withShields puts one read-only tmpfs on the first level, before the first mount below it, and nothing for a direct child', () => {
    const t = withShields([
      ...base,
      { op: 'dir', dest: '/tmp/a' },
      { op: 'ro-bind', source: '/m', dest: '/tmp/p/q/r', via: 'fd', type: 'dir' },
      { op: 'data', dest: '/tmp/p/z', data: '' },
    ]);
    expect(t.filter((m) => m.op === 'tmpfs').map((m) => m.dest)).toEqual(['/tmp/p']);
    expect(t.findIndex((m) => m.dest === '/tmp/p')).toBeLessThan(t.findIndex((m) => m.dest === '/tmp/p/q/r'));
    expect(t.at(-1)).toEqual({ op: 'remount-ro', dest: '/tmp/p' });
  });
});
