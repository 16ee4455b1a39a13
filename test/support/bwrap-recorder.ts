import fs from 'node:fs';
import path from 'node:path';

/**
 * A stand-in for the `bwrap` program that writes down exactly what bwrap is given (its arguments
 * and what each inherited descriptor points at), then runs the real bwrap with them. The log is
 * the ground truth of what the host mounted: no part of the app's own bookkeeping is trusted.
 */
export function bwrapRecorder(dir: string): { path: string; calls: () => BwrapCall[] } {
  const logs = path.join(dir, 'bwrap-log');
  fs.mkdirSync(logs, { recursive: true });
  const script = path.join(dir, 'bwrap-recorder');
  fs.writeFileSync(
    script,
    `#!/bin/sh
log="${logs}/$(date +%s%N)-$$"
for a in "$@"; do printf '%s\\0' "$a"; done > "$log.args"
for fd in /proc/self/fd/*; do printf '%s %s\\n' "\${fd##*/}" "$(readlink "$fd")"; done > "$log.fds"
exec bwrap "$@"
`,
    { mode: 0o755 },
  );
  return {
    path: script,
    calls: () =>
      fs
        .readdirSync(logs)
        .filter((n) => n.endsWith('.args'))
        .sort()
        .map((n) => {
          const args = fs.readFileSync(path.join(logs, n), 'utf8').split('\0').slice(0, -1);
          const fds = new Map(
            fs
              .readFileSync(path.join(logs, n.replace(/\.args$/, '.fds')), 'utf8')
              .trim()
              .split('\n')
              .map((l) => [l.split(' ')[0]!, l.slice(l.indexOf(' ') + 1)] as [string, string]),
          );
          return { args, fds };
        }),
  };
}

export interface BwrapCall {
  args: string[];
  fds: Map<string, string>;
}

/** One setup operation of bwrap, as the host gave it. */
export interface BwrapOp {
  op: string;
  /** The host path bwrap resolves for a bind (the descriptor's target for `--bind-fd`); absent for content, tmpfs, dirs. */
  source?: string;
  dest: string;
}

const TWO = new Set([
  '--bind',
  '--ro-bind',
  '--bind-try',
  '--ro-bind-try',
  '--dev-bind',
  '--dev-bind-try',
  '--bind-fd',
  '--ro-bind-fd',
  '--file',
  '--bind-data',
  '--ro-bind-data',
  '--symlink',
  '--setenv',
  '--chmod',
]);
const ONE = new Set([
  '--dev',
  '--proc',
  '--tmpfs',
  '--dir',
  '--remount-ro',
  '--mqueue',
  '--chdir',
  '--hostname',
  '--uid',
  '--gid',
  '--seccomp',
  '--add-seccomp-fd',
  '--lock-file',
  '--sync-fd',
  '--args',
  '--userns',
  '--userns2',
  '--pidns',
  '--info-fd',
  '--json-status-fd',
  '--block-fd',
  '--userns-block-fd',
  '--exec-label',
  '--file-label',
  '--cap-add',
  '--cap-drop',
  '--perms',
  '--size',
  '--unsetenv',
]);
const MOUNTS = new Set([
  '--bind',
  '--ro-bind',
  '--bind-try',
  '--ro-bind-try',
  '--dev-bind',
  '--dev-bind-try',
  '--bind-fd',
  '--ro-bind-fd',
  '--file',
  '--bind-data',
  '--ro-bind-data',
  '--symlink',
  '--dev',
  '--proc',
  '--tmpfs',
  '--dir',
  '--mqueue',
]);

/** bwrap's setup operations in order, with each bind's host source. */
export function bwrapOps(call: BwrapCall): BwrapOp[] {
  const out: BwrapOp[] = [];
  for (let i = 0; i < call.args.length; i++) {
    const a = call.args[i]!;
    if (a === '--') break;
    if (TWO.has(a)) {
      const [x, y] = [call.args[i + 1]!, call.args[i + 2]!];
      if (MOUNTS.has(a)) {
        const source = a.endsWith('-fd') ? call.fds.get(x) : /bind/.test(a) && !a.endsWith('-data') ? x : undefined;
        out.push({ op: a, dest: y, ...(source !== undefined ? { source } : {}) });
      }
      i += 2;
    } else if (ONE.has(a)) {
      if (MOUNTS.has(a)) out.push({ op: a, dest: call.args[i + 1]! });
      i += 1;
    }
  }
  return out;
}

const inside = (p: string, dir: string) => p !== dir && p.startsWith(dir.endsWith('/') ? dir : `${dir}/`);

/**
 * Every way `ops` breaks the invariant, in words: a bind source inside a folder a sandbox can
 * write (`writable`), or a mount point bwrap has to make inside a writable bind deeper than one
 * level (bwrap's `mkdir -p` follows links the sandbox left there) or as a file at any depth (its
 * `creat()` follows a dangling link). `allowed`: the worktree's own `.git`, which is a mount point
 * the sandbox can never replace.
 */
export function violations(ops: BwrapOp[], writable: string[], allowed: string[] = []): string[] {
  const bad: string[] = [];
  const made: Array<{ dest: string; persisted: boolean }> = [];
  for (const o of ops) {
    if (o.source) {
      const w = writable.find((x) => inside(o.source!, x));
      if (w && !(allowed.includes(o.source) && o.op.endsWith('-fd')))
        bad.push(`${o.op} ${o.source}: a source inside ${w}`);
    }
    const enclosing = made.filter((m) => inside(o.dest, m.dest)).sort((a, b) => b.dest.length - a.dest.length)[0];
    if (enclosing?.persisted) {
      const depth = o.dest.slice(enclosing.dest.length).split('/').filter(Boolean).length;
      const file =
        o.op === '--file' ||
        o.op.endsWith('-data') ||
        (o.source !== undefined && fs.statSync(o.source, { throwIfNoEntry: false })?.isFile() === true);
      if (depth > 1) bad.push(`${o.op} ${o.dest}: made ${depth} levels inside the writable ${enclosing.dest}`);
      else if (file && !allowed.includes(o.dest))
        bad.push(`${o.op} ${o.dest}: a file made inside the writable ${enclosing.dest}`);
    }
    if (o.op !== '--dir' && o.op !== '--symlink')
      made.push({
        dest: o.dest,
        persisted:
          o.op === '--bind' ||
          o.op === '--bind-try' ||
          o.op === '--bind-fd' ||
          o.op === '--dev-bind' ||
          o.op === '--dev-bind-try',
      });
  }
  return bad;
}
