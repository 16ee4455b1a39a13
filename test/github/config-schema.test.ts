import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, SCHEMA_PATH } from '../../src/protocol/config-json-schema.ts';
import { validateConfig } from '../../src/protocol/validate-config.ts';

describe('config schema', () => {
  it('matches the committed JSON Schema (run `npm run schema` after changing the zod schema)', () => {
    expect(fs.readFileSync(SCHEMA_PATH, 'utf8')).toBe(configJsonSchema());
  });

  it('documents every top-level key in docs/configuration/agent-yml.md', () => {
    const readme = fs.readFileSync('docs/configuration/agent-yml.md', 'utf8');
    const keys = Object.keys(JSON.parse(configJsonSchema()).properties as object);
    for (const key of keys) expect(readme, key).toMatch(new RegExp(`\\| \`${key}(\\.\\w+)*\` \\|`));
  });

  it('returns every problem at once, with its key path', () => {
    const res = validateConfig({ label: 'two words', budgets: { maxTurns: 0, extra: 1 } });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.problems.map((p) => p.path).sort()).toEqual(['budgets.extra', 'budgets.maxTurns', 'label']);
  });

  it('rejects a document that is not a mapping', () => {
    expect(validateConfig(['a'])).toMatchObject({ ok: false, problems: [{ path: '(root)' }] });
  });
});
