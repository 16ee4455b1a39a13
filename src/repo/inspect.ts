import fs from 'node:fs';
import path from 'node:path';
import { agentSetup } from './agent-setup.ts';
import { ciTestCommands } from './ci-commands.ts';
import { detectGo, detectJava, detectMake, detectRuby, detectRust } from './detect-compiled.ts';
import { detectNode } from './detect-node.ts';
import { detectPython } from './detect-python.ts';
import type { Detected, EcosystemFinding, Evidence } from './detection.ts';
import { instructionFiles } from './instructions.ts';
import { RepoFiles } from './repo-files.ts';

export interface Overrides {
  setup?: string[] | undefined;
  test?: string | undefined;
  lint?: string | undefined;
}

export interface InspectResult {
  languages: string[];
  packageManager: string | null;
  setup: string[];
  test: string | null;
  lint: string | null;
  evidence: { setup: Evidence[]; test: Evidence | { reason: string }; lint: Evidence | null };
  instructions: string[];
  warnings: string[];
}

export class InspectError extends Error {
  readonly code = 'inspect_failed';
}

const EXT_LANG: Record<string, string> = {
  '.js': 'javascript', '.mjs': 'javascript', '.cjs': 'javascript', '.ts': 'typescript', '.tsx': 'typescript',
  '.py': 'python', '.go': 'go', '.rs': 'rust', '.java': 'java', '.kt': 'kotlin', '.rb': 'ruby',
  '.c': 'c', '.h': 'c', '.cc': 'c++', '.cpp': 'c++', '.cs': 'c#', '.php': 'php', '.swift': 'swift',
};

/** What Patchwright will run in a checkout, and why. `.github/agent.yml` overrides win. */
export function inspectRepo(dir: string, overrides: Overrides = {}): InspectResult {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new InspectError(`${dir} is not a directory`);
  const repo = new RepoFiles(dir);
  const warnings: string[] = [];
  if (!fs.existsSync(path.join(repo.root, '.git'))) warnings.push('not a git checkout: Patchwright runs need one');
  const { files, truncated } = repo.walk();
  if (truncated) warnings.push(`large tree: only the first ${files.length} files were looked at`);
  if (files.length === 0) warnings.push('the checkout is empty');

  const counts = languageCounts(files);
  const findings = [detectNode(repo), detectPython(repo, files), detectGo(repo), detectRust(repo), detectJava(repo), detectRuby(repo)]
    .filter((f): f is EcosystemFinding => f !== undefined)
    .sort((a, b) => (counts.get(b.language) ?? 0) - (counts.get(a.language) ?? 0));
  const make = detectMake(repo);
  const primary = findings[0];
  const ci = ciTestCommands(repo);

  const agents = agentSetup(repo);
  const picked = pickTest(overrides, ci, findings, make, agents.test);
  // CI's `npm test` runs a script that lints first: the same tests, without the lint step.
  const nodeSplit = findings.find((f) => f.test && /without its lint step/.test(f.test.evidence.why))?.test;
  const test = !overrides.test && 'command' in picked && nodeSplit && /^(npm|pnpm|yarn|bun)( run)? test$/.test(picked.command) ? { command: nodeSplit.command, evidence: { ...picked.evidence, why: `${picked.evidence.why}; ${nodeSplit.evidence.why}` } } : picked;
  // A test step that CI runs after a build step (`make`, then `./runtest`) needs that build first.
  const ciBuild = !overrides.test && 'command' in test && ci[0]?.command === test.command ? ci[0].setup : [];
  const setup: Detected[] = overrides.setup
    ? overrides.setup.map((c) => ({ command: c, evidence: overrideEvidence('setup') }))
    : agents.setup.length
      ? agents.setup
      : [...(primary?.setup ?? []), ...ciBuild.map((b) => ({ command: b.command, evidence: { file: b.file, line: b.line, why: 'CI builds with it before the tests' } }))];
  const lint: Detected | null = overrides.lint
    ? { command: overrides.lint, evidence: overrideEvidence('lint') }
    : (primary?.lint ?? make?.lint ?? null);

  const languages = unique([...findings.map((f) => f.language), ...[...counts.entries()].filter(([, n]) => n >= 3).sort((a, b) => b[1] - a[1]).map(([l]) => l)]);
  return {
    languages,
    packageManager: primary?.packageManager ?? null,
    setup: setup.map((s) => s.command),
    test: 'command' in test ? test.command : null,
    lint: lint?.command ?? null,
    evidence: { setup: setup.map((s) => s.evidence), test: 'command' in test ? test.evidence : test, lint: lint?.evidence ?? null },
    instructions: instructionFiles(repo, files),
    warnings,
  };
}

function pickTest(overrides: Overrides, ci: ReturnType<typeof ciTestCommands>, findings: EcosystemFinding[], make: EcosystemFinding | undefined, stated: Detected | null): Detected | { reason: string } {
  if (overrides.test) return { command: overrides.test, evidence: overrideEvidence('test') };
  if (stated) return stated;
  const fromCi = ci[0];
  if (fromCi) return { command: fromCi.command, evidence: { file: fromCi.file, line: fromCi.line, why: 'the repository’s CI runs it' } };
  const found = findings.find((f) => f.test)?.test ?? make?.test;
  if (found) return found;
  const reasons = [...findings, ...(make ? [make] : [])].map((f) => f.testReason).filter(Boolean);
  return { reason: reasons.length ? reasons.join('; ') : 'no build or test configuration was found' };
}

function overrideEvidence(key: string): Evidence {
  return { file: '.github/agent.yml', line: 1, why: `${key} set in the repository config` };
}

function languageCounts(files: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of files) {
    const lang = EXT_LANG[path.extname(f)];
    if (lang) counts.set(lang, (counts.get(lang) ?? 0) + 1);
  }
  return counts;
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
