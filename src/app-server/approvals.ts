import type { ApprovalDecision, ApprovalRequest, Approver } from '../core/tools/execute-tool.ts';
import type { ApprovalPolicy, SandboxPolicy } from './codex-shapes.ts';

/**
 * Programs that only read, run without asking under `untrusted` (as Codex's list of known-safe
 * commands): anything with a redirection, a pipe into something else or a subshell is asked.
 */
const READ_ONLY = new Set([
  'ls',
  'cat',
  'head',
  'tail',
  'wc',
  'pwd',
  'echo',
  'grep',
  'rg',
  'tree',
  'stat',
  'file',
  'which',
  'true',
  'nl',
  'cut',
  'sort',
  'uniq',
]);
const READ_ONLY_GIT = new Set(['status', 'diff', 'log', 'show', 'branch', 'grep', 'ls-files', 'blame', 'rev-parse']);

export function isReadOnlyCommand(command: string): boolean {
  if (/[;&|<>`$()\\\n]/.test(command)) return false;
  const words = command.trim().split(/\s+/);
  const [prog, sub] = words;
  if (!prog) return false;
  if (prog === 'git')
    return sub !== undefined && READ_ONLY_GIT.has(sub) && !words.some((w) => w.startsWith('--output') || w === '-o');
  if (prog === 'find') return !words.some((w) => /^-(exec|execdir|ok|okdir|delete|fprint|fprintf|fls)/.test(w));
  return READ_ONLY.has(prog);
}

/** Whether the thread's policy wants a person's yes for this action. */
export function needsApproval(policy: ApprovalPolicy, sandbox: SandboxPolicy, req: ApprovalRequest): boolean {
  if (policy === 'never') return false;
  if (policy === 'untrusted') return req.kind === 'file_change' || !isReadOnlyCommand(req.command);
  // on-request: what the sandbox already allows runs; a change to a read-only checkout is asked.
  return req.kind === 'file_change' && sandbox.type === 'readOnly';
}

export type AskPerson = (req: ApprovalRequest) => Promise<ApprovalDecision | 'acceptForSession'>;

/**
 * The engine's approver for one thread: asks only what the policy says to, and remembers
 * `acceptForSession` (that command again; file changes from then on) for the rest of the thread.
 */
export function threadApprover(
  policy: () => { approval: ApprovalPolicy; sandbox: SandboxPolicy },
  remembered: Set<string>,
  ask: AskPerson,
): Approver {
  return async (req) => {
    const p = policy();
    if (!needsApproval(p.approval, p.sandbox, req)) return 'accept';
    const key = req.kind === 'command' ? `command:${req.command}` : 'file_change';
    if (remembered.has(key)) return 'accept';
    const decision = await ask(req);
    if (decision === 'acceptForSession') {
      remembered.add(key);
      return 'accept';
    }
    return decision;
  };
}
