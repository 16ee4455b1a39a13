/** The interfaces the engine needs; adapters implement them, tests fake them. */

export interface SandboxRunOptions {
  /** argv (run as is) or a shell script (run by `sh -c`). */
  command: string[] | string;
  cwd: string;
  timeoutMs: number;
  network: boolean;
  /** Bytes of stdout and of stderr kept (head and tail halves). */
  outputLimitBytes: number;
  signal?: AbortSignal;
}

export interface SandboxResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  cancelled: boolean;
}

export interface Sandbox {
  readonly kind: 'bwrap' | 'docker' | 'none';
  run(opts: SandboxRunOptions): Promise<SandboxResult>;
}
