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
}

/** `refused`: the harness said no for safety (not a mistake to retry), in words for the PR. */
export type ToolOutcome = { output: string; question?: string; refused?: string };

/** A tool call's arguments larger than this are refused unread (a patch that big is not an edit). */
export const MAX_ARGUMENT_BYTES = 4 * 1024 * 1024;

/** Runs one tool call. Bad arguments and failures go back to the model as text; the loop goes on. */
export async function executeTool(call: ToolCall, ctx: ToolContext): Promise<ToolOutcome> {
  if (call.arguments.length > MAX_ARGUMENT_BYTES) {
    return { output: `Error: the arguments are ${call.arguments.length} characters; at most ${MAX_ARGUMENT_BYTES} are read. Split the change into smaller patches.`, refused: `${call.name}: arguments of ${call.arguments.length} characters` };
  }
  const args = parseArgs(call.arguments);
  if (call.name === 'shell') return withArgs(ShellArgs, args, (a) => shell(a, ctx));
  if (call.name === 'apply_patch') return withArgs(ApplyPatchArgs, args, (a) => patch(a.input, ctx));
  if (call.name === 'update_plan') {
    return withArgs(PlanArgs, args, async (a) => {
      const item: Item = { id: ctx.nextId(), kind: 'plan', steps: a.plan.map((s) => ({ text: s.step, status: s.status })) };
      ctx.completed(item);
      return { output: 'Plan updated.' };
    });
  }
  if (call.name === 'ask') return withArgs(AskArgs, args, async (a) => ({ output: 'Question recorded; the run stops here.', question: a.question }));
  return { output: `Error: there is no tool named "${call.name}". Tools: shell, apply_patch, update_plan, ask.` };
}

async function shell(a: z.infer<typeof ShellArgs>, ctx: ToolContext): Promise<ToolOutcome> {
  const cwd = a.workdir ? path.resolve(ctx.files.root, a.workdir) : ctx.files.root;
  if (cwd !== ctx.files.root && !cwd.startsWith(ctx.files.root + path.sep)) return { output: `Error: workdir ${a.workdir} is outside the repository.`, refused: `shell in ${a.workdir}: outside the repository` };
  const display = Array.isArray(a.command) ? a.command.join(' ') : a.command;
  const id = ctx.nextId();
  ctx.started({ id, kind: 'command_execution', command: display, cwd, exitCode: null, durationMs: 0, output: '' });
  const res = await ctx.sandbox.run({
    command: a.command,
    cwd,
    network: ctx.network,
    timeoutMs: Math.min(a.timeout_ms ?? ctx.commandTimeoutMs, ctx.commandTimeoutMs),
    outputLimitBytes: ctx.outputLimitBytes,
    signal: ctx.signal,
  });
  const output = [res.stdout, res.stderr].filter(Boolean).join(res.stdout && res.stderr ? '\n' : '');
  ctx.completed({ id, kind: 'command_execution', command: display, cwd, exitCode: res.exitCode, durationMs: res.durationMs, output });
  const status = res.timedOut ? `timed out after ${Math.round(res.durationMs / 1000)}s (all its processes were killed)` : `exit code ${res.exitCode ?? `signal ${res.signal}`}`;
  return { output: `${status}, ${(res.durationMs / 1000).toFixed(1)}s\n${output}` };
}

async function patch(input: string, ctx: ToolContext): Promise<ToolOutcome> {
  const res = await applyPatch(input, ctx.files, ctx.protectedPaths);
  if (!res.ok) {
    ctx.completed({ id: ctx.nextId(), kind: 'error', message: `apply_patch: ${res.error}` });
    const output = `Error: the patch was not applied (no file was changed).\n${res.error}`;
    return res.refused ? { output, refused: `apply_patch: ${res.error}` } : { output };
  }
  ctx.completed({ id: ctx.nextId(), kind: 'file_change', changes: res.changes });
  return { output: `Done: ${res.changes.map((c) => `${c.kind} ${c.path}${c.movePath ? ` -> ${c.movePath}` : ''}`).join(', ')}` };
}

function parseArgs(raw: string): unknown {
  try {
    return JSON.parse(raw || '{}');
  } catch {
    return Symbol.for('invalid-json');
  }
}

async function withArgs<S extends z.ZodType>(schema: S, raw: unknown, fn: (a: z.infer<S>) => Promise<ToolOutcome>): Promise<ToolOutcome> {
  if (raw === Symbol.for('invalid-json')) return { output: 'Error: the arguments were not valid JSON. Send a JSON object.' };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`).join('; ');
    return { output: `Error: invalid arguments: ${why}` };
  }
  return fn(parsed.data);
}
