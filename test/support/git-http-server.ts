import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface GitServer {
  url: string;
  root: string;
  /** Authorization headers seen, to prove the token travelled in a header. */
  authHeaders: string[];
  /** Every request's path, to prove what was (or was not) fetched. */
  paths: string[];
  close(): Promise<void>;
}

/**
 * Git smart HTTP over loopback: real `git http-backend` as CGI, requiring
 * `Authorization: Basic x-access-token:<token>` like GitHub (`open` repositories, by name, are
 * readable without it, like a public repository).
 */
export async function startGitServer(
  root: string,
  token: string | ((presented: string, path: string) => boolean),
  opts: { open?: string[] } = {},
): Promise<GitServer> {
  const accepts = (auth: string, url: string) => {
    const m = /^Basic (.+)$/.exec(auth);
    const [user, presented] = m ? Buffer.from(m[1]!, 'base64').toString().split(':') : [];
    if (user !== 'x-access-token' || !presented) return false;
    return typeof token === 'string' ? presented === token : token(presented, url);
  };
  const authHeaders: string[] = [];
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    authHeaders.push(auth);
    paths.push(req.url ?? '');
    const readable = (opts.open ?? []).some(
      (name) => (req.url ?? '').startsWith(`/${name}.git/`) && !/git-receive-pack/.test(req.url ?? ''),
    );
    if (!accepts(auth, req.url ?? '') && !readable) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' }).end('unauthorized');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        REMOTE_USER: 'x-access-token',
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
      },
    });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) return void res.write(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString().split('\r\n')) {
        const [k, ...v] = line.split(':');
        if (!k) continue;
        if (k.toLowerCase() === 'status') status = Number(v.join(':').trim().split(' ')[0]);
        else headers[k] = v.join(':').trim();
      }
      res.writeHead(status, headers);
      res.write(head.subarray(end + 4));
    });
    cgi.on('close', () => res.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    root,
    authHeaders,
    paths,
    close: () => new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections())),
  };
}

/** A bare repo `<root>/<name>.git` with the given files committed on `main`. */
export function makeRemoteRepo(
  root: string,
  name: string,
  files: Record<string, string>,
  commits = 1,
  subjects: string[] = [],
): string {
  const work = fs.mkdtempSync(path.join(root, 'work-'));
  const run = (...args: string[]) => execFileSync('git', args, { cwd: work, env: gitEnv() });
  run('init', '-q', '-b', 'main');
  for (let i = 0; i < commits; i++) {
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
      fs.writeFileSync(path.join(work, file), i === 0 ? text : `${text}\n// ${i}\n`);
    }
    run('add', '-A');
    run('commit', '-q', '--allow-empty', '-m', `commit ${i}`);
  }
  for (const subject of subjects) run('commit', '-q', '--allow-empty', '-m', subject);
  const bare = path.join(root, `${name}.git`);
  execFileSync('git', ['clone', '-q', '--bare', work, bare]);
  execFileSync('git', ['config', 'http.receivepack', 'true'], { cwd: bare });
  fs.rmSync(work, { recursive: true, force: true });
  return bare;
}

export function gitEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
  };
}
