import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The deployment's Python package index settings, for every sandboxed command: the sandbox hides
 * the host's pip config files on purpose (a user's own file may hold anything), so the
 * deployment names its files (`PATCHWRIGHT_PIP_CONFIG`) or its `PIP_*` variables
 * (`PATCHWRIGHT_SANDBOX_ENV`), and they reach pip as `PIP_*` values and uv as its own `UV_*` ones.
 */
export interface PythonIndex {
  values: Record<string, string>;
  /** Local folders the settings name (a file:// index, find-links), which the sandbox must see, with the setting naming each. */
  needs: Array<{ path: string; why: string }>;
  /** Passwords in index URLs: redacted wherever the app writes. */
  secrets: string[];
  /** Settings of the files that are not passed on, in words. */
  ignored: string[];
}

/** The pip settings that say where packages come from and how to reach it; the others (install targets, logs, caches) stay out. */
const PASSED = new Set([
  'index-url',
  'extra-index-url',
  'find-links',
  'trusted-host',
  'cert',
  'client-cert',
  'constraint',
  'no-index',
  'timeout',
  'default-timeout',
  'retries',
  'proxy',
  'prefer-binary',
  'only-binary',
  'no-binary',
  'disable-pip-version-check',
  'keyring-provider',
  'pre',
]);
/** Settings whose value is a file: copied where the sandbox can read them (its /etc is the app's own copy). */
const FILES = new Set(['cert', 'client-cert', 'constraint']);

/**
 * `files`: pip config files, later ones winning (as pip reads global, then user, then site);
 * `[global]`, then `[install]`, of each. `passed`: the deployment's variable names for every
 * command, whose `PIP_*` values win over the files (as pip's environment does). `copies`: an
 * app-only folder the sandbox sees read-only, where file settings are copied.
 */
export function pythonIndex(files: string[], env: NodeJS.ProcessEnv, passed: string[], copies: string): PythonIndex {
  const settings = new Map<string, { value: string; from: string }>();
  const ignored: string[] = [];
  for (const file of files) {
    for (const [key, value] of readPipConfig(file)) {
      if (PASSED.has(key)) settings.set(key, { value, from: file });
      else ignored.push(`\`${key}\` in ${file}`);
    }
  }
  for (const name of passed) {
    const key = /^PIP_([A-Z0-9_]+)$/.exec(name)?.[1]?.toLowerCase().replace(/_/g, '-');
    if (key && env[name] !== undefined && PASSED.has(key)) settings.set(key, { value: env[name]!, from: name });
  }
  const values: Record<string, string> = {};
  const needs: PythonIndex['needs'] = [];
  const secrets: string[] = [];
  for (const [key, { value, from }] of settings) {
    const words = value.split(/\s+/).filter(Boolean);
    if (FILES.has(key)) {
      values[`PIP_${envKey(key)}`] = words.map((w) => copyForSandbox(w, copies)).join(' ');
      continue;
    }
    values[`PIP_${envKey(key)}`] = words.join(' ');
    for (const w of words) {
      const local = localPath(w);
      if (local && /index-url|find-links/.test(key)) needs.push(...indexFolders(local, key, from));
      const password = passwordOf(w);
      if (password) secrets.push(password, decodeURIComponent(password));
    }
  }
  Object.assign(values, uvEquivalents(values, env, passed));
  return { values, needs, secrets: secrets.filter((s) => s.length >= 4), ignored };
}

/** uv reads no pip config: the same index, links, hosts, certificate and constraints in its own names, unless the deployment gives them. */
function uvEquivalents(pip: Record<string, string>, env: NodeJS.ProcessEnv, passed: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const set = (name: string, value: string | undefined) => {
    if (value && !(passed.includes(name) && env[name] !== undefined)) out[name] = value;
  };
  set('UV_INDEX_URL', pip.PIP_INDEX_URL);
  set('UV_EXTRA_INDEX_URL', pip.PIP_EXTRA_INDEX_URL);
  set('UV_FIND_LINKS', pip.PIP_FIND_LINKS?.split(' ').join(','));
  set('UV_INSECURE_HOST', pip.PIP_TRUSTED_HOST);
  set('UV_CONSTRAINT', pip.PIP_CONSTRAINT);
  set('UV_NO_INDEX', pip.PIP_NO_INDEX && /^(1|true|yes|on)$/i.test(pip.PIP_NO_INDEX) ? '1' : undefined);
  set('SSL_CERT_FILE', pip.PIP_CERT);
  // pip picks the best version across its indexes; uv, by default, takes the first index that has the package.
  if (pip.PIP_EXTRA_INDEX_URL) set('UV_INDEX_STRATEGY', 'unsafe-best-match');
  return out;
}

/** `key = value` lines of `[global]` then `[install]` (continuation lines indented), as pip's configparser reads them. */
export function readPipConfig(file: string): Array<[string, string]> {
  const text = fs.readFileSync(file, 'utf8');
  const sections = new Map<string, Map<string, string>>();
  let section = '';
  let last: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*([#;]|$)/.test(line)) continue;
    const head = /^\[([^\]]+)\]\s*$/.exec(line);
    if (head) [section, last] = [head[1]!.trim().toLowerCase(), null];
    else if (/^\s/.test(line) && last)
      sections.get(section)!.set(last, `${sections.get(section)!.get(last)} ${line.trim()}`.trim());
    else {
      const kv = /^([\w.-]+)\s*[=:]\s*(.*)$/.exec(line);
      if (!kv) continue;
      last = kv[1]!.toLowerCase().replace(/_/g, '-');
      if (!sections.has(section)) sections.set(section, new Map());
      sections.get(section)!.set(last, kv[2]!.trim());
    }
  }
  return [...(sections.get('global') ?? []), ...(sections.get('install') ?? [])];
}

const envKey = (key: string) => key.toUpperCase().replace(/-/g, '_');

function localPath(word: string): string | null {
  if (word.startsWith('file://')) return decodeURIComponent(new URL(word).pathname);
  return path.isAbsolute(word) ? word : null;
}

/**
 * The folders a local index needs: its own, and the one its pages link into (a simple index made
 * by `pip download`-style tools keeps the files in a sibling folder: `../../files/x.whl`).
 */
function indexFolders(dir: string, key: string, from: string): PythonIndex['needs'] {
  const why = `pip's ${key} (${from})`;
  const out = [{ path: dir, why }];
  try {
    const project = fs.readdirSync(dir, { withFileTypes: true }).find((d) => d.isDirectory());
    const page = project && fs.readFileSync(path.join(dir, project.name, 'index.html'), 'utf8');
    const href = page && /href="([^"#]+)/.exec(page)?.[1];
    if (href && !/^[a-z]+:/i.test(href)) {
      const files = path.dirname(path.resolve(dir, project.name, href));
      if (files !== dir && !files.startsWith(`${dir}/`)) out.push({ path: files, why });
    }
  } catch {
    // Not a readable simple index (a find-links folder of wheels): the folder itself is what is needed.
  }
  return out;
}

/** A copy of a file the deployment names, in the app's own read-only folder, under a name made from its content. */
function copyForSandbox(file: string, dir: string): string {
  if (!path.isAbsolute(file) || !fs.existsSync(file)) return file;
  const text = fs.readFileSync(file);
  const target = path.join(
    dir,
    `${crypto.createHash('sha256').update(text).digest('hex').slice(0, 16)}-${path.basename(file)}`,
  );
  if (!fs.existsSync(target)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    const tmp = `${target}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text, { mode: 0o644 });
    fs.renameSync(tmp, target);
  }
  return target;
}

function passwordOf(url: string): string {
  try {
    return new URL(url).password;
  } catch {
    return '';
  }
}
