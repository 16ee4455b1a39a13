/**
 * CI's values in a command, from the `env:` its step sees (workflow, job, step, and the step's
 * own `export` lines): `${{ env.X }}`, `$X`, `${X}`, `${X:-default}`. A value that is itself only
 * CI's (`${{ matrix.features }}`, a secret, GitHub's own variables) stays as written, for the
 * caller to set aside or drop; nothing inside single quotes is touched, as in the shell.
 */
export function resolveCiValues(
  command: string,
  env: Record<string, string> | undefined,
): { command: string; resolved: string[] } {
  if (!env || !/\$/.test(command)) return { command, resolved: [] };
  const resolved = new Set<string>();
  const value = (name: string, depth = 0): string | undefined => {
    const raw = env[name];
    if (raw === undefined || depth > 3) return undefined;
    const inner = expand(raw, (n) => value(n, depth + 1));
    return /\$/.test(inner) ? undefined : inner;
  };
  const out = expand(command, (name) => {
    const v = value(name);
    if (v !== undefined) resolved.add(name);
    return v;
  });
  return { command: out, resolved: [...resolved] };
}

/** `s` with each known reference replaced, outside single quotes. */
function expand(s: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === "'" && quote !== '"') quote = quote ? null : "'";
    if (ch === '"' && quote !== "'") quote = quote ? null : '"';
    if (ch !== '$' || quote === "'") {
      out += ch;
      continue;
    }
    const rest = s.slice(i);
    const m =
      /^\$\{\{\s*env\.([A-Za-z_]\w*)\s*\}\}/.exec(rest) ??
      /^\$\{([A-Za-z_]\w*)(?::?-([^}]*))?\}/.exec(rest) ??
      /^\$([A-Za-z_]\w*)/.exec(rest);
    const v = m ? (lookup(m[1]!) ?? (m[0].startsWith('${') && !m[0].startsWith('${{') ? m[2] : undefined)) : undefined;
    if (m && v !== undefined) {
      out += v;
      i += m[0].length - 1;
    } else out += ch;
  }
  return out;
}
