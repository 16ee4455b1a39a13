import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../src/adapters/env/settings-schema.ts';
import { GENERATED } from '../../scripts/render-docs.ts';

/** Names read from an environment that are not the app's settings, each with the reason. */
const NOT_SETTINGS: Record<string, string> = {
  HOME: "the process user's home, for the CLI's default data dir and the docker CLI",
  PATH: 'where programs are found',
  LANG: 'the locale passed into the sandbox',
  XDG_RUNTIME_DIR: "the docker/podman CLI's runtime folder",
  REDIS_URL: 'a common name a deployment may hold a Redis password in: read only to redact it',
  USER: 'who ran `patchwright run`, for the record the dashboard shows',
  MAVEN_ARGS: "a sandboxed command's own Maven flags, which the egress proxy settings extend",
  TOXENV: "a CI step's own environment (a workflow `env:`), not the app's",
  NOXSESSION: "a CI step's own environment (a workflow `env:`), not the app's",
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('generated docs', () => {
  for (const [file, render] of Object.entries(GENERATED)) {
    it(`${file} is what the schema says (run \`npm run docs\` after changing it)`, () => {
      expect(fs.readFileSync(file, 'utf8')).toBe(render());
    });
  }

  it('every environment variable read in src/ is a documented setting (or named here as not one)', () => {
    const known = new Set(Object.keys(SettingsSchema.shape));
    const unknown = new Set<string>();
    for (const file of sourceFiles('src')) {
      const text = fs.readFileSync(file, 'utf8');
      // Reads of `env.NAME`, `env['NAME']`, `process.env.NAME`; not writes (`env.NAME = ...`) of the sandbox's own env.
      for (const m of text.matchAll(/\benv\??(?:\.([A-Z][A-Z0-9_]+)\b|\[['"]([A-Z][A-Z0-9_]+)['"]\])(?!\s*=[^=])/g)) {
        const name = m[1] ?? m[2]!;
        if (!known.has(name) && !(name in NOT_SETTINGS)) unknown.add(`${name} (${file})`);
      }
    }
    expect([...unknown]).toEqual([]);
  });
});
