import { describe, expect, it } from 'vitest';
import { decideHost, parseAllowList, parseEntry, type AllowEntry } from '../../../src/adapters/egress/allow-list.ts';
import { egressFirewall, egressSettingsFrom } from '../../../src/adapters/egress/egress-policy.ts';
import { EGRESS_PRESETS, PRESET_NAMES } from '../../../src/adapters/egress/presets.ts';
import { readSettings } from '../../../src/adapters/env/read-settings.ts';
import { RepoConfig } from '../../../src/protocol/repo-config.ts';

describe('the egress allow-list', () => {
  it('reads presets, hosts, *.suffix, IP addresses and ports; a default of every registry preset', () => {
    expect(parseEntry('npm').map((e) => e.host)).toEqual([...EGRESS_PRESETS.npm]);
    expect(parseEntry('registry.example.com')).toEqual([
      { host: 'registry.example.com', wildcard: false, port: null, explicit: false, from: 'registry.example.com' },
    ]);
    expect(parseEntry('*.Example.COM.')[0]).toMatchObject({
      host: 'example.com',
      wildcard: true,
      port: null,
      explicit: false,
    });
    expect(parseEntry('localhost:4873')[0]).toMatchObject({ host: 'localhost', port: 4873, explicit: true });
    expect(parseEntry('127.0.0.1:4873')[0]).toMatchObject({ host: '127.0.0.1', port: 4873, explicit: true });
    expect(parseEntry('[::1]:4873')[0]).toMatchObject({ port: 4873, explicit: true });
    expect(parseEntry('*.corp.example:8443')[0]).toMatchObject({ wildcard: true, port: 8443, explicit: false });
    expect(parseAllowList('none')).toEqual([]);
    const d = egressSettingsFrom({}).allow.map((e) => e.from);
    expect([...new Set(d)]).toEqual(PRESET_NAMES);
  });

  it.each([
    ['bogus', /neither a preset/],
    ['localhost', /needs a port/],
    ['host:0', /not a port/],
    ['host:65536', /not a port/],
    ['host:http', /not a port/],
    ['*.1.2.3.4', /not a host name/],
    ['exa%mple.com', /not a host name/],
    ['https://user:pw@example.com/', /without a scheme, credentials or path/],
    ['http://example.com', /not a host name/],
    ['-bad-.com', /not a host name/],
  ])('refuses %s with a message that names it and the fix', (entry, why) => {
    expect(() => parseAllowList(entry)).toThrow(why);
    expect(() => readSettings({ PATCHWRIGHT_EGRESS_ALLOW: `npm,${entry}` })).toThrow(
      /PATCHWRIGHT_EGRESS_ALLOW: egress entry/,
    );
    let message = '';
    try {
      parseAllowList(entry);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).not.toContain('pw@');
  });

  it('a port-less entry allows CONNECT to 443 and plain HTTP to 80 only; a port allows that port for both', () => {
    const allow = { deployment: parseAllowList('a.example,b.example:8080,*.c.example'), repository: null };
    const ok = (h: string, p: number, k: 'connect' | 'http') => decideHost(allow, h, p, k).ok;
    expect([
      ok('a.example', 443, 'connect'),
      ok('a.example', 80, 'http'),
      ok('a.example', 80, 'connect'),
      ok('a.example', 8443, 'connect'),
      ok('a.example', 443, 'http'),
    ]).toEqual([true, true, false, false, false]);
    expect([ok('b.example', 8080, 'connect'), ok('b.example', 8080, 'http'), ok('b.example', 443, 'connect')]).toEqual([
      true,
      true,
      false,
    ]);
    expect([
      ok('x.c.example', 443, 'connect'),
      ok('y.x.c.example', 443, 'connect'),
      ok('c.example', 443, 'connect'),
      ok('evilc.example', 443, 'connect'),
    ]).toEqual([true, true, false, false]);
    expect(ok('a.example.evil.com', 443, 'connect')).toBe(false);
  });

  it('only an explicit host with a port may reach an internal address', () => {
    const d = (list: string) =>
      decideHost({ deployment: parseAllowList(list), repository: null }, 'localhost', 4873, 'connect');
    expect(d('localhost:4873')).toEqual({ ok: true, internalOk: true });
    expect(
      decideHost(
        { deployment: parseAllowList('*.internal.example:4873'), repository: null },
        'r.internal.example',
        4873,
        'connect',
      ),
    ).toEqual({ ok: true, internalOk: false });
    expect(
      decideHost({ deployment: parseAllowList('10.0.0.5'), repository: null }, '10.0.0.5', 443, 'connect'),
    ).toEqual({ ok: true, internalOk: false });
  });

  /**
   * The invariant: a repository's list can only narrow. Every request over a grid of hosts,
   * ports and kinds, for every pair of deployment and repository lists drawn from a pool: what
   * the narrowed policy allows, the deployment's alone allows too, and an internal address is
   * reachable only when the deployment's own explicit entry says so.
   */
  it('a repository list never widens the deployment list (every combination of a pool of lists)', () => {
    const pool = [
      'none',
      'npm',
      'pypi',
      'npm,pypi',
      '*.example.com',
      'a.example.com',
      'a.example.com:8080',
      'localhost:4873',
      '*.example.com:4873',
      '127.0.0.1:4873',
      'evil.test',
      'crates,go,maven,rubygems',
    ];
    const hosts = [
      'registry.npmjs.org',
      'pypi.org',
      'a.example.com',
      'b.example.com',
      'example.com',
      'localhost',
      '127.0.0.1',
      'evil.test',
      'crates.io',
    ];
    const ports = [80, 443, 4873, 8080];
    let checked = 0;
    for (const dep of pool) {
      for (const repo of pool) {
        const deployment = parseAllowList(dep);
        const narrowed = { deployment, repository: parseAllowList(repo) };
        for (const h of hosts)
          for (const p of ports)
            for (const k of ['connect', 'http'] as const) {
              const n = decideHost(narrowed, h, p, k);
              const alone = decideHost({ deployment, repository: null }, h, p, k);
              checked++;
              if (n.ok) {
                expect(alone.ok, `${dep} narrowed by ${repo} allowed ${h}:${p}`).toBe(true);
                expect(n.internalOk).toBe(alone.ok && alone.internalOk);
              }
            }
      }
    }
    expect(checked).toBe(pool.length ** 2 * hosts.length * ports.length * 2);
  });

  it('.github/agent.yml: sandbox.egress is checked by the schema, and entries that do not parse only narrow further', async () => {
    expect(
      RepoConfig.parse({ sandbox: { egress: ['npm', '*.example.com', 'localhost:4873', '[::1]:80'] } }).sandbox.egress,
    ).toHaveLength(4);
    expect(RepoConfig.safeParse({ sandbox: { egress: ['http://x'] } }).success).toBe(false);
    expect(RepoConfig.safeParse({ sandbox: { egress: ['a b'] } }).success).toBe(false);
    const fw = egressFirewall(egressSettingsFrom({ PATCHWRIGHT_EGRESS_ALLOW: 'npm,pypi' }), [
      'pypi',
      'bogus',
      'x:99999',
    ]);
    const allow = fw.policy.allow;
    expect(allow.repository!.map((e: AllowEntry) => e.host)).toEqual([...EGRESS_PRESETS.pypi]);
    expect(decideHost(allow, 'registry.npmjs.org', 443, 'connect')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('sandbox.egress'),
    });
    expect(decideHost(allow, 'pypi.org', 443, 'connect').ok).toBe(true);
    // An empty list means: nothing.
    expect(decideHost(egressFirewall(egressSettingsFrom({}), []).policy.allow, 'pypi.org', 443, 'connect').ok).toBe(
      false,
    );
  });
});
