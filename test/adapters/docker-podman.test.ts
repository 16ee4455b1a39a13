import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runsAsRoot } from '../../src/adapters/sandbox/sandbox-owner.ts';
import { DockerSandbox } from '../../src/adapters/sandbox/docker-sandbox.ts';
import { tempDir } from '../support/app-harness.ts';

/**
 * The docker backend, run for real: Debian's podman (a Docker-compatible CLI, no daemon) with the
 * runc runtime. No registry is reachable, so the image is built here from Debian's busybox-static
 * (`.ci/run` installs podman, runc and busybox-static). The same checks as the bwrap suite: no
 * network, a read-only root and `.git`, no secret, limits, nothing left running after a timeout.
 */

const IMAGE = 'localhost/patchwright-sandbox-test:busybox';
const root = tempDir('pw-podman-');
const worktree = path.join(root, 'wt');
const runTmp = path.join(root, 'tmp');
/** The host user containers run as when the test is root (its own: other suites' fork bombs count per user). */
const HOST_UID = 61130;
const USER = runsAsRoot() ? HOST_UID : process.getuid!();
const SECRET = `ghs_${Math.random().toString(36).slice(2)}${Date.now()}`;
let sandbox: DockerSandbox;

const podman = (...args: string[]) =>
  execFileSync('podman', ['--runtime', 'runc', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(() => {
  const ctx = tempDir('pw-image-');
  fs.copyFileSync('/bin/busybox', path.join(ctx, 'busybox'));
  fs.writeFileSync(
    path.join(ctx, 'Containerfile'),
    'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n',
  );
  podman('build', '-q', '-t', IMAGE, ctx);
  fs.mkdirSync(path.join(worktree, '.git'), { recursive: true });
  fs.writeFileSync(path.join(worktree, 'file.txt'), 'hello\n');
  process.env.PW_TEST_SECRET_TOKEN = SECRET;
  sandbox = new DockerSandbox({
    layout: { worktree, runTmp, cacheDir: path.join(root, 'cache'), readOnly: [] },
    image: IMAGE,
    cli: 'podman',
    runtime: 'runc',
    limits: { cpuSeconds: 60, processes: 64, fileSizeBytes: 1024 * 1024, memoryBytes: 256 * 1024 * 1024 },
    env: { requested: [], allowed: [], parent: process.env, deployment: [], setupOnly: [] },
    hostUid: HOST_UID,
  });
}, 120_000);

afterAll(() => {
  delete process.env.PW_TEST_SECRET_TOKEN;
});

const run = (command: string, extra: { network?: boolean; timeoutMs?: number } = {}) =>
  sandbox.run({
    command,
    cwd: worktree,
    network: extra.network ?? false,
    timeoutMs: extra.timeoutMs ?? 60_000,
    outputLimitBytes: 64 * 1024,
  });

describe('the docker backend under podman (runc)', () => {
  it('runs in the worktree as an unprivileged user and reports exit codes', async () => {
    const r = await run('id -u; pwd; cat file.txt; exit 7');
    expect(r.exitCode).toBe(7);
    expect(r.stdout).toBe(`${USER}\n${worktree}\nhello\n`);
  });

  it('has no network but loopback', async () => {
    const r = await run('ls /sys/class/net');
    expect(r.stdout.trim().split(/\s+/)).toEqual(['lo']);
  });

  it('can write the worktree (made by the app, mode 755) and /tmp, not the root or .git', async () => {
    const r = await run(
      'touch ok.txt && echo more >> file.txt && touch /tmp/ok && mkdir -p $HOME/.cache && echo writes; touch /etc/x 2>/dev/null || echo root-ro; touch .git/x 2>/dev/null || echo git-ro',
    );
    expect(r.stdout).toBe('writes\nroot-ro\ngit-ro\n');
    expect(fs.existsSync(path.join(worktree, 'ok.txt'))).toBe(true);
    expect(fs.statSync(worktree).mode & 0o777).toBe(0o755);
  });

  it('sees no secret of the app, in its environment or its command line', async () => {
    const r = await run('env; cat /proc/1/cmdline; cat /proc/self/cmdline');
    expect(r.stdout).not.toContain(SECRET);
    expect(r.stdout).not.toMatch(/PW_TEST_SECRET_TOKEN/);
  });

  it('holds a command to its limits: file size and processes', async () => {
    const big = await run('head -c 3000000 /dev/zero > big.bin; echo $?; ls -l big.bin');
    expect(Number(big.stdout.split('\n')[0])).not.toBe(0);
    expect(fs.statSync(path.join(worktree, 'big.bin')).size).toBeLessThanOrEqual(1024 * 1024);
    const procs = await run('ulimit -u');
    expect(procs.stdout.trim()).toBe('64');
  });

  it('sizes every tmpfs it has (/dev/shm, /run, /var/tmp): none is half the host’s memory', async () => {
    const r = await run('df -k /dev/shm /run /var/tmp | tail -n +2');
    const sizes = r.stdout
      .trim()
      .split('\n')
      .map((l) => Number(l.split(/\s+/)[1]));
    expect(sizes).toHaveLength(3);
    for (const kb of sizes) expect(kb).toBeLessThanOrEqual(512 * 1024);
  });

  it('leaves nothing running after a timeout', async () => {
    const r = await run('sleep 300', { timeoutMs: 2_000 });
    expect(r.timedOut).toBe(true);
    const left = podman('ps', '--all', '--filter', 'name=patchwright-', '--format', '{{.Names}}').trim();
    expect(left).toBe('');
  });
});
