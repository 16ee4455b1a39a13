import { describe, expect, it } from 'vitest';
import { SandboxUsers } from '../../src/adapters/sandbox/sandbox-users.ts';

describe('a host user per running job', () => {
  it('jobs of different repositories get different users; jobs of one repository share one', () => {
    const users = new SandboxUsers(61000, 3);
    const a = users.lease('o/a');
    const b = users.lease('o/b');
    const a2 = users.lease('o/a');
    expect(a.uid).not.toBe(b.uid);
    expect(a2.uid).toBe(a.uid);
    for (const l of [a, b]) expect(l.uid >= 61000 && l.uid < 61003).toBe(true);
  });

  it('a user is free again once every job holding it ended (release twice is harmless)', () => {
    const users = new SandboxUsers(61000, 2);
    const a = users.lease('o/a');
    const a2 = users.lease('o/a');
    const b = users.lease('o/b');
    a.release();
    a.release();
    // Still held by a2: a third repository cannot have it, so it shares in turn.
    const c = users.lease('o/c');
    expect([a.uid, b.uid]).toContain(c.uid);
    a2.release();
    c.release();
    const d = users.lease('o/d');
    expect(d.uid).not.toBe(b.uid);
  });

  it('a repository gets back the user it had last, or the one that owns its caches, when free', () => {
    const users = new SandboxUsers(61000, 4);
    const first = users.lease('o/a');
    first.release();
    users.lease('o/b').release();
    expect(users.lease('o/a').uid).toBe(first.uid);
    expect(users.lease('o/fresh', 61003).uid).toBe(61003);
    // An owner outside the range (the caches of an older version, root's) is not used.
    expect(users.lease('o/old', 0).uid).not.toBe(0);
    // A preferred user another repository holds is not shared.
    expect(users.lease('o/other', 61003).uid).not.toBe(61003);
  });

  it('with every user taken, jobs share users in turn rather than wait', () => {
    const users = new SandboxUsers(61000, 2);
    const uids = ['a', 'b', 'c', 'd'].map((r) => users.lease(`o/${r}`).uid);
    expect(new Set(uids)).toEqual(new Set([61000, 61001]));
  });

  it('an empty or invalid range is refused', () => {
    expect(() => new SandboxUsers(61000, 0)).toThrow(/at least one user/);
    expect(() => new SandboxUsers(0, 2)).toThrow(/at least one user/);
  });
});
