/**
 * Turns a fetched repository (a git directory) into a corpus fixture for `inspect`:
 * `fixtures/real-repos/OWNER+NAME.json` with the tree listing of HEAD and the text of the files
 * `inspect` reads (CI, manifests, build files, runner configs, small CI scripts). Nothing else.
 *
 *   node scripts/corpus-fixture.ts /work/.mirror/OWNER+NAME/repo [OWNER+NAME]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const MAX_PATHS = 6000;
const MAX_TEXT = 512 * 1024;

/** Files whose text `inspect` may read, by path. */
const TEXT: RegExp[] = [
  /^\.github\/workflows\/[^/]+\.ya?ml$/,
  /^\.github\/actions\/[^/]+\/action\.ya?ml$/,
  /^(packages|apps|libs|crates)\/[^/]+\/(package\.json|Cargo\.toml)$/,
  /^(package\.json|pnpm-workspace\.yaml|turbo\.json|nx\.json|lerna\.json|\.yarnrc\.yml|\.npmrc|\.nvmrc|\.node-version|\.tool-versions|bunfig\.toml|deno\.jsonc?)$/,
  /^(pyproject\.toml|setup\.py|setup\.cfg|tox\.ini|noxfile\.py|Pipfile|pytest\.ini|\.python-version|environment\.ya?ml)$/,
  /^(requirements[^/]*\.txt|requirements\/[^/]+\.txt)$/,
  /^(go\.mod|Cargo\.toml|rust-toolchain(\.toml)?|\.cargo\/config(\.toml)?)$/,
  /^(pom\.xml|build\.gradle(\.kts)?|settings\.gradle(\.kts)?|gradle\.properties|\.mvn\/maven\.config)$/,
  /^(Gemfile|Rakefile|[^/]+\.gemspec|\.ruby-version)$/,
  /^(Makefile|GNUmakefile|makefile|CMakeLists\.txt|CMakePresets\.json|configure\.ac|meson\.build|Makefile\.am)$/,
  /^(Taskfile\.ya?ml|[jJ]ustfile|\.justfile)$/,
  /^(AGENTS\.md|\.devcontainer\/devcontainer\.json|\.travis\.yml|\.circleci\/config\.yml|\.gitlab-ci\.yml|appveyor\.yml|azure-pipelines\.yml)$/,
  /^(script|scripts|bin|ci)\/[^/.]+(\.sh)?$/,
  // CI's own scripts in a dot folder (Pillow's `.ci/test.sh`), which a step runs and which set what the tests need.
  /^\.ci\/[^/.]+(\.sh)?$/,
  /^[^/]+\.sh$/,
  /^[^/]+\/Cargo\.toml$/,
  /^[^/]+\/(Makefile|GNUmakefile)$/,
];

const [gitDir, nameArg] = process.argv.slice(2);
if (!gitDir) {
  console.error('usage: node scripts/corpus-fixture.ts GIT_DIR [OWNER+NAME]');
  process.exit(2);
}
const name = nameArg ?? path.basename(path.dirname(path.resolve(gitDir)));
const git = (...args: string[]) =>
  execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });

const commit = git('rev-parse', 'HEAD').trim();
// A fetched snapshot may lack its largest blobs: then sizes are not listed, and an absent file has no text.
const listing = (format: string) =>
  git('ls-tree', '-r', '-z', `--format=${format}`, 'HEAD').split('\0').filter(Boolean);
let all: string[];
try {
  all = listing('%(objectmode) %(objectsize) %(path)');
} catch {
  all = listing('%(objectmode) 0 %(path)');
}
const entries = all
  .map((line) => {
    const [mode, size, ...rest] = line.split(' ');
    return { mode: mode!, size: Number(size), path: rest.join(' ') };
  })
  .filter((e) => e.mode !== '160000' && e.mode !== '120000');
const text = (p: string): string | null => {
  try {
    const t = git('show', `HEAD:${p}`);
    return t.length <= MAX_TEXT ? t : null;
  } catch {
    return null;
  }
};

// Big trees keep every file `inspect` reads and an even sample of the rest, so language counts hold.
const wanted = (p: string) => TEXT.some((re) => re.test(p));
const others = entries.filter((e) => !wanted(e.path));
const step = Math.max(1, Math.ceil(others.length / MAX_PATHS));
const kept = new Set(
  [...entries.filter((e) => wanted(e.path)), ...others.filter((_, i) => i % step === 0)].map((e) => e.path),
);

const files: Record<string, string | null> = {};
for (const e of entries) {
  if (!kept.has(e.path)) continue;
  files[e.path] = wanted(e.path) && e.size <= MAX_TEXT ? text(e.path) : null;
}
const out = path.resolve('fixtures/real-repos', `${name}.json`);
const source = `https://github.com/${name.replace('+', '/')} at ${commit}${step > 1 ? ` (tree sampled: 1 in ${step} of ${others.length} other files)` : ''}`;
fs.writeFileSync(out, `${JSON.stringify({ source, files }, null, 0)}\n`);
console.log(
  `${out}: ${Object.keys(files).length} paths, ${Object.values(files).filter((v) => v !== null).length} with text`,
);
