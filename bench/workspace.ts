import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Workspaces } from '../src/adapters/git/workspaces.ts';
import { tempDir } from '../test/support/app-harness.ts';
import { gitEnv, startGitServer } from '../test/support/git-http-server.ts';
import { median, type Figure } from './stats.ts';

const FILES = 20_000;
const COMMITS = 2_000;

/** A bare repo of FILES files and COMMITS commits, written with git fast-import. */
export function generateRepo(root: string): string {
  const bare = path.join(root, 'big.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
  execFileSync('git', ['config', 'http.receivepack', 'true'], { cwd: bare });
  const chunks: string[] = [];
  let mark = 0;
  const blob = (text: string) => {
    chunks.push(`blob\nmark :${++mark}\ndata ${Buffer.byteLength(text)}\n${text}\n`);
    return mark;
  };
  const commit = (i: number, changes: Array<[string, number]>) => {
    const msg = `change ${i}`;
    chunks.push(
      `commit refs/heads/main\ncommitter Bench <b@example.com> ${1_700_000_000 + i} +0000\ndata ${msg.length}\n${msg}\n`,
    );
    for (const [p, m] of changes) chunks.push(`M 100644 :${m} ${p}\n`);
    chunks.push('\n');
  };
  const first: Array<[string, number]> = [];
  for (let f = 0; f < FILES; f++) first.push([`src/m${f % 200}/file${f}.txt`, blob(`file ${f}\n${'x'.repeat(200)}\n`)]);
  commit(0, first);
  for (let i = 1; i < COMMITS; i++) {
    const f = (i * 7919) % FILES;
    commit(i, [[`src/m${f % 200}/file${f}.txt`, blob(`file ${f} v${i}\n${'y'.repeat(200)}\n`)]]);
  }
  execFileSync('git', ['fast-import', '--quiet'], { cwd: bare, input: chunks.join(''), maxBuffer: 1 << 30 });
  return bare;
}

function pushOneCommit(bare: string, root: string, n: number): void {
  const work = path.join(root, `w${n}`);
  execFileSync('git', ['clone', '-q', '--depth', '1', `file://${bare}`, work]);
  fs.writeFileSync(path.join(work, `new${n}.txt`), `${n}\n`);
  execFileSync('git', ['add', '-A'], { cwd: work });
  execFileSync('git', ['commit', '-qm', `new ${n}`], { cwd: work, env: gitEnv() });
  execFileSync('git', ['push', '-q', 'origin', 'main'], { cwd: work });
  fs.rmSync(work, { recursive: true, force: true });
}

/** Cold (first run: mirror + worktree) vs warm (mirror reused, one new commit fetched) preparation. */
export async function benchWorkspace(): Promise<Figure[]> {
  const root = tempDir('pw-bench-ws-');
  const bare = generateRepo(root);
  const token = 'bench-token';
  const server = await startGitServer(root, token);
  const cloneUrl = `${server.url}/big.git`;
  const cold: number[] = [];
  const warm: number[] = [];
  for (let round = 0; round < 3; round++) {
    const spaces = new Workspaces(tempDir('pw-bench-data-'));
    let t = performance.now();
    const a = await spaces.prepare({
      cloneUrl,
      token,
      base: 'main',
      branch: 'agent/b',
      startFrom: 'base',
      runId: `c${round}`,
    });
    cold.push(performance.now() - t);
    await spaces.remove(a);
    pushOneCommit(bare, root, round);
    t = performance.now();
    const b = await spaces.prepare({
      cloneUrl,
      token,
      base: 'main',
      branch: 'agent/b',
      startFrom: 'base',
      runId: `w${round}`,
    });
    warm.push(performance.now() - t);
    if (b.coldMirror) throw new Error('warm run did not reuse the mirror');
    await spaces.remove(b);
  }
  await server.close();
  const c = median(cold);
  const w = median(warm);
  return [
    { name: `workspace cold (${FILES} files, ${COMMITS} commits)`, value: c, unit: 'ms', target: '' },
    { name: 'workspace warm (mirror reused, 1 new commit)', value: w, unit: 'ms', target: '' },
    { name: 'workspace warm / cold', value: (w / c) * 100, unit: '%', target: '<= 10 %' },
  ];
}
