import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import net from 'node:net';

export interface RedisServer {
  /** With the password in it (`redis://:PASSWORD@127.0.0.1:PORT`), unless started without one. */
  url: string;
  port: number;
  /** Null when started without one (`{ password: null }`). */
  password: string | null;
  /** SIGKILL: no chance to save anything but what the append-only file already holds. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data dir (reading the append-only file back). */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Debian's `redis-server`, on a free port, with its append-only file fsynced on every write, and
 * a password made now (as a deployment's Redis has; `{ password: null }` for one without).
 */
export async function startRedis(dir: string, opts: { password?: string | null } = {}): Promise<RedisServer> {
  const port = await freePort();
  const password = opts.password === undefined ? crypto.randomBytes(18).toString('hex') : opts.password;
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
        '--protected-mode',
        'yes',
        ...(password ? ['--requirepass', password] : []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 15_000);
      child!.stdout!.on('data', () => {
        if (/Ready to accept connections/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child!.once('exit', (code) => reject(new Error(`redis-server exited (${code}):\n${out}`)));
    });
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  };
  await start();
  return {
    url: password ? `redis://:${password}@127.0.0.1:${port}` : `redis://127.0.0.1:${port}`,
    port,
    password,
    kill,
    start,
    close: kill,
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
