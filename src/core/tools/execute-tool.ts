import path from 'node:path';
import type { z } from 'zod';
import type { Item } from '../../protocol/run-event.ts';
import type { Sandbox, WorkspaceFiles } from '../ports.ts';
import type { ToolCall } from '../model/model-port.ts';
import { applyPatch } from './apply-patch/apply-patch.ts';
import { ApplyPatchArgs, AskArgs, PlanArgs, ShellArgs } from './tool-specs.ts';

export interface ToolContext {
  sandbox: Sandbox;
  files: WorkspaceFiles;
  protectedPaths: string[];
  network: boolean;
  commandTimeoutMs: number;
  outputLimitBytes: number;
  signal: AbortSignal;
  nextId: () => string;
  started: (item: Item) => void;
  completed: (item: Item) => void;
  /**
   * Asked before a command runs or a patch is written, when the session's approval policy wants a
   * person to say yes (the app server's clients); absent, everything runs in the sandbox.
   */
  approve?: Approver;
  /** The checkout may not be written: commands see it read-only and patches are refused. */
  readOnlyCheckout?: boolean;
}

export type ApprovalRequest =
  | { kind: 'command'; itemId: string; command: string; cwd: string }
  | {
      kind: 'file_change';
      itemId: string;
      changes: Array<{ path: string; kind: 'add' | 'update' | 'delete' | 'move'; movePath?: string; diff: string }>;
    };
/** `cancel` stops the turn as an interrupt would. */
export type ApprovalDecision = 'accept' | 'decline' | 'cancel';
export type Approver = (req: ApprovalRequest) => Promise<ApprovalDecision>;

export class ApprovalCancelled extends Error {
  readonly code = 'approval_cancelled';
}

/** `refused`: the harness said no for safety (not a mistake to retry), in words for the PR. */
export type ToolOutcome = { output: string; question?: string; refused?: string };

/** A tool call's arguments larger than this are refused unread (a patch that big is not an edit). */
export const MAX_ARGUMENT_BYTES = 4 * 1024 * 1024;

/** Runs one tool call. Bad arguments and failures go back to the model as text; the loop goes on. */
export async function executeTool(call: ToolCall, ctx: ToolContext): Promise<ToolOutcome> {
  if (call.arguments.length > MAX_ARGUMENT_BYTES) {
    return {
      output: `Error: the arguments are ${call.arguments.length} characters; at most ${MAX_ARGUMENT_BYTES} are read. Split the change into smaller patches.`,
      refused: `${call.name}: arguments of ${call.arguments.length} characters`,
    };
  }
  const args = parseArgs(call.arguments);
  if (call.name === 'shell') return withArgs(ShellArgs, args, (a) => shell(a, ctx));
  if (call.name === 'apply_patch') return withArgs(ApplyPatchArgs, args, (a) => patch(a.input, ctx));
  if (call.name === 'update_plan') {
    return withArgs(PlanArgs, args, async (a) => {
      const item: Item = {
        id: ctx.nextId(),
        kind: 'plan',
        steps: a.plan.map((s) => ({ text: s.step, status: s.status })),
      };
      ctx.completed(item);
      return { output: 'Plan updated.' };
    });
  }
  if (call.name === 'ask')
    return withArgs(AskArgs, args, async (a) => ({
      output: 'Question recorded; the run stops here.',
      question: a.question,
    }));
  return { output: `Error: there is no tool named "${call.name}". Tools: shell, apply_patch, update_plan, ask.` };
}

async function shell(a: z.infer<typeof ShellArgs>, ctx: ToolContext): Promise<ToolOutcome> {
  const cwd = a.workdir ? path.resolve(ctx.files.root, a.workdir) : ctx.files.root;
  if (cwd !== ctx.files.root && !cwd.startsWith(ctx.files.root + path.sep))
    return {
      output: `Error: workdir ${a.workdir} is outside the repository.`,
      refused: `shell in ${a.workdir}: outside the repository`,
    };
  const display = Array.isArray(a.command) ? a.command.join(' ') : a.command;
  const id = ctx.nextId();
  ctx.started({ id, kind: 'command_execution', command: display, cwd, exitCode: null, durationMs: 0, output: '' });
  const decision = ctx.approve ? await ctx.approve({ kind: 'command', itemId: id, command: display, cwd }) : 'accept';
  if (decision !== 'accept') {
    ctx.completed({
      id,
      kind: 'command_execution',
      command: display,
      cwd,
      exitCode: null,
      durationMs: 0,
      output: '',
      declined: true,
    });
    if (decision === 'cancel') throw new ApprovalCancelled('the user cancelled the turn at an approval');
    return { output: 'Not run: the user declined this command. Do not retry it; find another way or ask.' };
  }
  const res = await ctx.sandbox.run({
    command: a.command,
    cwd,
    network: ctx.network,
    timeoutMs: Math.min(a.timeout_ms ?? ctx.commandTimeoutMs, ctx.commandTimeoutMs),
    outputLimitBytes: ctx.outputLimitBytes,
    signal: ctx.signal,
    ...(ctx.readOnlyCheckout ? { readOnly: true } : {}),
  });
  const output = [res.stdout, res.stderr].filter(Boolean).join(res.stdout && res.stderr ? '\n' : '');
  ctx.completed({
    id,
    kind: 'command_execution',
    command: display,
    cwd,
    exitCode: res.exitCode,
    durationMs: res.durationMs,
    output,
  });
  const status = res.timedOut
    ? `timed out after ${Math.round(res.durationMs / 1000)}s (all its processes were killed)`
    : `exit code ${res.exitCode ?? `signal ${res.signal}`}`;
  return { output: `${status}, ${(res.durationMs / 1000).toFixed(1)}s\n${output}` };
}

async function patch(input: string, ctx: ToolContext): Promise<ToolOutcome> {
  if (ctx.readOnlyCheckout && !ctx.approve)
    return {
      output: 'Error: this session is read-only; no file can be changed. Say what you would change instead.',
      refused: 'apply_patch: the session is read-only',
    };
  const id = ctx.nextId();
  let cancelled = false;
  let asked: Array<{ path: string; kind: 'add' | 'update' | 'delete' | 'move'; movePath?: string; diff: string }> = [];
  const approve = ctx.approve
    ? async (changes: typeof asked) => {
        asked = changes;
        ctx.started({ id, kind: 'file_change', changes });
        const decision = await ctx.approve!({ kind: 'file_change', itemId: id, changes });
        if (decision === 'cancel') cancelled = true;
        return decision === 'accept';
      }
    : undefined;
  const res = await applyPatch(input, ctx.files, ctx.protectedPaths, approve);
  if (!res.ok && res.declined) {
    ctx.completed({ id, kind: 'file_change', changes: asked, declined: true });
    if (cancelled) throw new ApprovalCancelled('the user cancelled the turn at an approval');
    return {
      output:
        'Not applied: the user declined this change (no file was changed). Do not retry it as it is; ask or take another way.',
    };
  }
  if (!res.ok) {
    ctx.completed({ id: ctx.nextId(), kind: 'error', message: `apply_patch: ${res.error}` });
    const output = `Error: the patch was not applied (no file was changed).\n${res.error}`;
    return res.refused ? { output, refused: `apply_patch: ${res.error}` } : { output };
  }
  ctx.completed({ id, kind: 'file_change', changes: res.changes });
  return {
    output: `Done: ${res.changes.map((c) => `${c.kind} ${c.path}${c.movePath ? ` -> ${c.movePath}` : ''}`).join(', ')}`,
  };
}

function parseArgs(raw: string): unknown {
  try {
    return JSON.parse(raw || '{}');
  } catch {
    return Symbol.for('invalid-json');
  }
}

async function withArgs<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  fn: (a: z.infer<S>) => Promise<ToolOutcome>,
): Promise<ToolOutcome> {
  if (raw === Symbol.for('invalid-json'))
    return { output: 'Error: the arguments were not valid JSON. Send a JSON object.' };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`).join('; ');
    return { output: `Error: invalid arguments: ${why}` };
  }
  return fn(parsed.data);
}
