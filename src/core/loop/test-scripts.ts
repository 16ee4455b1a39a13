import path from 'node:path';
import type { ChangedFile } from '../ports.ts';
import { textOf } from './line-changes.ts';
import { RUNNER_KEYS } from './test-paths.ts';

/**
 * What the test command runs, read from the files on both sides of the change: the npm-style
 * scripts it reaches (with their pre/post hooks and the scripts they call), the files those
 * scripts and the command itself name, and package.json's runner settings. A change to any of
 * them changes what "the tests pass" means.
 */
export function testScriptConcerns(
  files: ChangedFile[],
  testCommand: string | null,
  manifests: Array<{ path: string; text: string }> = [],
): string[] {
  const out: string[] = [];
  const named = new Set<string>(namedFiles(testCommand ?? '', '.'));
  const scripts: string[] = [];
  const settings: string[] = [];
  const locals: string[] = [];
  const installs: string[] = [];
  // Manifests the change leaves alone still say what the scripts run (`sh scripts/test.sh`).
  const changed = new Set(files.map((f) => f.path));
  const same = manifests
    .filter((m) => !changed.has(m.path))
    .map((m) => ({
      path: m.path,
      before: { mode: '100644', bytes: Buffer.from(m.text) },
      after: { mode: '100644', bytes: Buffer.from(m.text) },
    }));
  for (const f of [...files.filter((x) => path.posix.basename(x.path) === 'package.json'), ...same]) {
    const before = manifest(textOf(f.before));
    const after = manifest(textOf(f.after));
    if (f.after && after === null) {
      out.push(`it leaves ${f.path} unreadable as JSON, so what the test script is cannot be told`);
      continue;
    }
    const dir = path.posix.dirname(f.path);
    // Install hooks run in setup, before the tests, on the clean checkout too: what they run is part of the verdict.
    const entry = ['test', 'pretest', 'posttest', ...INSTALL_HOOKS, ...entryScripts(testCommand ?? '')];
    const reach = new Set([...reachable(before?.scripts ?? {}, entry), ...reachable(after?.scripts ?? {}, entry)]);
    for (const name of reach) {
      for (const side of [before?.scripts?.[name], after?.scripts?.[name]])
        for (const p of namedFiles(side ?? '', dir)) named.add(p);
      if (before?.scripts?.[name] !== after?.scripts?.[name])
        (INSTALL_HOOKS.includes(name) ? installs : scripts).push(`${f.path} "${name}"`);
    }
    for (const key of RUNNER_KEYS)
      if (JSON.stringify(before?.[key]) !== JSON.stringify(after?.[key])) settings.push(`${f.path} "${key}"`);
    for (const [name, spec] of Object.entries(localSpecs(after)))
      if (localSpecs(before)[name] !== spec) locals.push(`${name} → ${spec}`);
  }
  if (scripts.length) out.push(`it changes the test script (${scripts.join(', ')})`);
  if (installs.length)
    out.push(`it changes what installing the package runs (${installs.join(', ')}), which setup runs before the tests`);
  if (settings.length) out.push(`it changes how tests are found or run (${settings.join(', ')})`);
  if (locals.length)
    out.push(
      `it installs dependencies from the change itself (${locals.join(', ')}): a test runner could be one of them`,
    );
  const runs = files.filter((f) => named.has(f.path)).map((f) => f.path);
  if (runs.length) out.push(`it changes files the test command runs (${runs.join(', ')})`);
  return out;
}

/** npm's lifecycle scripts that `npm install` / `npm ci` run. */
const INSTALL_HOOKS = ['preinstall', 'install', 'postinstall', 'prepare', 'preprepare', 'postprepare'];

interface Manifest {
  scripts?: Record<string, string>;
  [key: string]: unknown;
}

function manifest(text: string): Manifest | null {
  if (!text.trim()) return null;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
    const m = parsed as Manifest;
    const scripts =
      m.scripts && typeof m.scripts === 'object'
        ? Object.fromEntries(Object.entries(m.scripts).map(([k, v]) => [k, String(v)]))
        : {};
    return { ...m, scripts };
  } catch {
    return null;
  }
}

/** `npm test`, `npm run unit`, `yarn unit`, `pnpm run unit`, `bun run unit`: the scripts the command starts with. */
export function entryScripts(command: string): string[] {
  const names: string[] = [];
  for (const segment of command.split(/&&|\|\||[;|\n]/)) {
    const w = segment.trim().split(/\s+/).filter(Boolean);
    while (w.length && /^\w+=/.test(w[0]!)) w.shift();
    const tool = w.shift();
    if (!tool || !['npm', 'pnpm', 'yarn', 'bun'].includes(tool)) continue;
    const next = () => {
      while (w.length && w[0]!.startsWith('-')) {
        const opt = w.shift()!;
        if (!opt.includes('=') && VALUE_OPTIONS.has(opt)) w.shift();
      }
      return w.shift();
    };
    const verb = next();
    if (!verb) continue;
    if (verb === 't' || verb === 'test' || verb === 'tst') names.push('test');
    else if (verb === 'run' || verb === 'run-script' || verb === 'rum' || verb === 'urn') {
      const script = next();
      if (script) names.push(script);
    } else if (tool !== 'npm' && !NPM_COMMANDS.has(verb)) names.push(verb);
  }
  return names;
}

const VALUE_OPTIONS = new Set(['--prefix', '-C', '--dir', '--cwd', '--workspace', '-w', '--filter', '-F']);
const NPM_COMMANDS = new Set([
  'install',
  'ci',
  'i',
  'exec',
  'x',
  'dlx',
  'add',
  'why',
  'ls',
  'list',
  'config',
  'workspace',
  'workspaces',
  'node',
  'npx',
]);

/** The scripts `entry` reaches: each name with its pre/post hooks and every script its body names. */
function reachable(scripts: Record<string, string>, entry: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...entry];
  while (queue.length) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const hook of [`pre${name}`, `post${name}`]) if (hook in scripts) queue.push(hook);
    for (const word of words(scripts[name] ?? '')) if (word in scripts && !seen.has(word)) queue.push(word);
  }
  return new Set([...seen].filter((n) => n in scripts || entry.includes(n)));
}

function words(text: string): string[] {
  return text.split(/[\s"'`;&|()<>=]+/).filter(Boolean);
}

/**
 * Paths in a command line that name files of the repository (`sh scripts/test.sh`,
 * `node --require=./setup.js`, `./run-tests`), relative to the folder the command runs in.
 */
export function namedFiles(command: string, dir: string): string[] {
  const out: string[] = [];
  for (const raw of command.split(/[\s"'`;&|()<>]+/)) {
    const word = raw.includes('=') ? raw.slice(raw.lastIndexOf('=') + 1) : raw;
    if (!word || word.startsWith('-') || word.startsWith('$') || /[*?{}[\]]/.test(word) || /^[a-z]+:\/\//i.test(word))
      continue;
    if (!(word.includes('/') || /\.(c?m?[jt]s|sh|bash|py|rb|pl|php|lua|mk)$/.test(word))) continue;
    if (path.posix.isAbsolute(word)) continue;
    const p = path.posix.normalize(path.posix.join(dir, word));
    if (!p.startsWith('..')) out.push(p.replace(/\/$/, ''));
  }
  return out;
}

/** Dependencies (and overrides) taken from a path or link inside the change rather than a registry. */
function localSpecs(m: Manifest | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (!m) return out;
  const pnpm = (m.pnpm as { overrides?: unknown } | undefined)?.overrides;
  for (const section of [
    m.dependencies,
    m.devDependencies,
    m.optionalDependencies,
    m.peerDependencies,
    m.overrides,
    m.resolutions,
    pnpm,
  ]) {
    if (!section || typeof section !== 'object') continue;
    for (const [name, spec] of Object.entries(section as Record<string, unknown>)) {
      if (typeof spec === 'string' && /^(file|link|portal):|^\.{0,2}\//.test(spec)) out[name] = spec;
    }
  }
  return out;
}
