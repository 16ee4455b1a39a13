import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BRIDGE_PORT, BRIDGE_SCRIPT, INSIDE_SOCKET } from './bridge-script.ts';
import { EgressSetupError, type EgressGate } from './egress-firewall.ts';

/** A network namespace with the bridge listening in it, for a container to join. */
export interface NetnsBridge {
  /** `/proc/<pid>/ns/net` of the bridge: podman's `--network ns:<path>`. */
  nsPath: string;
  stop(): void;
}

const TOP = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/**
 * For the docker backend under podman, whose image may have no Perl: the bridge runs on the
 * host instead, in a network namespace of its own made by bwrap (which brings `lo` up), seeing
 * only /usr and the gate's socket, as the container's user with no capabilities. The container
 * then joins that namespace and nothing else of it: it shares the loopback where the bridge
 * listens, and has no other way out.
 */
export async function startNetnsBridge(
  gate: EgressGate,
  user: { uid: number; gid: number } | null,
  bwrapPath = 'bwrap',
): Promise<NetnsBridge> {
  const view = ['--ro-bind', '/usr', '/usr'];
  for (const top of TOP) {
    const st = fs.lstatSync(top, { throwIfNoEntry: false });
    if (st?.isSymbolicLink()) view.push('--symlink', fs.readlinkSync(top), top);
    else if (st?.isDirectory()) view.push('--ro-bind', top, top);
  }
  const who = user
    ? ['--cap-drop', 'ALL', '--cap-add', 'CAP_SETUID', '--cap-add', 'CAP_SETGID']
    : ['--unshare-user', '--disable-userns', '--cap-drop', 'ALL'];
  const become = user
    ? ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--inh-caps=-all', '--']
    : [];
  const args = [
    ...view,
    '--dev',
    '/dev',
    '--tmpfs',
    '/run',
    '--perms',
    '0755',
    '--dir',
    path.dirname(INSIDE_SOCKET),
    '--ro-bind',
    gate.socket,
    INSIDE_SOCKET,
    ...who,
    '--unshare-net',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--die-with-parent',
    '--new-session',
    '--info-fd',
    '3',
    '--',
    ...become,
    'perl',
    '-e',
    BRIDGE_SCRIPT,
    INSIDE_SOCKET,
    String(BRIDGE_PORT),
    '--serve',
  ];
  // A PID namespace of its own: when bwrap is killed, every relay it forked goes with it.
  const child = spawn(bwrapPath, args, {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    detached: true,
    env: { PATH: '/usr/bin:/bin' },
  });
  const info = child.stdio[3] as NodeJS.ReadableStream;
  const stop = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    for (const s of [child.stdout, child.stderr]) s?.destroy();
    (info as unknown as { destroy(): void }).destroy();
  };
  const pid = await new Promise<number>((resolve, reject) => {
    let out = '';
    let err = '';
    let json = '';
    const timer = setTimeout(() => fail('it did not start within 10 s'), 10_000);
    const fail = (why: string) => (
      clearTimeout(timer),
      stop(),
      reject(
        new EgressSetupError(
          `the egress bridge's network namespace could not be made: ${why}${err ? ` (${err.trim().slice(0, 300)})` : ''}`,
        ),
      )
    );
    // bwrap says the namespace's first process (a host pid) on --info-fd; the bridge says when it listens.
    const settle = () => {
      const m = /"child-pid":\s*(\d+)/.exec(json);
      if (m && /^ready \d+\n/.test(out)) clearTimeout(timer), resolve(Number(m[1]));
    };
    info.on('data', (c: Buffer) => ((json += c.toString()), settle()));
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout!.on('data', (c: Buffer) => ((out += c.toString()), settle()));
    child.once('error', (e) => fail(e.message));
    child.once('exit', (code) => fail(`bwrap exited (${code})`));
  });
  return { nsPath: `/proc/${pid}/ns/net`, stop };
}
