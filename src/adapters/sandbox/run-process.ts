import { execa } from 'execa';
import type { SandboxResult } from '../../core/ports.ts';
import { OutputCapture } from './output-capture.ts';
import type { ExtraFd } from './render-mounts.ts';

export interface ProcessSpec {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
  outputLimitBytes: number;
  signal?: AbortSignal | undefined;
  /** What the child gets on fd 3, 4, ...: content through a pipe, an open descriptor, or a pipe read back (at most 4 KB). */
  extra?: ExtraFd[];
  /** Checked twice a second while the command runs: a reason to stop it (the disk filling up), or null. */
  watch?: () => string | null;
}

const READ_BACK_LIMIT = 4096;

/**
 * The one place sandboxed commands are spawned. The child leads its own process group, and a
 * timeout or abort kills the whole group with SIGKILL, so nothing it started survives.
 */
export async function runProcess(spec: ProcessSpec): Promise<SandboxResult & { readBack: string[] }> {
  const started = performance.now();
  const stdout = new OutputCapture(spec.outputLimitBytes);
  const stderr = new OutputCapture(spec.outputLimitBytes);
  const extra = spec.extra ?? [];
  const child = execa(spec.file, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    extendEnv: false,
    detached: true,
    buffer: false,
    reject: false,
    // execa's types do not list an open descriptor as an extra fd, though it passes one through.
    stdio: [
      'ignore',
      'pipe',
      'pipe',
      ...extra.map((x) => ('data' in x ? x.data : 'fd' in x ? ({ value: x.fd, input: true } as never) : 'pipe')),
    ],
    encoding: 'buffer',
  });
  const readBack = extra.map(() => '');
  extra.forEach((x, i) => {
    if (!('read' in x)) return;
    const stream = child.stdio[3 + i] as NodeJS.ReadableStream | null;
    stream?.on('data', (c: Buffer) => {
      if (readBack[i]!.length < READ_BACK_LIMIT)
        readBack[i] += c.toString('utf8').slice(0, READ_BACK_LIMIT - readBack[i]!.length);
    });
  });
  child.stdout?.on('data', (c: Buffer) => stdout.push(c));
  child.stderr?.on('data', (c: Buffer) => stderr.push(c));
  let timedOut = false;
  let cancelled = false;
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, spec.timeoutMs);
  const onAbort = () => {
    cancelled = true;
    killGroup();
  };
  if (spec.signal?.aborted) onAbort();
  spec.signal?.addEventListener('abort', onAbort, { once: true });
  let stoppedFor: string | null = null;
  const watcher = spec.watch
    ? setInterval(() => {
        const why = spec.watch!();
        if (why && !stoppedFor) {
          stoppedFor = why;
          killGroup();
        }
      }, 500)
    : undefined;
  const why = spec.watch?.();
  if (why) {
    stoppedFor = why;
    killGroup();
  }
  try {
    const result = await child;
    return {
      exitCode: typeof result.exitCode === 'number' ? result.exitCode : null,
      signal: result.signal ?? null,
      stdout: stdout.text(),
      stderr:
        stderr.text() +
        (stoppedFor
          ? `\n[stopped: ${stoppedFor}]`
          : result.failed && result.exitCode === undefined && !timedOut && !cancelled
            ? result.message
            : ''),
      durationMs: Math.round(performance.now() - started),
      timedOut,
      cancelled,
      readBack,
    };
  } finally {
    clearTimeout(timer);
    if (watcher) clearInterval(watcher);
    spec.signal?.removeEventListener('abort', onAbort);
    // The leader may have exited while its children live on: make sure the group is gone.
    killGroup();
  }
}
