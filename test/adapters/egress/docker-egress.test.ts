import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { egressFirewall, egressSettingsFrom } from '../../../src/adapters/egress/egress-policy.ts';
import { DockerSandbox } from '../../../src/adapters/sandbox/docker-sandbox.ts';
import { runsAsRoot } from '../../../src/adapters/sandbox/sandbox-owner.ts';
import { tempDir } from '../../support/app-harness.ts';
import { startStandIn, type StandIn } from '../../support/stand-in.ts';

/**
 * The firewall with the docker backend, for real under podman and runc. Images are built here
 * (no registry is reachable): busybox alone (no Perl: the bridge runs on the host, in a
 * namespace the container joins), and busybox with Debian's perl binary (the bridge runs in the
 * container, as it does under Docker's CLI).
 */
const BUSYBOX = 'localhost/patchwright-egress-test:busybox';
const PERL = 'localhost/patchwright-egress-test:perl';
const UID = 61152;
const podman = (...args: string[]) =>
  execFileSync('podman', ['--runtime', 'runc', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const canRun = runsAsRoot() && fs.existsSync('/usr/bin/podman') && fs.existsSync('/bin/busybox');

function build(tag: string, withPerl: boolean): void {
  const ctx = tempDir('pw-egress-image-');
  const put = (from: string, to: string) => (
    fs.mkdirSync(path.dirname(path.join(ctx, 'rootfs', to)), { recursive: true }),
    fs.copyFileSync(from, path.join(ctx, 'rootfs', to))
  );
  put('/bin/busybox', '/bin/busybox');
  if (withPerl) {
    put('/usr/bin/perl', '/usr/bin/perl');
    fs.chmodSync(path.join(ctx, 'rootfs/usr/bin/perl'), 0o755);
    for (const lib of execFileSync('ldd', ['/usr/bin/perl'], { encoding: 'utf8' }).matchAll(/(\/\S+\.so[.\d]*)/g))
      put(fs.realpathSync(lib[1]!), lib[1]!);
  }
  fs.writeFileSync(
    path.join(ctx, 'Containerfile'),
    'FROM scratch\nCOPY rootfs/ /\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n',
  );
  podman('build', '-q', '-t', tag, ctx);
  fs.rmSync(ctx, { recursive: true, force: true });
}

let standIn: StandIn;
let host: net.Server;
let hostPort = 0;
let hits = 0;
const root = tempDir('pw-egress-docker-');
const worktree = path.join(root, 'wt');

beforeAll(async () => {
  if (!canRun) return;
  for (const [tag, perl] of [
    [BUSYBOX, false],
    [PERL, true],
  ] as const) {
    try {
      podman('image', 'exists', tag);
    } catch {
      build(tag, perl);
    }
  }
  fs.mkdirSync(path.join(worktree, '.git'), { recursive: true });
  standIn = await startStandIn();
  host = net.createServer((s) => (hits++, s.end('host\n')));
  await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
  hostPort = (host.address() as net.AddressInfo).port;
}, 180_000);
afterAll(async () => {
  host?.close();
  await standIn?.close();
});

const sandbox = (image: string, bridge?: 'netns' | 'in-container') =>
  new DockerSandbox({
    layout: { worktree, runTmp: path.join(root, 'tmp'), cacheDir: path.join(root, 'cache'), readOnly: [] },
    image,
    cli: 'podman',
    runtime: 'runc',
    hostUid: UID,
    limits: { cpuSeconds: 60, processes: 64, fileSizeBytes: 16 * 1024 * 1024, memoryBytes: 256 * 1024 * 1024 },
    egress: egressFirewall(
      egressSettingsFrom({ PATCHWRIGHT_EGRESS_ALLOW: `npm,localhost:${standIn.httpPort},127.0.0.1:${hostPort}` }),
    ),
    ...(bridge ? { bridge } : {}),
  });
const setup = (s: DockerSandbox, command: string, timeoutMs = 60_000) =>
  s.run({ command, cwd: worktree, network: true, timeoutMs, outputLimitBytes: 64 * 1024, stage: 'setup' });
const bridges = () => {
  const out: string[] = [];
  for (const p of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      if (fs.statSync(`/proc/${p}`).uid === UID)
        out.push(fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 80));
    } catch {
      // gone
    }
  }
  return out;
};

describe.runIf(canRun)('the docker backend behind the egress firewall (podman, runc)', () => {
  it.each([
    ['an image without perl: the bridge in a host namespace the container joins', BUSYBOX, undefined],
    ['an image with perl: the bridge inside the container (as under Docker)', PERL, 'in-container' as const],
  ])('%s', async (_name, image, bridge) => {
    const before = hits;
    const s = sandbox(image, bridge);
    const r = await setup(
      s,
      `ls /sys/class/net; wget -q -O- http://localhost:${standIn.httpPort}/__echo; echo; nc -w 3 127.0.0.1 ${hostPort} </dev/null && echo PWNED; wget -q -O- http://127.0.0.1:${hostPort}/ && echo PWNED; wget -q -O- http://example.com/ 2>&1 | head -1`,
    );
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('lo');
    expect((JSON.parse(lines[1]!) as { url: string }).url).toBe('/__echo');
    expect(r.stdout).not.toContain('PWNED');
    expect(hits).toBe(before);
    expect(r.egressRefused?.map((x) => `${x.host}:${x.port}`)).toEqual([`127.0.0.1:${hostPort}`, 'example.com:80']);
    expect(r.egressRefused![0]!.reason).toMatch(/app's own listeners/);
    expect(bridges()).toEqual([]);
  });

  it('an image without perl and the bridge inside it: a message that names the fix', async () => {
    const r = await setup(sandbox(BUSYBOX, 'in-container'), 'echo hi');
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/this image has no perl[\s\S]*PATCHWRIGHT_DOCKER_CLI=podman/);
  });

  it('without network: --network none, no proxy variables; with a timeout: no container and no bridge left', async () => {
    const s = sandbox(BUSYBOX);
    const off = await s.run({
      command: 'ls /sys/class/net; env | grep -ci proxy',
      cwd: worktree,
      network: false,
      timeoutMs: 60_000,
      outputLimitBytes: 4096,
    });
    expect(off.stdout).toBe('lo\n0\n');
    const slow = await setup(s, `wget -q -O- http://localhost:${standIn.httpPort}/__echo >/dev/null; sleep 300`, 5_000);
    expect(slow.timedOut).toBe(true);
    expect(podman('ps', '--all', '--filter', 'name=patchwright-', '--format', '{{.Names}}').trim()).toBe('');
    expect(bridges()).toEqual([]);
  });
});
