import type { ChangedFile } from '../../core/ports.ts';
import { addedLines, utf16Text } from '../../core/loop/line-changes.ts';

/** Patterns for credentials that must never be pushed. Names only are ever reported. */
const PATTERNS: Array<{ name: string; re: RegExp }> = [
  { name: 'private key', re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/ },
  // No word boundary in front: a token glued to other text (the end of a minified line) is still one.
  { name: 'GitHub token', re: /(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})/ },
  // Kept on a boundary: words like "risk-management-..." would look like a key.
  { name: 'OpenAI key', re: /\bsk-(proj-|svcacct-|admin-|ant-)?[A-Za-z0-9_-]{32,}/ },
  { name: 'AWS access key', re: /(AKIA|ASIA)[0-9A-Z]{16}/ },
  { name: 'Google API key', re: /AIza[0-9A-Za-z_-]{35}/ },
  { name: 'Slack token', re: /xox[abposr]-[0-9A-Za-z-]{10,}/ },
  { name: 'Stripe secret key', re: /[sr]k_live_[0-9A-Za-z]{20,}/ },
  { name: 'npm token', re: /npm_[A-Za-z0-9]{36}/ },
  { name: 'GitLab token', re: /glpat-[0-9A-Za-z_-]{20,}/ },
  { name: 'Hugging Face token', re: /\bhf_[A-Za-z0-9]{34,}/ },
];

export interface SecretFinding {
  path: string;
  /** The line of the newer file; absent for a path or a file that could not be read. */
  line?: number;
  kind: string;
}

/** A value the deployment holds: text, or raw bytes (the dashboard's session key). */
export type KnownSecret = string | Uint8Array;

/** Text with anything that looks like a credential replaced by a marker naming its kind. */
export function scanTextForSecrets(text: string): string {
  let out = text;
  for (const p of PATTERNS) out = out.replace(new RegExp(p.re.source, 'g'), `[${p.name} removed]`);
  return out;
}

/**
 * What a change adds that looks like a credential or is one of the deployment's own secret
 * values: each file's new contents compared with its old ones line by line (never diff text, so
 * nothing hides behind `-diff`, a binary file or a line that reads like a diff header), read as
 * bytes and, where the bytes say so, as UTF-16; paths and the commit message too. Known values
 * are also found base64- and hex-encoded.
 */
export function scanChangeForSecrets(
  files: ChangedFile[],
  known: KnownSecret[] = [],
  texts: Array<{ where: string; text: string }> = [],
): SecretFinding[] {
  const needles = knownNeedles(known);
  const findings: SecretFinding[] = [];
  // A path can be the secret itself: it is reported masked.
  const mask = (p: string) => needles.reduce((t, n) => t.split(n).join('[REDACTED]'), scanTextForSecrets(p));
  const check = (text: string) =>
    PATTERNS.find((p) => p.re.test(text))?.name ??
    (needles.some((n) => text.includes(n)) ? 'secret of this app' : null);
  for (const t of texts) {
    const kind = check(t.text);
    if (kind) findings.push({ path: t.where, kind });
  }
  for (const f of files) {
    const pathKind = check(f.path);
    if (pathKind) findings.push({ path: mask(f.path), kind: `${pathKind} in its name` });
    if (!f.after || f.after.mode === '160000') continue;
    if (f.after.truncated) {
      findings.push({ path: mask(f.path), kind: 'file too large to be scanned for secrets' });
      continue;
    }
    const [before, after] = [
      f.before && !f.before.truncated ? asBuffer(f.before.bytes) : Buffer.alloc(0),
      asBuffer(f.after.bytes),
    ];
    const views: Array<[string, string]> = [[before.toString('latin1'), after.toString('latin1')]];
    const wide = utf16Text(after);
    if (wide !== null) views.push([utf16Text(before) ?? '', wide]);
    let found = false;
    for (const [old, now] of views) {
      const hit = addedLines(old, now)
        .map((l) => ({ line: l.line, kind: check(l.text) }))
        .find((h) => h.kind);
      if (hit) {
        findings.push({ path: mask(f.path), line: hit.line, kind: hit.kind! });
        found = true;
        break;
      }
    }
    // A known value with line breaks in it (raw key bytes) is looked for in the whole file: more of it than before is new.
    const [old, now] = views[0]!;
    const spread = found ? undefined : needles.find((n) => /[\r\n]/.test(n) && count(now, n) > count(old, n));
    if (spread)
      findings.push({
        path: mask(f.path),
        line: now.slice(0, now.indexOf(spread)).split('\n').length,
        kind: 'secret of this app',
      });
  }
  return findings;
}

function count(hay: string, needle: string): number {
  let n = 0;
  for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + 1)) n++;
  return n;
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * Each known value as it can appear in a line read byte for byte (latin1), or as text: itself,
 * base64 (standard and URL-safe, at the three alignments a prefix can give it) and hex.
 */
function knownNeedles(known: KnownSecret[]): string[] {
  const out = new Set<string>();
  for (const k of known) {
    const bytes = typeof k === 'string' ? Buffer.from(k, 'utf8') : asBuffer(k);
    if (bytes.length < 8) continue;
    out.add(bytes.toString('latin1'));
    if (typeof k === 'string') out.add(k);
    out.add(bytes.toString('hex'));
    out.add(bytes.toString('hex').toUpperCase());
    for (let skip = 0; skip < 3; skip++) {
      // Started on a 3-byte boundary and cut to whole groups, its encoding is the same whatever surrounds it.
      const whole = bytes.subarray(skip, skip + Math.floor((bytes.length - skip) / 3) * 3);
      for (const enc of ['base64', 'base64url'] as const) out.add(whole.toString(enc));
    }
  }
  return [...out].filter((n) => n.length >= 8);
}
