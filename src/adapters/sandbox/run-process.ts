import { execa } from 'execa';
import type { SandboxResult } from '../../core/ports.ts';
import { OutputCapture } from './output-capture.ts';

export interface ProcessSpec {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
  outputLimitBytes: number;
  signal?: AbortSignal | undefined;
  /** Open file descriptors handed to the child as fd 3, 4, ... */
  extraFds?: number[];
  /** Checked twice a second while the command runs: a reason to stop it (the disk filling up), or null. */
  watch?: () => string | null;
}

/**
 * The one place sandboxed commands are spawned. The child leads its own process group, and a
 * timeout or abort kills the whole group with SIGKILL, so nothing it started survives.
 */
export async function runProcess(spec: ProcessSpec): Promise<SandboxResult> {
  const started = performance.now();
  const stdout = new OutputCapture(spec.outputLimitBytes);
  const stderr = new OutputCapture(spec.outputLimitBytes);
  const child = execa(spec.file, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    extendEnv: false,
    detached: true,
    buffer: false,
    reject: false,
    // execa's types do not list an open descriptor as an extra fd, though it passes one through.
    stdio: ['ignore', 'pipe', 'pipe', ...(spec.extraFds ?? []).map((fd) => ({ value: fd, input: true }) as never)],
    encoding: 'buffer',
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
      stderr: stderr.text() + (stoppedFor ? `\n[stopped: ${stoppedFor}]` : result.failed && result.exitCode === undefined && !timedOut && !cancelled ? result.message : ''),
      durationMs: Math.round(performance.now() - started),
      timedOut,
      cancelled,
    };
  } finally {
    clearTimeout(timer);
    if (watcher) clearInterval(watcher);
    spec.signal?.removeEventListener('abort', onAbort);
    // The leader may have exited while its children live on: make sure the group is gone.
    killGroup();
  }
}
