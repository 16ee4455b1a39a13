import type { Item, Usage } from '../protocol/run-event.ts';

/** The Codex app-server protocol's objects, as far as Patchwright fills them (see the pinned JSON Schema). */
export type CodexItem = Record<string, unknown> & { id: string; type: string };

export type ApprovalPolicy = 'untrusted' | 'on-request' | 'never';
export interface SandboxPolicy {
  type: 'readOnly' | 'workspaceWrite';
  networkAccess: boolean;
}

export interface TurnRecord {
  id: string;
  status: 'completed' | 'interrupted' | 'failed' | 'inProgress';
  items: CodexItem[];
  /** Unix seconds. */
  startedAt: number;
  completedAt: number | null;
  durationMs: number | null;
  error: { message: string; codexErrorInfo: string } | null;
}

/** Where a thread came from: a person's session, the TUI's title helper, or a GitHub job watched live. */
export type ThreadOrigin =
  | { kind: 'session' }
  | { kind: 'title' }
  | { kind: 'github'; repo: string; number: number; jobId: number; state: string; outcome: string | null };

export interface ThreadRecord {
  id: string;
  cwd: string;
  name: string | null;
  preview: string;
  createdAt: number;
  updatedAt: number;
  ephemeral: boolean;
  origin: ThreadOrigin;
  model: string;
  approvalPolicy: ApprovalPolicy;
  sandbox: SandboxPolicy;
  turns: TurnRecord[];
}

export const MODEL_PROVIDER = 'patchwright';

export function threadObject(
  t: ThreadRecord,
  version: string,
  status: { type: string; activeFlags?: string[] },
  withTurns: boolean,
): Record<string, unknown> {
  return {
    id: t.id,
    sessionId: t.id,
    projectId: null,
    preview: t.preview,
    ephemeral: t.ephemeral,
    modelProvider: MODEL_PROVIDER,
    model: t.model,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    recencyAt: t.updatedAt,
    status,
    path: null,
    cwd: t.cwd,
    cliVersion: version,
    originator: 'patchwright',
    source: 'appServer',
    threadSource: t.origin.kind === 'title' ? 'thread_title' : 'user',
    name:
      t.name ??
      (t.origin.kind === 'github'
        ? `${t.origin.repo}#${t.origin.number} (${t.origin.outcome ?? t.origin.state})`
        : null),
    gitInfo: null,
    turns: withTurns ? t.turns.map(turnObject) : [],
  };
}

export function turnObject(t: TurnRecord): Record<string, unknown> {
  return {
    id: t.id,
    items: t.items,
    status: t.status,
    error: t.error,
    startedAt: t.startedAt,
    completedAt: t.completedAt,
    durationMs: t.durationMs,
  };
}

/** One engine item as the Codex item the TUI draws; null for what Codex has no item for (a plan: see turn/plan/updated). */
export function codexItem(item: Item, done: boolean, cwd: string, testLabel = 'harness test run'): CodexItem | null {
  switch (item.kind) {
    case 'agent_message':
      return { type: 'agentMessage', id: item.id, text: item.text };
    case 'reasoning_summary':
      return { type: 'reasoning', id: item.id, summary: [item.text], content: [] };
    case 'command_execution':
      return {
        type: 'commandExecution',
        id: item.id,
        command: item.command,
        cwd: item.cwd,
        commandActions: [{ type: 'unknown', command: item.command }],
        status: item.declined ? 'declined' : !done ? 'inProgress' : item.exitCode === 0 ? 'completed' : 'failed',
        aggregatedOutput: done ? item.output : null,
        exitCode: done ? item.exitCode : null,
        durationMs: done ? item.durationMs : null,
      };
    case 'test_run':
      return {
        type: 'commandExecution',
        id: item.id,
        command: item.command,
        cwd,
        commandActions: [{ type: 'unknown', command: item.command }],
        status: !done ? 'inProgress' : item.exitCode === 0 ? 'completed' : 'failed',
        aggregatedOutput: done ? testSummaryText(item, testLabel) : null,
        exitCode: done ? item.exitCode : null,
        durationMs: done ? item.durationMs : null,
      };
    case 'file_change':
      return {
        type: 'fileChange',
        id: item.id,
        status: item.declined ? 'declined' : done ? 'completed' : 'inProgress',
        changes: item.changes.map((c) => ({
          path: c.path,
          kind:
            c.kind === 'add'
              ? { type: 'add' }
              : c.kind === 'delete'
                ? { type: 'delete' }
                : c.kind === 'move'
                  ? { type: 'update', move_path: c.movePath ?? null }
                  : { type: 'update', move_path: null },
          // Codex gives an added file's content, and a unified diff for an update.
          diff:
            c.kind === 'add'
              ? c.diff
                  .split('\n')
                  .map((l) => l.replace(/^\+/, ''))
                  .join('\n') + '\n'
              : c.diff,
        })),
      };
    case 'error':
      return { type: 'agentMessage', id: item.id, text: `⚠ ${item.message}` };
    case 'plan':
      return null;
  }
}

function testSummaryText(t: Extract<Item, { kind: 'test_run' }>, label: string): string {
  const counts = [
    t.passed != null ? `${t.passed} passed` : '',
    t.failed != null ? `${t.failed} failed` : '',
    t.skipped ? `${t.skipped} skipped` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const failures = t.failures.length ? `\nfailing: ${t.failures.slice(0, 20).join(', ')}` : '';
  return `${label}: ${counts || (t.exitCode === null ? 'stopped before it finished' : `exit ${t.exitCode}`)}${failures}`;
}

export function planSteps(item: Extract<Item, { kind: 'plan' }>): Array<{ step: string; status: string }> {
  return item.steps.map((s) => ({ step: s.text, status: s.status === 'in_progress' ? 'inProgress' : s.status }));
}

export function tokenUsage(total: Usage, last: Usage, window: number | undefined): Record<string, unknown> {
  const breakdown = (u: Usage) => ({
    totalTokens: u.inputTokens + u.outputTokens,
    inputTokens: u.inputTokens,
    cachedInputTokens: u.cachedInputTokens,
    outputTokens: u.outputTokens,
    reasoningOutputTokens: u.reasoningTokens,
  });
  return { total: breakdown(total), last: breakdown(last), ...(window ? { modelContextWindow: window } : {}) };
}
