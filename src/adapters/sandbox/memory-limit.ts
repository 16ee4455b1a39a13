import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A memory limit for a whole command (every process it starts), through a cgroup where one is
 * available: a folder the deployment delegates (`PATCHWRIGHT_SANDBOX_CGROUP`: cgroup v2 with the
 * memory controller in its `cgroup.subtree_control`, or a v1 memory cgroup), else a transient
 * systemd scope (`systemd-run --scope`, `--user` for an unprivileged app). Where neither exists,
 * each process is still held to RLIMIT_DATA (limits.ts), which a command can split across
 * processes: `describeMemoryLimit` says so, for doctor and `patchwright sandbox`. A systemd scope
 * costs a D-Bus round trip per command; `PATCHWRIGHT_SANDBOX_CGROUP=off` turns it off.
 */
export type MemoryLimit =
  | { kind: 'cgroup'; dir: string; version: 1 | 2 }
  | { kind: 'systemd-run'; user: boolean }
  | { kind: 'none'; why: string };

export class CgroupError extends Error {
  readonly code = 'cgroup_unusable';
}

const probed = new Map<string, MemoryLimit>();

export function detectMemoryLimit(cgroupDir?: string): MemoryLimit {
  const key = cgroupDir ?? '';
  const known = probed.get(key);
  if (known) return known;
  const found: MemoryLimit =
    cgroupDir === 'off'
      ? { kind: 'none', why: 'turned off (PATCHWRIGHT_SANDBOX_CGROUP=off)' }
      : cgroupDir
        ? delegated(cgroupDir)
        : systemdScope();
  probed.set(key, found);
  return found;
}

/** A deployment's cgroup folder: it must be there, ours to write, and give its children a memory limit. */
function delegated(dir: string): MemoryLimit {
  const has = (f: string) => fs.existsSync(path.join(dir, f));
  if (!has('cgroup.procs'))
    throw new CgroupError(
      `PATCHWRIGHT_SANDBOX_CGROUP=${dir} is not a cgroup folder (no cgroup.procs): name a folder under /sys/fs/cgroup delegated to this app's user`,
    );
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new CgroupError(
      `PATCHWRIGHT_SANDBOX_CGROUP=${dir} is not writable by this app's user: delegate it (chown the folder and its cgroup.procs and cgroup.subtree_control)`,
    );
  }
  if (has('cgroup.controllers')) {
    const sub = fs.readFileSync(path.join(dir, 'cgroup.subtree_control'), 'utf8');
    if (!/\bmemory\b/.test(sub))
      throw new CgroupError(
        `PATCHWRIGHT_SANDBOX_CGROUP=${dir} does not hand the memory controller to its children: echo +memory > ${dir}/cgroup.subtree_control`,
      );
    return { kind: 'cgroup', dir, version: 2 };
  }
  if (has('memory.limit_in_bytes')) return { kind: 'cgroup', dir, version: 1 };
  throw new CgroupError(`PATCHWRIGHT_SANDBOX_CGROUP=${dir} is neither a cgroup v2 folder nor a v1 memory cgroup`);
}

function systemdScope(): MemoryLimit {
  const user = !(typeof process.getuid === 'function' && process.getuid() === 0);
  try {
    execFileSync(
      'systemd-run',
      [...(user ? ['--user'] : []), '--scope', '--quiet', '--collect', '-p', 'MemoryMax=64M', '--', 'true'],
      { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 },
    );
    return { kind: 'systemd-run', user };
  } catch (error) {
    const why =
      String((error as { stderr?: Buffer }).stderr ?? (error as Error).message)
        .split('\n')
        .find((l) => l.trim()) ?? 'failed';
    return {
      kind: 'none',
      why: `no cgroup to put a command in: PATCHWRIGHT_SANDBOX_CGROUP is not set and systemd-run${user ? ' --user' : ''} --scope does not work here (${why.trim().slice(0, 160)})`,
    };
  }
}

/** The program prefix that puts a command in its own memory-limited cgroup, and what to undo after it. */
export function memoryWrap(limit: MemoryLimit, bytes: number): { prefix: string[]; done: () => void } {
  if (limit.kind === 'systemd-run')
    return {
      prefix: [
        'systemd-run',
        ...(limit.user ? ['--user'] : []),
        '--scope',
        '--quiet',
        '--collect',
        '-p',
        `MemoryMax=${bytes}`,
        '-p',
        'MemorySwapMax=0',
        '--',
      ],
      done: () => {},
    };
  if (limit.kind === 'none') return { prefix: [], done: () => {} };
  const sub = path.join(limit.dir, `patchwright-${crypto.randomBytes(6).toString('hex')}`);
  fs.mkdirSync(sub);
  const set = (file: string, value: string, optional = false) => {
    if (optional && !fs.existsSync(path.join(sub, file))) return;
    fs.writeFileSync(path.join(sub, file), value);
  };
  if (limit.version === 2) {
    set('memory.max', String(bytes));
    set('memory.swap.max', '0', true);
  } else {
    set('memory.limit_in_bytes', String(bytes));
    set('memory.memsw.limit_in_bytes', String(bytes), true);
  }
  // The shell moves itself in, then becomes bwrap: everything the command starts is inside.
  return {
    prefix: ['sh', '-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', sub],
    done: () => {
      try {
        fs.rmdirSync(sub);
      } catch {
        // A real cgroup folder goes once its last process has; a leftover is removed at the next start.
      }
    },
  };
}

/** In words, for doctor and `patchwright sandbox`. */
export function describeMemoryLimit(limit: MemoryLimit, bytes: number): string {
  const mb = Math.round(bytes / 1024 ** 2);
  if (limit.kind === 'cgroup')
    return `memory: each command and everything it starts is held to ${mb} MB by a cgroup (v${limit.version}, ${limit.dir})`;
  if (limit.kind === 'systemd-run')
    return `memory: each command and everything it starts is held to ${mb} MB by a systemd scope`;
  return `memory: no cgroup limit (${limit.why}); each process is held to ${mb} MB of data (RLIMIT_DATA), so a command can still take more with many processes: set PATCHWRIGHT_SANDBOX_CGROUP to a delegated cgroup v2 folder`;
}
