import type { Approver } from '../core/tools/execute-tool.ts';
import type { RunEvent } from '../protocol/run-event.ts';
import type { RunCompleted } from '../core/loop/run-agent.ts';
import type { SandboxPolicy } from './codex-shapes.ts';

/** What the app server asks of the engine for one turn of a thread. */
export interface TurnRequest {
  threadId: string;
  cwd: string;
  prompt: string;
  /** The thread's earlier turns in words (what was asked, answered and changed), for a follow-up turn. */
  history: string;
  firstTurn: boolean;
  sandbox: SandboxPolicy;
  emit: (event: RunEvent) => void;
  approve?: Approver;
  /** Text the client sent with turn/steer since the last model request (drained on read). */
  steer: () => string[];
  signal: AbortSignal;
}

export interface TurnEngine {
  readonly model: string;
  readonly contextTokens: number | undefined;
  /** Whether `cwd` can be worked in; a reason in words when not. */
  checkCwd(cwd: string): Promise<string | null>;
  run(req: TurnRequest): Promise<RunCompleted>;
  /** A short title for a conversation, from the client's own title prompt (Codex's thread_title threads). */
  title(prompt: string, signal: AbortSignal): Promise<string>;
}
