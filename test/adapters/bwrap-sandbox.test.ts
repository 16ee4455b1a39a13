import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BwrapSandbox } from '../../src/adapters/sandbox/bwrap-sandbox.ts';
import { tempDir } from '../support/app-harness.ts';

const root = tempDir('pw-sbx-');
const worktree = path.join(root, 'data', 'worktrees', 'run1');
const secretDir = path.join(root, 'app');
fs.mkdirSync(path.join(worktree, '.git'), { recursive: true });
fs.mkdirSync(secretDir, { recursive: true });
fs.writeFileSync(path.join(secretDir, '.env'), 'OPENAI_API_KEY=top-secret\n');
fs.writeFileSync(path.join(worktree, '.git', 'HEAD'), 'ref: refs/heads/main\n');

const TOKEN = `ghs_${Math.random().toString(36).slice(2)}${Date.now()}`;
// This file's own sandbox user (one for all its sandboxes, as all jobs of a deployment share one):
// the process limit counts per user, and other test files' sandboxes run at the same time.
const FILE_UID = 61103;
const sandbox = new BwrapSandbox({
  hostUid: FILE_UID,
  layout: {
    worktree,
    runTmp: path.join(root, 'tmp'),
    cacheDir: path.join(root, 'cache'),
    readOnly: [],
  },
  env: {
    parent: { ...process.env, GITHUB_TOKEN: TOKEN, OPENAI_API_KEY: TOKEN, SAFE_NAME: 'ok' },
    requested: ['SAFE_NAME', 'OPENAI_API_KEY'],
    allowed: ['SAFE_NAME', 'OPENAI_API_KEY'],
  },
});
const run = (
  command: string | string[],
  extra: { network?: boolean; timeoutMs?: number; outputLimitBytes?: number; signal?: AbortSignal } = {},
) =>
  sandbox.run({
    command,
    cwd: worktree,
    timeoutMs: extra.timeoutMs ?? 20_000,
    network: extra.network ?? false,
    outputLimitBytes: extra.outputLimitBytes ?? 64 * 1024,
    ...(extra.signal ? { signal: extra.signal } : {}),
  });

let listener: net.Server;
let port = 0;
beforeAll(async () => {
  listener = net.createServer((s) => {
    s.on('error', () => {});
    s.end('hello');
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  port = (listener.address() as net.AddressInfo).port;
});
afterAll(() => listener.close());

describe('bwrap sandbox', () => {
  it('runs argv and scripts in the worktree and reports exit codes', async () => {
    const res = await run(['sh', '-c', 'pwd; exit 3']);
    expect(res.exitCode).toBe(3);
    expect(res.stdout.trim()).toBe(worktree);
    expect((await run('echo $((1+2))')).stdout.trim()).toBe('3');
  });

  it('cannot reach a listening loopback port of the host, without network or with it (its own namespace, the egress proxy its only way out)', async () => {
    const probe = `exec 3<>/dev/tcp/127.0.0.1/${port} && echo connected`;
    const off = await run(['bash', '-c', probe]);
    expect(off.exitCode).not.toBe(0);
    expect(off.stdout).not.toContain('connected');
    const on = await run(
      ['bash', '-c', `${probe}; curl -s -m 5 -o /dev/null -w 'proxy said %{http_code}\\n' http://127.0.0.1:${port}/`],
      { network: true },
    );
    expect(on.stdout).not.toContain('connected');
    expect(on.stdout).toContain('proxy said 403');
    expect(on.egressRefused).toEqual([expect.objectContaining({ host: '127.0.0.1', port, count: 1 })]);
  });

  it('can write the worktree and its temp dir, but not outside, nor .git', async () => {
    const res = await run(
      'echo ok > file.txt && echo t > /tmp/t && echo x > /etc/pw-x; echo $?; echo y > .git/HEAD; echo $?',
    );
    const [etc, git] = res.stdout.trim().split('\n');
    expect(fs.readFileSync(path.join(worktree, 'file.txt'), 'utf8')).toBe('ok\n');
    expect(etc).not.toBe('0');
    expect(git).not.toBe('0');
    expect(fs.existsSync('/etc/pw-x')).toBe(false);
    expect(fs.readFileSync(path.join(worktree, '.git', 'HEAD'), 'utf8')).toContain('refs/heads/main');
  });

  it('sees no token of the app: not in the environment, not on disk', async () => {
    const res = await run(`env; cat ${secretDir}/.env; ls ${path.join(root, 'data')}`);
    expect(res.stdout).not.toContain(TOKEN);
    expect(res.stdout).not.toContain('top-secret');
    expect(res.stdout).toContain('SAFE_NAME=ok');
    expect(res.stdout).toContain('CI=true');
    expect(res.stdout).toMatch(/HOME=\/tmp\/home/);
  });

  it('kills a whole tree of sleeping processes on timeout', async () => {
    const marker = `pw-sleep-${Date.now()}`;
    // A duration no other test uses, so only this tree's sleepers are counted.
    const secs = `300.${Math.floor(Math.random() * 1e6)}`;
    const res = await run(['bash', '-c', `(sleep ${secs} & sleep ${secs} & wait) & exec -a ${marker} sleep ${secs}`], {
      timeoutMs: 500,
    });
    expect(res.timedOut).toBe(true);
    const survivors = () =>
      fs
        .readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .map((p) => {
          try {
            return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
          } catch {
            return '';
          }
        })
        .filter((c) => c.includes(marker) || c.includes(`sleep\u0000${secs}`));
    // SIGKILL is delivered at once, but on a loaded machine the processes may take a moment to go.
    for (let i = 0; i < 50 && survivors().length; i++) await new Promise((r) => setTimeout(r, 100));
    expect(survivors()).toEqual([]);
  });

  it('is cancelled at once by an abort signal', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const res = await run('sleep 60', { signal: controller.signal });
    expect(res.cancelled).toBe(true);
    expect(res.durationMs).toBeLessThan(30_000);
  });

  it("measures each command's process tree with the kernel's accounting: CPU time and peak memory, exit status unchanged", async () => {
    // A child process that holds ~120 MB and burns CPU, under a shell: the tree is what counts.
    const heavy = await run([
      'sh',
      '-c',
      'perl -e \'my $x = "a" x 120_000_000; my $n = 0; $n += $_ for 1 .. 4_000_000;\'; exit 3',
    ]);
    expect(heavy.exitCode).toBe(3);
    expect(heavy.usage!.peakRssKb).toBeGreaterThan(110_000);
    expect(heavy.usage!.cpuMs).toBeGreaterThan(50);
    const light = await run(['true']);
    expect(light.usage!.peakRssKb).toBeLessThan(20_000);
    expect(light.usage!.cpuMs).toBeLessThan(heavy.usage!.cpuMs);
    const killed = await run(['sh', '-c', 'kill -9 $$']);
    // As without the measuring: bwrap reports a child killed by SIGKILL as 128 + 9.
    expect(killed.exitCode).toBe(137);
  });

  it('keeps head and tail of huge output within the limit', async () => {
    const res = await run('echo FIRST; head -c 5000000 /dev/zero | tr "\\0" x; echo; echo LAST', {
      outputLimitBytes: 1000,
    });
    expect(res.stdout.startsWith('FIRST')).toBe(true);
    expect(res.stdout.trim().endsWith('LAST')).toBe(true);
    expect(res.stdout).toMatch(/\[\.\.\. \d+ bytes cut \.\.\.\]/);
    expect(res.stdout.length).toBeLessThan(1100);
  });
});

describe('bwrap resource limits', () => {
  it('stops a command that writes past the file-size limit', async () => {
    const limited = new BwrapSandbox({
      hostUid: FILE_UID,
      layout: { worktree, runTmp: path.join(root, 'tmp2'), cacheDir: path.join(root, 'cache'), readOnly: [] },
      limits: { cpuSeconds: 60, processes: 4096, fileSizeBytes: 1024 * 1024, memoryBytes: 8 * 1024 ** 3 },
    });
    const res = await limited.run({
      command: 'head -c 3000000 /dev/zero > big.bin',
      cwd: worktree,
      timeoutMs: 20_000,
      network: false,
      outputLimitBytes: 4096,
    });
    expect(res.exitCode).not.toBe(0);
    expect(fs.statSync(path.join(worktree, 'big.bin')).size).toBeLessThanOrEqual(1024 * 1024);
  });
});

describe('bwrap against a hostile command', () => {
  const bombProcesses = (marker: string) =>
    fs.readdirSync('/proc').filter((p) => {
      try {
        return /^\d+$/.test(p) && fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    }).length;

  it('a fork bomb is held to the process limit (even when the app runs as root), and another sandbox still runs', async () => {
    const bombBox = new BwrapSandbox({
      layout: { worktree, runTmp: path.join(root, 'tmp-bomb'), cacheDir: path.join(root, 'cache'), readOnly: [] },
      limits: { cpuSeconds: 60, processes: 128, fileSizeBytes: 1024 * 1024, memoryBytes: 1024 ** 3 },
      hostUid: FILE_UID,
    });
    // Counted by a marker in the bomb's own command line: other tests may run processes meanwhile.
    const marker = `pw-bomb-${Date.now()}`;
    const bomb = bombBox.run({
      command: ['bash', '-c', `: ${marker}; bomb() { bomb | bomb & }; bomb; sleep 20`],
      cwd: worktree,
      timeoutMs: 6000,
      network: false,
      outputLimitBytes: 1024,
    });
    await new Promise((r) => setTimeout(r, 2500));
    const during = bombProcesses(marker);
    const other = await run(['node', '-e', 'console.log("still fine")']);
    await bomb;
    expect(during).toBeLessThanOrEqual(140);
    expect(other.stdout.trim()).toBe('still fine');
  });

  it('hands the command no descriptor but 0-2: the figures come back through a pipe the command does not hold, and nothing is read from its /tmp', async () => {
    // A child's own descriptors, seen from outside it (a listing would show its own).
    const res = await run(['sh', '-c', 'sleep 2 & p=$!; ls /proc/$p/fd | sort -n | tr "\\n" " "; kill $p']);
    expect(res.stdout.trim()).toBe('0 1 2');
    expect(res.usage!.cpuMs).toBeGreaterThanOrEqual(0);
    // Where the figures used to be written: a FIFO or a link planted anywhere in /tmp is never opened by the host.
    const planted = await run([
      'sh',
      '-c',
      'mkfifo /tmp/.pw-rusage-x /tmp/fifo && ln -s /etc/passwd /tmp/.pw-link && echo planted',
    ]);
    expect(planted.stdout).toBe('planted\n');
    const after = await run(['true'], { timeoutMs: 20_000 });
    expect(after.timedOut).toBe(false);
    expect(after.usage).toBeDefined();
    expect(sandbox.audit().reads).toEqual([]);
  });

  it('has no capabilities, a seccomp filter, and cannot make namespaces or mounts', async () => {
    const res = await run(
      'grep -E "^(CapEff|Seccomp):" /proc/self/status; unshare -U true 2>/dev/null && echo USERNS; unshare -n true 2>/dev/null && echo NETNS; mount -t tmpfs x /tmp 2>/dev/null && echo MOUNT; id -u',
    );
    expect(res.stdout).toMatch(/CapEff:\s+0+\n/);
    expect(res.stdout).toMatch(/Seccomp:\s+2/);
    expect(res.stdout).not.toMatch(/USERNS|NETNS|MOUNT/);
    expect(res.stdout.trim().split('\n').at(-1)).not.toBe('0');
  });

  it('sees an allow-list of the host: no /root, /home, /var/tmp files, host sockets or the app’s directory', async () => {
    const res = await run(`ls -a /root /home /var/tmp /run ${process.cwd()} 2>&1; cat /etc/shadow 2>&1 | head -1`);
    expect(res.stdout).not.toMatch(/package\.json|\.bashrc|\.sock/);
    expect(res.stdout).toMatch(/No such file or directory/);
  });
});

describe('bwrap and the host disk', () => {
  it('a command that fills the disk is stopped before the host drops below its floor', async () => {
    const s = fs.statfsSync(worktree);
    const free = s.bavail * s.bsize;
    const floor = free - 150 * 1024 ** 2;
    const box = new BwrapSandbox({
      hostUid: FILE_UID,
      layout: { worktree, runTmp: path.join(root, 'tmp-disk'), cacheDir: path.join(root, 'cache'), readOnly: [] },
      minFreeBytes: floor,
    });
    try {
      const res = await box.run({
        command: 'for i in 1 2 3 4 5 6 7 8; do head -c 100M /dev/zero > fill$i; sleep 0.3; done; echo finished',
        cwd: worktree,
        timeoutMs: 60_000,
        network: false,
        outputLimitBytes: 4096,
      });
      expect(res.stdout).not.toContain('finished');
      expect(res.stderr).toMatch(/stopped: the disk has \d+ MB free, below the \d+ MB the host keeps/);
      const written = fs
        .readdirSync(worktree)
        .filter((f) => f.startsWith('fill'))
        .reduce((n, f) => n + fs.statSync(path.join(worktree, f)).size, 0);
      expect(written).toBeLessThan(400 * 1024 ** 2);
    } finally {
      for (const f of fs.readdirSync(worktree).filter((n) => n.startsWith('fill'))) fs.rmSync(path.join(worktree, f));
    }
  });
});
