import path from 'node:path';
import type { ChangedFile } from '../ports.ts';
import { addedLines, removedLines, textOf } from './line-changes.ts';

/**
 * Attributes that change what git (and GitHub's review page) shows or writes for a path: a
 * `-diff` or `binary` hides a change from every diff, `filter`/`text`/`eol`/`working-tree-encoding`
 * change the bytes written on checkout, `merge` how branches combine, `linguist-*` collapses a
 * file in the PR view.
 */
const ATTRIBUTE =
  /(^|\s)[-!]?(diff|binary|text|eol|crlf|filter|merge|ident|working-tree-encoding|linguist-[\w-]+)(=|\s|$)/;

/** A changed `.gitattributes` whose added or removed rules touch diffs, merges, filters or eol. */
export function attributeConcerns(files: ChangedFile[]): string[] {
  const touched = files
    .filter((f) => path.posix.basename(f.path) === '.gitattributes')
    .filter((f) => {
      const [before, after] = [textOf(f.before), textOf(f.after)];
      const rules = [...addedLines(before, after), ...removedLines(before, after)]
        .map((l) => l.text.trim())
        .filter((l) => l && !l.startsWith('#'));
      return rules.some((l) => l.startsWith('[attr]') || ATTRIBUTE.test(l.replace(/^\S+/, ' ')));
    });
  if (!touched.length) return [];
  return [
    `it changes ${touched.map((f) => f.path).join(', ')}, which decides how git diffs, merges, filters or converts files: a reviewer's diff would no longer show what the change does`,
  ];
}

/**
 * Folders tools and dependency installs fill (and the loaders some of them run): a change that
 * stops ignoring them lets files no one reviews decide how the code runs.
 */
export const TOOLING_PATHS = [
  'node_modules/x',
  '.venv/x',
  'venv/x',
  'env/x',
  '.tox/x',
  '.nox/x',
  'vendor/x',
  'target/x',
  'build/x',
  'dist/x',
  '__pycache__/x',
  '.gradle/x',
  '.pytest_cache/x',
  '.mypy_cache/x',
  'bin/x',
  'obj/x',
  '.bundle/x',
  '.yarn/x',
  '.pnp.cjs',
  '.pnp.loader.mjs',
  '.cargo/x',
  'coverage/x',
];

/** Sentences for paths the start ignored and the change's rules no longer do (see ChangeSnapshot.unignored). */
export function ignoreConcerns(files: ChangedFile[], unignored: string[]): string[] {
  if (!unignored.length) return [];
  const added = new Set(files.filter((f) => f.after && !f.before).map((f) => f.path));
  const committed = unignored.filter((p) => added.has(p));
  const folders = [
    ...new Set(unignored.filter((p) => !added.has(p)).map((p) => (p.endsWith('/x') ? p.slice(0, -2) + '/' : p))),
  ];
  const out: string[] = [];
  if (committed.length)
    out.push(
      `it adds files where the repository ignores them (${committed.slice(0, 5).join(', ')}${committed.length > 5 ? ', …' : ''}): tooling or dependencies, not source`,
    );
  if (folders.length) out.push(`it stops ignoring tooling or dependency paths (${folders.join(', ')})`);
  return out;
}
