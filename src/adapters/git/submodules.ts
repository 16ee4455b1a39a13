import fs from 'node:fs';
import path from 'node:path';
import { git, safely } from './run-git.ts';

/** Deeper than this, submodules are left alone (and the run says so). */
const MAX_DEPTH = 5;

/**
 * Initialises a checkout's submodules one level at a time, checking every level's `.gitmodules`
 * before git fetches anything for it: a branch the model wrote (or a submodule's own history)
 * can name any URL, and the host's git fetching it is a request from inside the network. A URL
 * is allowed only when it resolves (relative ones against their parent's URL, as git does) to
 * https on the repository's own host, with no user or password in it; the transport is pinned
 * the same way (`protocol.allow=never`, only that scheme allowed), so `file://`, `ext::`, `ssh`
 * and `git://` are refused by git itself too. The token goes with the repository's own URL only
 * (git-auth.ts). Returns the notes the run reports.
 */
export async function initSubmodules(dir: string, cloneUrl: string, token: string | undefined): Promise<string[]> {
  const top = new URL(cloneUrl);
  // https only; a deployment whose own repository URL is http (a local test server) may use that one scheme.
  const scheme = top.protocol === 'http:' ? 'http' : 'https';
  const notes: string[] = [];
  let initialised = 0;
  const level = async (repoDir: string, repoUrl: string, depth: number): Promise<void> => {
    if (!fs.existsSync(path.join(repoDir, '.gitmodules'))) return;
    if (depth > MAX_DEPTH) {
      notes.push(
        `submodules deeper than ${MAX_DEPTH} levels were not initialised (${path.relative(dir, repoDir) || '.'})`,
      );
      return;
    }
    const modules = await declared(repoDir);
    const foreign = modules.filter((m) => !allowed(resolve(m.url, repoUrl), top, scheme)).map((m) => m.url);
    if (foreign.length) {
      notes.push(
        `submodules not initialised${depth > 1 ? ` in ${path.relative(dir, repoDir)}` : ''}: .gitmodules names URLs outside ${top.host} (${foreign.slice(0, 3).join(', ')})`,
      );
      return;
    }
    await safely('initialising submodules', token, () =>
      git(repoDir, { cloneUrl, token }).raw([
        '-c',
        'protocol.allow=never',
        '-c',
        `protocol.${scheme}.allow=always`,
        'submodule',
        'update',
        '--init',
        '--depth',
        '1',
      ]),
    );
    for (const m of modules) {
      const child = path.resolve(repoDir, m.path);
      if (!child.startsWith(`${path.resolve(repoDir)}${path.sep}`) || !fs.existsSync(path.join(child, '.git')))
        continue;
      initialised++;
      await level(child, resolve(m.url, repoUrl)!.toString(), depth + 1);
    }
  };
  await level(dir, cloneUrl, 1);
  if (initialised) notes.unshift(`submodules initialised (${initialised})`);
  return notes;
}

/** Each submodule's path and URL as `.gitmodules` states them. */
async function declared(repoDir: string): Promise<Array<{ name: string; path: string; url: string }>> {
  const out = await git(repoDir)
    .raw(['config', '--file', '.gitmodules', '--get-regexp', '^submodule\\..*\\.(url|path)$'])
    .catch(() => '');
  const byName = new Map<string, { name: string; path: string; url: string }>();
  for (const line of out.split('\n').filter(Boolean)) {
    const m = /^submodule\.(.+)\.(url|path) (.*)$/.exec(line);
    if (!m) continue;
    const entry = byName.get(m[1]!) ?? { name: m[1]!, path: '', url: '' };
    entry[m[2] as 'url' | 'path'] = m[3]!.trim();
    byName.set(m[1]!, entry);
  }
  return [...byName.values()].map((e) => ({ ...e, path: e.path || e.name }));
}

/** A submodule URL as git reads it: relative ones (`./x`, `../x`) against the parent's URL. */
function resolve(url: string, parent: string): URL | null {
  try {
    if (url.startsWith('./') || url.startsWith('../')) return new URL(url, `${parent.replace(/\/+$/, '')}/`);
    return new URL(url);
  } catch {
    return null;
  }
}

function allowed(url: URL | null, top: URL, scheme: string): boolean {
  return url !== null && url.protocol === `${scheme}:` && url.host === top.host && !url.username && !url.password;
}
