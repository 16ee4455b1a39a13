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
  /**
   * `setup` installs dependencies: it may write the shared dependency caches and receives the
   * deployment's setup-only secrets. `agent` (the default) is everything the model or the code it
   * edited can influence: caches are read-only and no secret is passed.
   */
  stage?: 'setup' | 'agent';
  /** The checkout is mounted read-only (an app-server session with a read-only sandbox policy). */
  readOnly?: boolean;
}

export interface SandboxResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  cancelled: boolean;
  /** The kernel's accounting of the command's process tree, where the backend measures it. */
  usage?: { cpuMs: number; peakRssKb: number } | undefined;
}

export interface Sandbox {
  readonly kind: 'bwrap' | 'docker' | 'none';
  run(opts: SandboxRunOptions): Promise<SandboxResult>;
}

/** The files of one run's checkout. Paths are relative to its root; the adapter resolves links. */
export interface WorkspaceFiles {
  readonly root: string;
  /**
   * Why the harness will not read or write `rel` (it resolves out of the root or into `.git`, it
   * is a link, a FIFO or another special file, or it is too large), or null when it may.
   */
  refusal(rel: string): Promise<string | null>;
  read(rel: string): Promise<string | null>;
  write(rel: string, text: string): Promise<void>;
  remove(rel: string): Promise<void>;
}

export type { TitleBrief } from '../protocol/title-brief.ts';
