/**
 * A few real commits of a fetched repository as a small git bundle, for `patchwright eval`'s
 * tests: the tree at FROM becomes one root commit, then every commit of the first-parent line
 * from FROM to TO is made again with its own tree, message, author and dates (so each has its
 * real diff). A merge is made again as a merge: its branch's commits replayed on the first
 * parent (squashed into one when they do not apply there), then the merge with its own tree.
 * Nothing of the history before FROM is in the bundle.
 *
 *   node scripts/history-fixture.ts /work/.mirror/OWNER+NAME/repo FROM TO fixtures/real-history/NAME.bundle
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [source, from, to, out] = process.argv.slice(2);
if (!source || !from || !to || !out) {
  console.error('usage: node scripts/history-fixture.ts GIT_DIR FROM TO OUT.bundle');
  process.exit(2);
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-history-fixture-'));
const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
const git = (args: string[], extra: Record<string, string> = {}, input?: string) =>
  execFileSync('git', args, {
    cwd: work,
    env: { ...env, ...extra },
    encoding: 'utf8',
    input,
    maxBuffer: 512 * 1024 * 1024,
  }).trim();

git(['init', '-q', '--bare']);
const full = execFileSync('git', ['rev-parse', `${to}^{commit}`], {
  cwd: path.resolve(source),
  env,
  encoding: 'utf8',
}).trim();
git(['fetch', '-q', '--no-tags', path.resolve(source), `${full}:refs/source`]);
const sha = (rev: string) => git(['rev-parse', rev]);
const fmt = (rev: string, f: string) => git(['log', '-1', `--format=${f}`, rev]);
const people = (rev: string) => ({
  GIT_AUTHOR_NAME: fmt(rev, '%an'),
  GIT_AUTHOR_EMAIL: fmt(rev, '%ae'),
  GIT_AUTHOR_DATE: fmt(rev, '%aI'),
  GIT_COMMITTER_NAME: fmt(rev, '%cn'),
  GIT_COMMITTER_EMAIL: fmt(rev, '%ce'),
  GIT_COMMITTER_DATE: fmt(rev, '%cI'),
});
const commit = (tree: string, parents: string[], message: string, who: Record<string, string>) =>
  git(
    ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p])],
    who,
    message.endsWith('\n') ? message : `${message}\n`,
  );

const fromSha = sha(from);
const repoName = path.basename(path.dirname(path.resolve(source))).replace('+', '/');
let head = commit(
  sha(`${fromSha}^{tree}`),
  [],
  `Snapshot of ${repoName} at ${fromSha}\n\nThe base of this fixture: the real history starts after it.`,
  people(fromSha),
);
const line = git(['rev-list', '--reverse', '--first-parent', `${fromSha}..${sha(to)}`])
  .split('\n')
  .filter(Boolean);
let merges = 0;
let squashed = 0;
for (const c of line) {
  const parents = fmt(c, '%P').split(' ');
  const tree = sha(`${c}^{tree}`);
  if (parents.length === 1) {
    head = commit(tree, [head], fmt(c, '%B'), people(c));
    continue;
  }
  merges++;
  // The branch's own commits, each with its own diff, on top of the fixture's first parent.
  let tip = head;
  const branch = git(['rev-list', '--reverse', '--topo-order', '--no-merges', `${parents[0]}..${parents[1]}`])
    .split('\n')
    .filter(Boolean);
  const index = path.join(work, 'replay-index');
  try {
    for (const b of branch) {
      git(['read-tree', `${tip}^{tree}`], { GIT_INDEX_FILE: index });
      const diff = git(['diff', '--binary', '--full-index', '--no-renames', `${b}^`, b]) + '\n';
      execFileSync('git', ['apply', '--cached', '-'], {
        cwd: work,
        env: { ...env, GIT_INDEX_FILE: index },
        input: diff,
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      tip = commit(git(['write-tree'], { GIT_INDEX_FILE: index }), [tip], fmt(b, '%B'), people(b));
    }
    if (sha(`${tip}^{tree}`) !== tree) throw new Error('the replayed branch does not end at the merge’s tree');
  } catch {
    squashed++;
    const messages = branch.map((b) => fmt(b, '%s')).join('\n- ');
    tip = commit(
      tree,
      [head],
      `${fmt(branch.at(-1) ?? c, '%s')}\n\nThe branch's commits, squashed for this fixture:\n- ${messages}`,
      people(branch.at(-1) ?? c),
    );
  }
  head = commit(tree, [head, tip], fmt(c, '%B'), people(c));
}
git(['update-ref', 'refs/heads/main', head]);
git(['symbolic-ref', 'HEAD', 'refs/heads/main']);
fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
git(['bundle', 'create', '-q', path.resolve(out), 'HEAD', 'refs/heads/main']);
fs.rmSync(work, { recursive: true, force: true });
console.log(
  `${out}: ${line.length} commits after the snapshot (${merges} merges, ${squashed} of their branches squashed), ${fs.statSync(out).size} bytes`,
);
