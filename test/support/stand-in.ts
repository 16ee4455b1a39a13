import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './app-harness.ts';

export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[]>;
}

export interface StandIn {
  /** The HTTP server: registry, pip mirror and `/__echo` (what it was sent, as JSON). */
  httpPort: number;
  /** A TCP service that says hello and echoes. */
  echoPort: number;
  /** Requests the HTTP server got, and how many connections the echo service got. */
  requests: SeenRequest[];
  echoes: () => number;
  close(): Promise<void>;
}

export interface StandInConfig {
  /** The name the sandbox uses for it (a registry "by name"): `localhost` resolves to loopback on every host. */
  host?: string;
  npm?: Array<{ name: string; version: string; tarball: string }>;
  pypi?: Array<{ project: string; wheel: string }>;
}

/** Starts the stand-in services in a child process (see stand-in-server.ts). */
export async function startStandIn(config: StandInConfig = {}): Promise<StandIn> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'stand-in-server.ts');
  const full = { host: config.host ?? 'localhost', npm: config.npm ?? [], pypi: config.pypi ?? [] };
  const child: ChildProcess = fork(script, [JSON.stringify(full)], {
    execPath: process.execPath,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const requests: SeenRequest[] = [];
  let echoes = 0;
  const ports = await new Promise<{ httpPort: number; echoPort: number }>((resolve, reject) => {
    child.on('message', (m: { type: string } & Record<string, unknown>) => {
      if (m.type === 'ready') resolve(m as unknown as { httpPort: number; echoPort: number });
      else if (m.type === 'request') requests.push(m as unknown as SeenRequest);
      else if (m.type === 'echo') echoes++;
    });
    child.once('exit', (code) => reject(new Error(`the stand-in server exited (${code})`)));
  });
  return {
    ...ports,
    requests,
    echoes: () => echoes,
    close: () =>
      new Promise<void>((resolve) =>
        child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGKILL')),
      ),
  };
}

/** A real npm package from this checkout's node_modules, packed as the registry serves it (no scripts run). */
export function packFromNodeModules(name: string): { name: string; version: string; tarball: string } {
  const dir = path.resolve('node_modules', name);
  const version = (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const out = tempDir('pw-pack-');
  const file = execFileSync('npm', ['pack', dir, '--ignore-scripts', '--pack-destination', out, '--silent'], {
    encoding: 'utf8',
    cwd: out,
  })
    .trim()
    .split('\n')
    .pop()!;
  return { name, version, tarball: path.join(out, file) };
}

/**
 * A pure-Python wheel made here (pip's own format: METADATA, WHEEL, RECORD), so the pip test
 * needs no index: `import <module>` prints `<module> <version>`.
 */
export function makeWheel(project: string, version: string): string {
  const out = tempDir('pw-wheel-');
  const file = path.join(out, `${project}-${version}-py3-none-any.whl`);
  const py = `
import base64, hashlib, sys, zipfile
project, version, file = sys.argv[1:4]
info = f"{project}-{version}.dist-info"
files = {
  f"{project}.py": f"VERSION = '{version}'\\nprint('{project}', VERSION)\\n",
  f"{info}/METADATA": f"Metadata-Version: 2.1\\nName: {project}\\nVersion: {version}\\n",
  f"{info}/WHEEL": "Wheel-Version: 1.0\\nGenerator: patchwright-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
rows = []
with zipfile.ZipFile(file, "w") as z:
  for name, text in files.items():
    data = text.encode()
    z.writestr(name, data)
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    rows.append(f"{name},sha256={digest},{len(data)}")
  rows.append(f"{info}/RECORD,,")
  z.writestr(f"{info}/RECORD", "\\n".join(rows) + "\\n")
`;
  execFileSync('python3', ['-c', py, project, version, file]);
  return file;
}
