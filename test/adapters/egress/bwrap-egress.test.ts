import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostOnlyDir } from '../../../src/adapters/egress/egress-firewall.ts';
import { egressFirewall, egressSettingsFrom } from '../../../src/adapters/egress/egress-policy.ts';
import { BwrapSandbox } from '../../../src/adapters/sandbox/bwrap-sandbox.ts';
import type { SandboxResult } from '../../../src/core/ports.ts';
import { tempDir } from '../../support/app-harness.ts';
import { startStandIn, type StandIn } from '../../support/stand-in.ts';

/**
 * The firewall through the real sandbox, as setup runs: a network namespace of its own whose only
 * way out is the bridge to the egress proxy. Every way out a setup step could try is tried, and
 * the host's listeners (TCP, UDP, a unix socket, an abstract socket) count what reached them.
 */
const UID = 61150;
const root = tempDir('pw-egress-bwrap-');
const worktree = path.join(root, 'wt');
fs.mkdirSync(worktree);
const tag = crypto.randomBytes(4).toString('hex');
const hits: string[] = [];
let standIn: StandIn;
let tcp: net.Server;
let unix: net.Server;
let abstract: net.Server;
let udp: dgram.Socket;
let tcpPort = 0;
let udpPort = 0;
const unixPath = path.join(root, 'host.sock');
const abstractName = `pw-egress-abstract-${tag}`;
let sandbox: BwrapSandbox;

const listen = (s: net.Server, where: string | number) =>
  new Promise<void>((r) => (typeof where === 'number' ? s.listen(where, '127.0.0.1', r) : s.listen(where, r)));

beforeAll(async () => {
  standIn = await startStandIn();
  tcp = net.createServer((s) => (hits.push('tcp'), s.end()));
  unix = net.createServer((s) => (hits.push('unix'), s.end()));
  abstract = net.createServer((s) => (hits.push('abstract'), s.end()));
  await listen(tcp, 0);
  tcpPort = (tcp.address() as net.AddressInfo).port;
  await listen(unix, unixPath);
  fs.chmodSync(unixPath, 0o777);
  await listen(abstract, `\0${abstractName}`);
  udp = dgram.createSocket('udp4').on('message', () => hits.push('udp'));
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  udpPort = udp.address().port;
  const settings = egressSettingsFrom({
    PATCHWRIGHT_EGRESS_ALLOW: `npm,localhost:${standIn.httpPort},localhost:${standIn.echoPort},127.0.0.1:${tcpPort},169.254.169.254,10.0.0.1`,
    PATCHWRIGHT_REDIS_URL: `redis://localhost:${standIn.echoPort}`,
  });
  sandbox = new BwrapSandbox({
    layout: { worktree, runTmp: path.join(root, 'tmp'), cacheDir: path.join(root, 'cache'), readOnly: [] },
    hostUid: UID,
    egress: egressFirewall(settings),
  });
});
afterAll(async () => {
  for (const s of [tcp, unix, abstract]) s?.close();
  udp?.close();
  await standIn?.close();
});

const setup = (command: string, timeoutMs = 30_000): Promise<SandboxResult> =>
  sandbox.run({ command, cwd: worktree, network: true, timeoutMs, outputLimitBytes: 256 * 1024, stage: 'setup' });
const py = (code: string) => `python3 -c ${JSON.stringify(code)} 2>&1`;

describe('setup behind the egress firewall (bwrap)', () => {
  it('has a namespace of its own with only lo, up; the proxy variables point at the bridge; no DNS', async () => {
    const r = await setup(
      `tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\\n' ' '; echo; ${py("import fcntl, socket, struct; s = socket.socket(); print('lo flags', struct.unpack('16sH', fcntl.ioctl(s, 0x8913, struct.pack('16sH', b'lo', 0)))[1] & 1)")}; env | grep -iE "^(https?|all|no)_proxy=" | sort; getent hosts registry.npmjs.org || echo no-dns`,
    );
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]!.trim()).toBe('lo');
    // IFF_UP: bwrap brings the namespace's loopback up, which the bridge listens on.
    expect(lines[1]).toBe('lo flags 1');
    expect(lines).toEqual(
      expect.arrayContaining([
        'HTTP_PROXY=http://127.0.0.1:3128',
        'HTTPS_PROXY=http://127.0.0.1:3128',
        'http_proxy=http://127.0.0.1:3128',
        'https_proxy=http://127.0.0.1:3128',
        'NO_PROXY=',
        'no_proxy=',
      ]),
    );
    expect(lines.at(-1)).toBe('no-dns');
  });

  it("replaces a deployment's own proxy variables, in every spelling", async () => {
    const corp = 'http://corp-proxy.example:8080';
    const box = new BwrapSandbox({
      layout: { worktree, runTmp: path.join(root, 'tmp'), cacheDir: path.join(root, 'cache'), readOnly: [] },
      hostUid: UID,
      env: {
        parent: { ...process.env, HTTPS_PROXY: corp, NPM_CONFIG_PROXY: corp, Yarn_Https_Proxy: corp },
        deployment: ['HTTPS_PROXY', 'NPM_CONFIG_PROXY', 'Yarn_Https_Proxy'],
      },
    });
    const r = await box.run({
      command: 'env | grep -i corp-proxy; echo "$HTTPS_PROXY"',
      cwd: worktree,
      network: true,
      timeoutMs: 20_000,
      outputLimitBytes: 4096,
      stage: 'setup',
    });
    expect(r.stdout).toBe('http://127.0.0.1:3128\n');
  });

  it('reaches an allowed host by name, with plain HTTP and through a CONNECT tunnel', async () => {
    const r = await setup(
      `curl -sS -m 10 http://localhost:${standIn.httpPort}/__echo; echo; curl -sS -m 10 --proxytunnel http://localhost:${standIn.httpPort}/__echo`,
    );
    const [plain, tunnelled] = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { url: string });
    expect(plain!.url).toBe('/__echo');
    expect(tunnelled!.url).toBe('/__echo');
    expect(r.egressRefused).toBeUndefined();
  });

  /** Each attempt prints PWNED only if its step worked. */
  type Ports = { tcp: number; udp: number; redis: number };
  /** [what, the script, the destination the proxy must have refused (on this machine nothing answers at some of these: the refusal is what shows the firewall held)]. */
  const ATTEMPTS: Array<[string, (p: Ports) => string, string?]> = [
    [
      'a loopback listener of the host, directly',
      (p) => py(`import socket; socket.create_connection(('127.0.0.1', ${p.tcp}), 3); print('PWNED')`),
    ],
    [
      "a loopback listener of the host, through the proxy (an entry names it, but it is the app's own)",
      (p) => `curl -sf -m 5 http://127.0.0.1:${p.tcp}/ && echo PWNED`,
    ],
    [
      'a host unix socket by path',
      () => py(`import socket; s=socket.socket(socket.AF_UNIX); s.connect('${unixPath}'); print('PWNED')`),
    ],
    [
      'a host abstract unix socket',
      () => py(`import socket; s=socket.socket(socket.AF_UNIX); s.connect('\\0${abstractName}'); print('PWNED')`),
    ],
    ['cloud metadata, directly', () => `curl -sf -m 5 --noproxy '*' http://169.254.169.254/ && echo PWNED`],
    [
      'cloud metadata, through the proxy',
      () => `curl -sf -m 5 http://169.254.169.254/latest/meta-data/ && echo PWNED`,
      '169.254.169.254:80',
    ],
    ['a private address, through the proxy', () => `curl -sf -m 5 -p https://10.0.0.1/ && echo PWNED`, '10.0.0.1:443'],
    [
      'Redis, through the proxy',
      (p) =>
        `(printf 'PING\\r\\n' | curl -s -m 5 -p telnet://localhost:${p.redis} | grep -q hello) && echo PWNED; true`,
    ],
    [
      'the host over UDP',
      (p) =>
        py(
          `import socket, time; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); [s.sendto(b'x', ('127.0.0.1', ${p.udp})) for i in range(3)]; time.sleep(0.2)`,
        ),
    ],
    ['a host not on the list', () => `curl -sf -m 5 https://example.com/ && echo PWNED; true`, 'example.com:443'],
    // The sandbox's own /run is its to write (as an unprivileged app's sandbox user owns it), but the mount point stays, and the host's folder is not reachable.
    [
      'the proxy socket, to replace it',
      () =>
        `rm -f /run/patchwright-egress/proxy.sock 2>/dev/null; mv /run/patchwright-egress/proxy.sock /tmp/x 2>/dev/null; [ -S /run/patchwright-egress/proxy.sock ] || echo PWNED; grep -q patchwright-egress /proc/self/mountinfo || echo PWNED; true`,
    ],
    [
      'another network namespace',
      () =>
        `unshare -n true 2>/dev/null && echo PWNED; nsenter --net=/proc/1/ns/net true 2>/dev/null && echo PWNED; true`,
    ],
  ];

  it.each(ATTEMPTS)('cannot reach %s', async (_name, script, refused) => {
    const before = hits.length;
    const echoes = standIn.echoes();
    const r = await setup(script({ tcp: tcpPort, udp: udpPort, redis: standIn.echoPort }));
    expect(r.stdout + r.stderr).not.toContain('PWNED');
    if (refused) expect(r.egressRefused?.map((x) => `${x.host}:${x.port}`)).toEqual([refused]);
    expect(hits.slice(before)).toEqual([]);
    expect(standIn.echoes()).toBe(echoes);
  });

  it('says what it refused, in the result and in the output the setup log and the model see', async () => {
    const r = await setup(
      `curl -s -m 5 https://example.com/ >/dev/null; curl -s -m 5 https://example.com/ >/dev/null; curl -s -m 5 http://169.254.169.254/ >/dev/null; true`,
    );
    expect(r.egressRefused).toEqual([
      { host: 'example.com', port: 443, count: 2, reason: expect.stringContaining('not on the allow-list') },
      { host: '169.254.169.254', port: 80, count: 1, reason: expect.stringContaining('link-local') },
    ]);
    expect(r.stderr).toContain('[egress firewall] refused example.com:443 (2 times): not on the allow-list');
  });

  it('without network (the agent loop, the tests): no bridge, no proxy variables, no way out', async () => {
    const r = await sandbox.run({
      command: `env | grep -ci proxy; ${py("import socket; socket.create_connection(('127.0.0.1', 3128), 3); print('PWNED')")} >/dev/null; ls /run/patchwright-egress 2>&1 | head -1`,
      cwd: worktree,
      network: false,
      timeoutMs: 20_000,
      outputLimitBytes: 4096,
    });
    expect(r.stdout).toMatch(/^0\n.*No such file or directory/s);
  });

  it('leaves no bridge or tunnel behind: not after a command ends, not after it times out with a tunnel open', async () => {
    const mine = () =>
      fs
        .readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            return fs.statSync(`/proc/${p}`).uid === UID && fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(tag);
          } catch {
            return false;
          }
        });
    await setup(`: ${tag}; curl -s -m 5 http://localhost:${standIn.httpPort}/__echo >/dev/null`);
    const slow = await setup(
      `: ${tag}; (printf x; sleep 60) | curl -s -p telnet://localhost:${standIn.echoPort} >/dev/null`,
      3_000,
    );
    expect(slow.timedOut).toBe(true);
    expect(mine()).toEqual([]);
    // Nor a socket: each command's proxy is closed and its socket removed.
    expect(fs.readdirSync(hostOnlyDir()).filter((f) => f.endsWith('.sock'))).toEqual([]);
  });
});
