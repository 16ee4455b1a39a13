import fs from 'node:fs';
import { parseDocument } from 'yaml';
import path from 'node:path';
import { agentSetup } from './agent-setup.ts';
import { ciCommands, stripComment } from './ci-commands.ts';
import { detectGo, detectGradle, detectJava, detectMake, detectRuby, detectRust } from './detect-compiled.ts';
import { detectNode, withoutLint } from './detect-node.ts';
import { detectPython } from './detect-python.ts';
import { detectAutotools, detectCMake, detectRunners } from './detect-runners.ts';
import type { Detected, EcosystemFinding, Evidence } from './detection.ts';
import { instructionFiles } from './instructions.ts';
import { type Candidate, isTestDirRun, pickTest } from './pick-test.ts';
import { RepoFiles } from './repo-files.ts';
import { isTestCommand, normaliseCommand, rakeDefaultReason } from './test-commands.ts';
import { toolchainRequirements } from './toolchain.ts';
import { projectEnvironment } from './python-environment.ts';
import type { ProjectEnvironment, ToolchainRequirement } from '../protocol/toolchain.ts';

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
  /** Every test command considered, the picked one first among its source, each set-aside one with why. */
  candidates: Candidate[];
  /** The toolchain versions the repository asks for (.nvmrc, engines, .python-version, go.mod, rust-toolchain). */
  toolchain: ToolchainRequirement[];
  /** Where the commands run: a Python project's virtual environment, made before setup. */
  environment: ProjectEnvironment;
  instructions: string[];
  warnings: string[];
}

export class InspectError extends Error {
  readonly code = 'inspect_failed';
}

const EXT_LANG: Record<string, string> = {
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.ts': 'typescript',
  '.tsx': 'typescript',
  '.py': 'python',
  '.go': 'go',
  '.rs': 'rust',
  '.java': 'java',
  '.kt': 'kotlin',
  '.rb': 'ruby',
  '.c': 'c',
  '.h': 'c',
  '.cc': 'c++',
  '.cpp': 'c++',
  '.cs': 'c#',
  '.php': 'php',
  '.swift': 'swift',
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
  warnings.push(...unreadableWorkflows(repo));

  const counts = languageCounts(files);
  const findings = [
    detectNode(repo),
    detectPython(repo, files),
    detectGo(repo),
    detectRust(repo),
    detectJava(repo),
    repo.exists('pom.xml') ? detectGradle(repo) : undefined,
    detectRuby(repo),
  ]
    .filter((f): f is EcosystemFinding => f !== undefined)
    .sort((a, b) => (counts.get(b.language) ?? 0) - (counts.get(a.language) ?? 0));
  const make = detectMake(repo);
  const cmake = detectCMake(repo);
  const autotools = detectAutotools(repo);
  const runners = detectRunners(repo);
  const primary = findings[0];
  const allCi = ciCommands(repo);

  const agents = agentSetup(repo);
  const testScript = (command: string, cwd: string | undefined) => runsTestsInside(repo, command, cwd);
  const rakefile = repo.read('Rakefile');
  const noxfile = repo.read('noxfile.py');
  // Several Go modules (go.work, nested go.mod): `go test ./...` at the top reaches only the first; the Makefile's target runs them all.
  const goModules = repo.exists('go.work') || files.filter((f) => /(^|\/)go\.mod$/.test(f)).length > 1;
  const ordered =
    goModules && make?.test
      ? [make, ...findings.filter((f) => f.language !== 'go'), ...findings.filter((f) => f.language === 'go')]
      : [...findings, make];
  // A C or C++ project with a few Python or JavaScript files beside (libffi's emscripten tests): its own build's tests first.
  const cCount = (counts.get('c') ?? 0) + (counts.get('c++') ?? 0);
  const compiledFirst =
    !!primary && !['c', 'c++'].includes(primary.language) && cCount > (counts.get(primary.language) ?? 0);
  const project = (
    compiledFirst ? [make, cmake, autotools, ...ordered.filter((f) => f !== make)] : [...ordered, cmake, autotools]
  )
    .concat(runners)
    .filter((f): f is EcosystemFinding => !!f?.test);
  const picked = pickTest(
    {
      ...(overrides.test ? { override: { command: overrides.test, evidence: overrideEvidence('test') } } : {}),
      stated: agents.tests,
      ci: allCi.filter(
        (c) =>
          isTestCommand(c.command) ||
          isTestCommand(runnable(c.command)) ||
          isTestDirRun(c.command, c.cwd) ||
          !!testScript(c.command, c.cwd),
      ),
      project: project.map((f) => f.test!),
    },
    allCi,
    {
      noxSessions: noxSessions(noxfile),
      scripts: packageScripts(repo.read('package.json')),
      pythonRunner: ({ poetry: 'poetry run ', uv: 'uv run ' } as Record<string, string>)[
        findings.find((f) => f.language === 'python')?.packageManager ?? ''
      ],
      testScript,
      reason: (command) =>
        rakeDefaultReason(command, rakefile) ??
        condaReason(command, noxfile) ??
        makePartReason(command, repo) ??
        toxEnvReason(command, repo.read('tox.ini')),
    },
  );
  // CI's `npm test` runs a script that lints first: the same tests, without the lint step.
  const nodeSplit = findings.find((f) => f.test && /without its lint step/.test(f.test.evidence.why))?.test;
  const found = picked.test;
  // CI's `npm run test-ci` whose script lints first (`npm run lint && npm run borp`): the same split.
  const scripts = packageScripts(repo.read('package.json'));
  const ciScript = found && /^(npm|pnpm|yarn|bun) run ([\w:-]+)$/.exec(found.command);
  const ciSplit = !overrides.test && ciScript && scripts?.[ciScript[2]!] ? withoutLint(scripts[ciScript[2]!]!) : null;
  const test: Detected | { reason: string } = !found
    ? { reason: noTestReason([...findings, make, cmake]) }
    : !overrides.test && nodeSplit && /^(npm|pnpm|yarn|bun)( run)? test$/.test(found.command)
      ? {
          command: nodeSplit.command,
          evidence: { ...found.evidence, why: `${found.evidence.why}; ${nodeSplit.evidence.why}` },
        }
      : ciSplit
        ? {
            command: ciSplit.test,
            evidence: {
              ...found.evidence,
              why: `${found.evidence.why}; scripts.${ciScript![2]} without its lint step (${ciSplit.lint})`,
            },
          }
        : found;
  // The project's own install step, then the build CI runs before its tests (`./configure`, `cmake -B build`, `make`).
  // The install step of the ecosystem whose tool runs the tests (Gradle's beside Maven's, a Makefile's, CMake's).
  const testFinding =
    project.find((f) => f.test?.command === found?.command) ??
    (found
      ? findings.find((f) => f !== primary && f.test && toolOf(f.test.command) === toolOf(found.command))
      : undefined);
  // What the repository tells agents to run replaces the install step, never the build the tests need.
  const build = !found
    ? []
    : picked.ciSetup.length
      ? picked.ciSetup
      : testFinding?.packageManager === 'cmake'
        ? testFinding.setup
        : [];
  const install = agents.setup.length
    ? agents.setup
    : testFinding && testFinding !== primary && testFinding.packageManager !== 'cmake'
      ? testFinding.setup
      : primary?.packageManager === 'cmake'
        ? []
        : (primary?.setup ?? []);
  const setup: Detected[] = overrides.setup
    ? overrides.setup.map((c) => ({ command: c, evidence: overrideEvidence('setup') }))
    : [...install, ...build.filter((b) => !install.some((i) => i.command === b.command))];
  // `tox -e py` or `python -m nox -s tests` from CI, where nothing the setup runs installs it: CI's own step did (`pip install tox`).
  const runner =
    'command' in test && !overrides.setup ? /^(python3? -m )?(tox|nox)\b/.exec(test.command)?.[2] : undefined;
  if (runner && 'evidence' in test && !setup.some((s) => new RegExp(`\\b${runner}\\b`).test(s.command)))
    setup.push({
      command: `${setup.some((s) => /^uv /.test(s.command)) ? 'uv pip' : 'python -m pip'} install ${runner}`,
      evidence: { ...test.evidence, why: `the tests run through ${runner}` },
    });
  // `meson test -C build` where CI configured build/ in a script of its own: configure it here (meson test builds what it needs).
  const mesonDir =
    'command' in test && !overrides.setup ? /^meson test\b.*\s-C\s*(\S+)/.exec(test.command)?.[1] : undefined;
  if (mesonDir && repo.exists('meson.build') && !setup.some((s) => /meson setup/.test(s.command)))
    setup.push({
      command: `meson setup ${mesonDir}`,
      evidence: { file: 'meson.build', line: 1, why: `meson test needs ${mesonDir}/ configured` },
    });
  const lint: Detected | null = overrides.lint
    ? { command: overrides.lint, evidence: overrideEvidence('lint') }
    : (primary?.lint ?? make?.lint ?? null);

  const languages = unique([
    ...findings.map((f) => f.language),
    ...[...counts.entries()]
      .filter(([, n]) => n >= 3)
      .sort((a, b) => b[1] - a[1])
      .map(([l]) => l),
  ]);
  return {
    languages,
    packageManager: primary?.packageManager ?? null,
    setup: setup.map((s) => s.command),
    test: 'command' in test ? test.command : null,
    lint: lint?.command ?? null,
    evidence: {
      setup: setup.map((s) => s.evidence),
      test: 'command' in test ? test.evidence : test,
      lint: lint?.evidence ?? null,
    },
    candidates: picked.candidates,
    toolchain: toolchainRequirements(repo),
    environment: projectEnvironment(
      repo,
      [...counts].sort((a, b) => b[1] - a[1])[0]?.[0],
      setup.map((s) => s.command),
      'command' in test ? test.command : null,
    ),
    instructions: instructionFiles(repo, files),
    warnings,
  };
}

function packageScripts(text: string | undefined): Record<string, string> | undefined {
  try {
    const scripts = (JSON.parse(text ?? 'null') as { scripts?: unknown } | null)?.scripts;
    return scripts && typeof scripts === 'object' ? (scripts as Record<string, string>) : undefined;
  } catch {
    return undefined;
  }
}

/** The sessions a noxfile defines: each `def name(session...)`, or the `name=` its decorator gives. */
function noxSessions(text: string | undefined): string[] {
  if (!text) return [];
  const named = [...text.matchAll(/@(?:nox\.)?session\((?:[^()]|\([^()]*\))*?name\s*=\s*["']([\w-]+)["']/g)].map(
    (m) => m[1]!,
  );
  return [...named, ...[...text.matchAll(/^def (\w+)\s*\(\s*session\b/gm)].map((m) => m[1]!)];
}

/** Workflows that are not valid YAML: GitHub would not run them either, so their steps are only a hint. */
function unreadableWorkflows(repo: RepoFiles): string[] {
  return repo
    .list('.github/workflows')
    .filter((f) => /\.ya?ml$/.test(f))
    .flatMap((f) => {
      const text = repo.read(`.github/workflows/${f}`);
      if (text === undefined) return [];
      const doc = parseDocument(text, { uniqueKeys: false });
      const error = doc.errors[0];
      return error
        ? [
            `.github/workflows/${f} is not valid YAML (${error.message.split('\n')[0]}); its steps were read line by line`,
          ]
        : [];
    });
}

/**
 * The test command a repository script ends with, when `command` runs one of the repository's own
 * scripts (`ci/check.sh`, `uv run bash tools/ci`): the script is then the command, since it sets
 * what the tests need (values, paths) before it runs them, and bare pytest would lose that. A
 * script that ends otherwise (a build, a report) is not a test run, whatever it calls on the way.
 */
function runsTestsInside(repo: RepoFiles, command: string, cwd: string | undefined): string | null {
  const words = command
    .replace(/^((uv|poetry|pdm|pipenv|hatch) run( --?[\w-]+(=\S+)?)* )?((bash|sh) )?/, '')
    .split(/\s+/);
  const script = words[0] ?? '';
  if (!/^(\.\/)?[\w.-]+(\/[\w.-]+)+$|^\.\/[\w.-]+$/.test(script)) return null;
  const rel = `${cwd && /^[\w.][\w./-]*$/.test(cwd) ? `${cwd}/` : ''}${script.replace(/^\.\//, '')}`;
  const text = repo.read(rel);
  if (!text || text.length > 64 * 1024) return null;
  const last = text
    .split('\n')
    .map((l) => stripComment(l.trim()))
    .filter((l) => l && !/^(set|exit|wait|echo|printf|fi|done|esac|\}|\))(\s|$)/.test(l))
    .at(-1);
  const run = last
    ?.replace(/"?\$\{?@\}?"?|"?\$\*"?/g, '')
    .replace(/^exec\s+/, '')
    .trim();
  return run && isTestCommand(run) ? run : null;
}

/** The program a command runs, past `cd dir &&` and environment assignments. */
function toolOf(command: string): string {
  return command
    .replace(/^cd \S+ && /, '')
    .replace(/^([A-Za-z_]\w*=\S*\s+)+/, '')
    .split(/\s+/)[0]!
    .replace(/^\.\//, '')
    .replace(/w$/, '');
}

/** `make -C tests test-lz4` where that Makefile has a plain `test` target: one part of it. */
function makePartReason(command: string, repo: RepoFiles): string | null {
  const m = /^make\b(.*?)\s((test|check)[-_:][\w:-]+)(\s|$)/.exec(command);
  if (!m) return null;
  const dir = /\s-C\s*(\S+)/.exec(m[1]!)?.[1]?.replace(/\/$/, '');
  const makefile = ['Makefile', 'GNUmakefile', 'makefile']
    .map((f) => (dir ? `${dir}/${f}` : f))
    .find((f) => repo.exists(f));
  const parent = m[3]!;
  if (!makefile || !new RegExp(`^${parent}\\s*:`, 'm').test(repo.read(makefile) ?? '')) return null;
  return `one part of \`make ${dir ? `-C ${dir} ` : ''}${parent}\``;
}

/**
 * `tox -e run-module` where tox.ini gives that environment commands of its own that run no test
 * runner (`python -c '... --version'`): a smoke check, not the tests. Environments that inherit
 * `[testenv]`'s commands are the tests.
 */
function toxEnvReason(command: string, toxIni: string | undefined): string | null {
  const env = /\btox\b.*\s-e\s+([\w.-]+)(\s|$)/.exec(command)?.[1];
  if (!env || !toxIni) return null;
  const section = new RegExp(
    `^\\[testenv:${env.replace(/[.-]/g, (c) => `\\${c}`)}\\]\\s*$([\\s\\S]*?)(?=^\\[|(?![\\s\\S]))`,
    'm',
  ).exec(toxIni)?.[1];
  const commands = section && /^commands\s*=([\s\S]*?)(?=^\S|(?![\s\S]))/m.exec(section)?.[1];
  if (!commands?.trim()) return null;
  return /\b(pytest|py\.test|unittest|nose2?|trial|stestr|coverage run|manage\.py test|runtests|tox|make (test|check)|\{posargs)/.test(
    commands,
  )
    ? null
    : `the tox environment \`${env}\` runs no tests (${commands.trim().split('\n')[0]!.slice(0, 60)})`;
}

/** `nox -s X` where the noxfile builds X with conda: the worker has no conda. */
function condaReason(command: string, noxfile: string | undefined): string | null {
  const session = /\bnox\b.*\s(?:-s|--session)\s+([\w.-]+)/.exec(command)?.[1];
  if (!session || !noxfile) return null;
  const def = new RegExp(
    `@(?:nox\\.)?session\\(((?:[^()]|\\([^()]*\\))*)\\)\\s*\\n(?:@[^\\n]*\\n)*def ${session.replace(/[.-]/g, '_')}\\s*\\(`,
  ).exec(noxfile);
  return def && /venv_backend\s*=\s*["'](conda|mamba|micromamba)/.test(def[1]!)
    ? `the \`${session}\` session needs conda`
    : null;
}

/** The command with CI's values taken out, or as written when it cannot be. */
function runnable(command: string): string {
  const n = normaliseCommand(command);
  return 'command' in n ? n.command : command;
}

function noTestReason(findings: Array<EcosystemFinding | undefined>): string {
  const reasons = findings.map((f) => f?.testReason).filter(Boolean);
  return reasons.length ? reasons.join('; ') : 'no build or test configuration was found';
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
