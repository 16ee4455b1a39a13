import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { validateConfig } from '../github/config/validate-config.ts';
import { inspectRepo, type InspectResult, type Overrides } from '../repo/inspect.ts';

/** `patchwright inspect [DIR] [--json]`: what Patchwright will run in a checkout, and why. */
export async function inspectCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { json: { type: 'boolean' } }, allowPositionals: true });
  const dir = path.resolve(positionals[0] ?? '.');
  const overrides = readOverrides(dir);
  if ('error' in overrides) {
    process.stderr.write(`${overrides.error}\n`);
    return 2;
  }
  let result: InspectResult;
  try {
    result = inspectRepo(dir, overrides);
  } catch (error) {
    process.stderr.write(`patchwright inspect: ${(error as Error).message}\n`);
    return 2;
  }
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : render(dir, result));
  return 0;
}

function readOverrides(dir: string): Overrides | { error: string } {
  const file = path.join(dir, '.github', 'agent.yml');
  if (!fs.existsSync(file)) return {};
  let raw: unknown;
  try {
    raw = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch {
    return { error: '.github/agent.yml is not valid YAML' };
  }
  const res = validateConfig(raw);
  if (!res.ok) return { error: `.github/agent.yml is invalid:\n${res.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}` };
  return { setup: res.config.setup, test: res.config.test, lint: res.config.lint };
}

function render(dir: string, r: InspectResult): string {
  const ev = (e: { file: string; line: number } | null) => (e ? `  (${e.file}:${e.line})` : '');
  const lines = [
    `Repository: ${dir}`,
    `Languages:  ${r.languages.join(', ') || 'none found'}`,
    `Packages:   ${r.packageManager ?? 'none'}`,
    `Setup:      ${r.setup.length ? r.setup.map((s, i) => `${s}${ev(r.evidence.setup[i] ?? null)}`).join('\n            ') : 'nothing'}`,
    `Test:       ${r.test ? `${r.test}${ev('file' in r.evidence.test ? r.evidence.test : null)}` : `none: ${'reason' in r.evidence.test ? r.evidence.test.reason : ''}`}`,
    `Lint:       ${r.lint ? `${r.lint}${ev(r.evidence.lint)}` : 'none'}`,
    `Instructions: ${r.instructions.join(', ') || 'none'}`,
    ...r.warnings.map((w) => `Warning: ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}
