import type { ChangedFile } from '../../core/ports.ts';
import { addedLines, utf16Text } from '../../core/loop/line-changes.ts';

/** Patterns for credentials that must never be pushed. Names only are ever reported. */
const PATTERNS: Array<{ name: string; re: RegExp }> = [
  { name: 'private key', re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/ },
  { name: 'GitHub token', re: /\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})\b/ },
  { name: 'OpenAI key', re: /\bsk-(proj-|svcacct-|admin-|ant-)?[A-Za-z0-9_-]{32,}\b/ },
  { name: 'AWS access key', re: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'Google API key', re: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { name: 'Slack token', re: /\bxox[abposr]-[0-9A-Za-z-]{10,}\b/ },
  { name: 'Stripe secret key', re: /\b[sr]k_live_[0-9A-Za-z]{20,}\b/ },
  { name: 'npm token', re: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { name: 'GitLab token', re: /\bglpat-[0-9A-Za-z_-]{20,}\b/ },
  { name: 'Hugging Face token', re: /\bhf_[A-Za-z0-9]{34,}\b/ },
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
export function scanChangeForSecrets(files: ChangedFile[], known: KnownSecret[] = [], texts: Array<{ where: string; text: string }> = []): SecretFinding[] {
  const needles = knownNeedles(known);
  const findings: SecretFinding[] = [];
  const check = (text: string) => PATTERNS.find((p) => p.re.test(text))?.name ?? (needles.some((n) => text.includes(n)) ? 'secret of this app' : null);
  for (const t of texts) {
    const kind = check(t.text);
    if (kind) findings.push({ path: t.where, kind });
  }
  for (const f of files) {
    const pathKind = check(f.path);
    if (pathKind) findings.push({ path: f.path, kind: `${pathKind} in its name` });
    if (!f.after || f.after.mode === '160000') continue;
    if (f.after.truncated) {
      findings.push({ path: f.path, kind: 'file too large to be scanned for secrets' });
      continue;
    }
    const [before, after] = [f.before && !f.before.truncated ? asBuffer(f.before.bytes) : Buffer.alloc(0), asBuffer(f.after.bytes)];
    const views: Array<[string, string]> = [[before.toString('latin1'), after.toString('latin1')]];
    const wide = utf16Text(after);
    if (wide !== null) views.push([utf16Text(before) ?? '', wide]);
    for (const [old, now] of views) {
      const hit = addedLines(old, now).map((l) => ({ line: l.line, kind: check(l.text) })).find((h) => h.kind);
      if (hit) {
        findings.push({ path: f.path, line: hit.line, kind: hit.kind! });
        break;
      }
    }
  }
  return findings;
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
