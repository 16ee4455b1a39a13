import { describe, expect, it } from 'vitest';
import { canonicalAddress, classifyAddress, ipv6Bytes } from '../../../src/adapters/egress/address-class.ts';

/**
 * The invariant: no address of the host's loopback, link-local, private or CGNAT ranges is
 * `public`, whatever its spelling (IPv4-mapped, NAT64, 6to4, compatible, zero-padded); the
 * unspecified, multicast and reserved ranges are `never`. Every range is checked at its first,
 * last and a middle address, in every spelling that reaches it.
 */
const INTERNAL_V4: Array<[string, string, string]> = [
  ['10.0.0.0', '10.255.255.255', '10.20.30.40'],
  ['100.64.0.0', '100.127.255.255', '100.100.100.200'],
  ['127.0.0.0', '127.255.255.255', '127.0.0.1'],
  ['169.254.0.0', '169.254.255.255', '169.254.169.254'],
  ['172.16.0.0', '172.31.255.255', '172.20.0.1'],
  ['192.0.0.0', '192.0.0.255', '192.0.0.8'],
  ['192.168.0.0', '192.168.255.255', '192.168.1.1'],
  ['198.18.0.0', '198.19.255.255', '198.18.0.1'],
];
const NEVER_V4: Array<[string, string, string]> = [
  ['0.0.0.0', '0.255.255.255', '0.0.0.1'],
  ['224.0.0.0', '239.255.255.255', '224.0.0.251'],
  ['240.0.0.0', '255.255.255.255', '250.1.2.3'],
];
const PUBLIC_V4 = [
  '1.1.1.1',
  '8.8.8.8',
  '9.255.255.255',
  '11.0.0.0',
  '100.63.255.255',
  '100.128.0.0',
  '126.255.255.255',
  '128.0.0.0',
  '169.253.255.255',
  '169.255.0.0',
  '172.15.255.255',
  '172.32.0.0',
  '192.167.255.255',
  '192.169.0.0',
  '198.17.255.255',
  '198.20.0.0',
  '223.255.255.255',
  '203.0.113.80',
  '192.0.2.2',
];

/** Every IPv6 spelling that reaches an IPv4 address. */
const spellings = (v4: string) => {
  const [a, b, c, d] = v4.split('.').map(Number) as [number, number, number, number];
  const hex = (x: number, y: number) => ((x << 8) | y).toString(16);
  return [
    v4,
    `::ffff:${v4}`,
    `::ffff:${hex(a, b)}:${hex(c, d)}`,
    `0:0:0:0:0:ffff:${v4}`,
    `64:ff9b::${v4}`,
    `64:ff9b::${hex(a, b)}:${hex(c, d)}`,
    `2002:${hex(a, b)}:${hex(c, d)}::1`,
  ];
};

describe('which addresses the egress proxy may connect to', () => {
  it.each(INTERNAL_V4)('%s-%s is internal in every spelling (first, last, middle)', (first, last, mid) => {
    for (const a of [first, last, mid].flatMap(spellings)) expect(classifyAddress(a).kind, a).toBe('internal');
  });

  it.each(NEVER_V4)('%s-%s is never reachable in every spelling', (first, last, mid) => {
    for (const a of [first, last, mid].flatMap(spellings)) expect(classifyAddress(a).kind, a).toBe('never');
  });

  it('public IPv4 addresses, just outside each range, stay public in every spelling', () => {
    for (const a of PUBLIC_V4.flatMap(spellings)) expect(classifyAddress(a).kind, a).toBe('public');
  });

  it('IPv6: loopback, link-local, unique local and site-local are internal; unspecified, multicast and discard never', () => {
    for (const a of [
      '::1',
      '0:0:0:0:0:0:0:1',
      '0000:0000:0000:0000:0000:0000:0000:0001',
      'fe80::1',
      'fe80::1%eth0',
      'febf:ffff::1',
      'fc00::1',
      'fd00::2',
      'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      'fec0::1',
    ]) {
      expect(classifyAddress(a).kind, a).toBe('internal');
    }
    for (const a of ['::', '0:0:0:0:0:0:0:0', 'ff02::1', 'ff05::1:3', '100::1'])
      expect(classifyAddress(a).kind, a).toBe('never');
    for (const a of ['2606:4700:4700::1111', '2001:4860:4860::8888', 'fe7f:ffff::1', 'fbff::1'])
      expect(classifyAddress(a).kind, a).toBe('public');
  });

  it('what is not an address is never reachable', () => {
    for (const a of ['localhost', '', '1.2.3', '::g', '1.2.3.4.5', '[::1]'])
      expect(classifyAddress(a).kind, a).toBe('never');
  });

  it("spells each address one way, so that a set of the host's addresses can be looked up", () => {
    expect(canonicalAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(canonicalAddress('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(canonicalAddress('0:0::1')).toBe(canonicalAddress('::1'));
    expect(canonicalAddress('FD00:0::2')).toBe(canonicalAddress('fd00::2'));
    expect(ipv6Bytes('1::2:3.4.5.6')).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 4, 5, 6]);
  });
});
