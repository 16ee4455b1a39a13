import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * Commit subjects since the rule was made (CONTRIBUTING.md): at most 72 characters, `area: summary`.
 * Older history is left as it was written.
 */
const RULE_FROM = '281d50119549cb7522f562f02527dc4c6bc783d3';
const FORM = /^[a-z0-9][a-z0-9./_-]*(?:, [a-z0-9][a-z0-9./_-]*)*: \S/i;

function subjects(): string[] | null {
  try {
    execFileSync('git', ['cat-file', '-e', `${RULE_FROM}^{commit}`], { stdio: 'ignore' });
  } catch {
    return null;
  }
  return execFileSync('git', ['log', '--format=%s', `${RULE_FROM}..HEAD`], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
}

describe('commit subjects', () => {
  it('are at most 72 characters, in `area: summary` form', () => {
    const list = subjects();
    // A checkout without that history (a shallow clone) has nothing to check; the full clone CI makes has it.
    if (list === null) return;
    expect(list.filter((s) => s.length > 72 || !FORM.test(s))).toEqual([]);
  });
});
