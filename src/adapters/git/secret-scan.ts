/** Patterns for credentials that must never be pushed. Names only are ever reported. */
const PATTERNS: Array<{ name: string; re: RegExp }> = [
  { name: 'private key', re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { name: 'GitHub token', re: /\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})\b/ },
  { name: 'OpenAI key', re: /\bsk-(proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,}\b/ },
  { name: 'AWS access key', re: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'Google API key', re: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { name: 'Slack token', re: /\bxox[abposr]-[0-9A-Za-z-]{10,}\b/ },
  { name: 'Stripe secret key', re: /\b[sr]k_live_[0-9A-Za-z]{20,}\b/ },
];

export interface SecretFinding {
  path: string;
  line: number;
  kind: string;
}

/** Text with anything that looks like a credential replaced by a marker naming its kind. */
export function scanTextForSecrets(text: string): string {
  let out = text;
  for (const p of PATTERNS) out = out.replace(new RegExp(p.re.source, 'g'), `[${p.name} removed]`);
  return out;
}

/** Scans the added lines of a unified diff (`git diff -U0`) for credentials. */
export function scanDiffForSecrets(diff: string, knownSecrets: string[] = []): SecretFinding[] {
  const known = knownSecrets.filter((s) => s.length >= 8);
  const findings: SecretFinding[] = [];
  let file = '';
  let line = 0;
  for (const text of diff.split('\n')) {
    if (text.startsWith('+++ ')) {
      file = text.slice(4).replace(/^b\//, '');
      continue;
    }
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)/.exec(text);
    if (hunk) {
      line = Number(hunk[1]);
      continue;
    }
    if (text.startsWith('+')) {
      const hit = PATTERNS.find((p) => p.re.test(text));
      if (hit) findings.push({ path: file, line, kind: hit.name });
      else if (known.some((s) => text.includes(s))) findings.push({ path: file, line, kind: 'secret of this app' });
      line++;
    }
  }
  return findings;
}
