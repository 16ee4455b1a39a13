import net from 'node:net';

/**
 * What an IP address is, for the egress firewall. `public` may be reached when the allow-list
 * names the host; `internal` (the host's loopback, link-local, private and CGNAT ranges) only
 * through an entry the deployment wrote with an explicit host and port; `never` (unspecified,
 * multicast, broadcast and reserved space, which on Linux can mean "this host") not at all.
 *
 * Documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24) are not routed on the
 * internet and are not a host's internal network either: they count as public (some test
 * networks, this project's CI among them, put their package registries there).
 */
export type AddressClass = { kind: 'public' } | { kind: 'internal'; range: string } | { kind: 'never'; range: string };

type Range = { bytes: number[]; bits: number; name: string; kind: 'internal' | 'never' };

const v4 = (cidr: string, name: string, kind: 'internal' | 'never'): Range => {
  const [a, b] = cidr.split('/');
  return { bytes: a!.split('.').map(Number), bits: Number(b), name, kind };
};

const V4: Range[] = [
  v4('0.0.0.0/8', '0.0.0.0/8 (this host)', 'never'),
  v4('10.0.0.0/8', 'private 10.0.0.0/8', 'internal'),
  v4('100.64.0.0/10', 'CGNAT 100.64.0.0/10', 'internal'),
  v4('127.0.0.0/8', 'loopback 127.0.0.0/8', 'internal'),
  v4('169.254.0.0/16', 'link-local 169.254.0.0/16', 'internal'),
  v4('172.16.0.0/12', 'private 172.16.0.0/12', 'internal'),
  v4('192.0.0.0/24', 'IETF protocol assignments 192.0.0.0/24', 'internal'),
  v4('192.168.0.0/16', 'private 192.168.0.0/16', 'internal'),
  v4('198.18.0.0/15', 'benchmarking 198.18.0.0/15', 'internal'),
  v4('224.0.0.0/4', 'multicast 224.0.0.0/4', 'never'),
  v4('240.0.0.0/4', 'reserved 240.0.0.0/4', 'never'),
];

const v6 = (prefix: number[], bits: number, name: string, kind: 'internal' | 'never'): Range => ({
  bytes: prefix,
  bits,
  name,
  kind,
});

const V6: Range[] = [
  v6([0xfe, 0x80], 10, 'link-local fe80::/10', 'internal'),
  v6([0xfe, 0xc0], 10, 'site-local fec0::/10', 'internal'),
  v6([0xfc], 7, 'unique local fc00::/7', 'internal'),
  v6([0xff], 8, 'multicast ff00::/8', 'never'),
  v6([0x01, 0x00, 0, 0, 0, 0, 0, 0], 64, 'discard 100::/64', 'never'),
];

function matches(addr: number[], r: Range): boolean {
  for (let bit = 0; bit < r.bits; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((addr[byte] ?? 0) & mask) !== ((r.bytes[byte] ?? 0) & mask)) return false;
  }
  return true;
}

function classifyV4(bytes: number[]): AddressClass {
  if (bytes.every((b) => b === 255)) return { kind: 'never', range: 'broadcast 255.255.255.255' };
  for (const r of V4) if (matches(bytes, r)) return { kind: r.kind, range: r.name };
  return { kind: 'public' };
}

/** The 16 bytes of an IPv6 address (zone ids dropped), or null when it is not one. */
export function ipv6Bytes(address: string): number[] | null {
  const plain = address.replace(/%.*$/, '');
  if (net.isIPv6(plain) === false) return null;
  let head = plain;
  const tailV4: number[] = [];
  const dotted = /:(\d+\.\d+\.\d+\.\d+)$/.exec(plain);
  if (dotted) {
    tailV4.push(...dotted[1]!.split('.').map(Number));
    head = `${plain.slice(0, dotted.index)}:0:0`;
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const groups = (s: string | undefined) => (s ? s.split(':').filter((g) => g !== '') : []);
  const l = groups(left);
  const r = groups(right);
  const fill = right === undefined ? [] : Array.from({ length: 8 - l.length - r.length }, () => '0');
  const all = [...l, ...fill, ...r].map((g) => parseInt(g, 16));
  if (all.length !== 8 || all.some((g) => !(g >= 0 && g <= 0xffff))) return null;
  const bytes = all.flatMap((g) => [g >> 8, g & 0xff]);
  if (tailV4.length) bytes.splice(12, 4, ...tailV4);
  return bytes;
}

/** Classifies an IP address; for names, resolve first. Addresses that carry an IPv4 address inside are judged by it. */
export function classifyAddress(address: string): AddressClass {
  if (net.isIPv4(address)) return classifyV4(address.split('.').map(Number));
  const b = ipv6Bytes(address);
  if (!b) return { kind: 'never', range: 'not an IP address' };
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zero(0, 16)) return { kind: 'never', range: 'unspecified ::' };
  if (zero(0, 15) && b[15] === 1) return { kind: 'internal', range: 'loopback ::1' };
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16) reach an IPv4 address.
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return classifyV4(b.slice(12, 16));
  if (zero(0, 12)) return classifyV4(b.slice(12, 16));
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(4, 12))
    return classifyV4(b.slice(12, 16));
  if (b[0] === 0x20 && b[1] === 0x02) return classifyV4(b.slice(2, 6));
  for (const r of V6) if (matches(b, r)) return { kind: r.kind, range: r.name };
  return { kind: 'public' };
}

/** One spelling per address, so that a set of them can be checked with `has`. */
export function canonicalAddress(address: string): string {
  if (net.isIPv4(address)) return address;
  const b = ipv6Bytes(address);
  if (!b) return address.toLowerCase();
  if (b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return b.slice(12).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return groups.join(':');
}
