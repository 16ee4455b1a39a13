import path from 'node:path';
import { z } from 'zod';
import { turnObject, type ApprovalPolicy, type SandboxPolicy, type ThreadRecord } from './codex-shapes.ts';
import { INVALID_PARAMS, INVALID_REQUEST, RpcError } from './jsonrpc.ts';
import {
  accountResult,
  collaborationModesResult,
  configReadResult,
  configRequirementsResult,
  govCloudResult,
  initializeResult,
  modelListResult,
  perCwd,
  type ServerFacts,
} from './session-answers.ts';
import type { Subscriber, ThreadHub } from './thread-hub.ts';

export interface MethodContext {
  hub: ThreadHub;
  facts: ServerFacts;
  conn: Subscriber;
  notify: (method: string, params: Record<string, unknown>) => void;
}

type Handler = (params: unknown, ctx: MethodContext) => unknown;

function parse<S extends z.ZodType>(schema: S, params: unknown, method: string): z.infer<S> {
  const r = schema.safeParse(params);
  if (!r.success)
    throw new RpcError(
      INVALID_PARAMS,
      `Invalid params for ${method}: ${r.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ')}`,
    );
  return r.data;
}

const Approval = z
  .union([z.enum(['untrusted', 'on-request', 'on-failure', 'never']), z.object({ granular: z.unknown() })])
  .nullish();
/** thread/start's `sandbox` is a mode word; turn/start's `sandboxPolicy` an object. */
const SandboxMode = z.enum(['read-only', 'workspace-write', 'danger-full-access']).nullish();
const SandboxObject = z.object({ type: z.string(), networkAccess: z.unknown().optional() }).passthrough().nullish();

function approvalOf(v: z.infer<typeof Approval>): ApprovalPolicy | null {
  if (!v) return null;
  if (typeof v === 'object') return 'on-request';
  return v === 'on-failure' ? 'on-request' : v;
}

function sandboxOf(
  mode: z.infer<typeof SandboxMode>,
  obj: z.infer<typeof SandboxObject>,
  permissions: string | null | undefined,
): SandboxPolicy | null {
  if (permissions === ':read-only') return { type: 'readOnly', networkAccess: false };
  if (mode === 'read-only') return { type: 'readOnly', networkAccess: false };
  // Full access is never given: Patchwright's sandbox is always there; the widest is the deployment's.
  if (mode === 'workspace-write' || mode === 'danger-full-access')
    return { type: 'workspaceWrite', networkAccess: true };
  if (obj) {
    const network = obj.networkAccess === true || obj.networkAccess === 'enabled';
    return obj.type === 'readOnly'
      ? { type: 'readOnly', networkAccess: false }
      : { type: 'workspaceWrite', networkAccess: network };
  }
  return null;
}

const ThreadStart = z
  .object({
    cwd: z.string().nullish(),
    approvalPolicy: Approval,
    sandbox: SandboxMode,
    permissions: z.string().nullish(),
    ephemeral: z.boolean().nullish(),
    threadSource: z.string().nullish(),
  })
  .passthrough();
const ThreadId = z.object({ threadId: z.string().min(1) }).passthrough();
const ThreadResume = ThreadId.extend({
  approvalPolicy: Approval,
  sandbox: SandboxMode,
  permissions: z.string().nullish(),
});
const TurnStart = ThreadId.extend({
  input: z.array(z.object({ type: z.string() }).passthrough()),
  approvalPolicy: Approval,
  sandboxPolicy: SandboxObject,
  permissions: z.string().nullish(),
});
const TurnInterrupt = ThreadId.extend({ turnId: z.string().min(1) });
const List = z
  .object({
    cursor: z.string().nullish(),
    limit: z.number().int().positive().nullish(),
    sourceKinds: z.array(z.string()).nullish(),
    archived: z.boolean().nullish(),
    cwd: z.string().nullish(),
  })
  .passthrough();
const ConfigEdit = z.object({ keyPath: z.string(), value: z.unknown(), mergeStrategy: z.string().optional() });

/** The edits a client may make: trusting a folder. Everything else is the deployment's to set. */
function applyConfigEdits(edits: Array<z.infer<typeof ConfigEdit>>, facts: ServerFacts): Record<string, unknown> {
  for (const e of edits) {
    const m = /^projects\."(.+)"\.trust_level$/.exec(e.keyPath) ?? /^projects\.([^.]+)\.trust_level$/.exec(e.keyPath);
    if (!m || (e.value !== 'trusted' && e.value !== 'untrusted')) {
      throw new RpcError(
        INVALID_REQUEST,
        `Patchwright's configuration comes from its deployment (environment and .github/agent.yml); only projects."<folder>".trust_level can be written here, not ${e.keyPath}`,
      );
    }
    facts.setTrust(m[1]!, e.value === 'trusted');
  }
  return { status: 'ok', version: 'patchwright', filePath: facts.trustFile, overriddenMetadata: null };
}

function cursorOffset(cursor: string | null | undefined): number {
  const n = cursor ? Number(cursor) : 0;
  if (!Number.isInteger(n) || n < 0) throw new RpcError(INVALID_PARAMS, `Invalid cursor ${cursor}`);
  return n;
}

async function threadStart(params: unknown, ctx: MethodContext): Promise<Record<string, unknown>> {
  const p = parse(ThreadStart, params, 'thread/start');
  const cwd = path.resolve(p.cwd ?? process.cwd());
  const title = p.threadSource === 'thread_title';
  if (!title) {
    const problem = await ctx.hub.engine.checkCwd(cwd);
    if (problem) throw new RpcError(INVALID_REQUEST, problem);
  }
  const rec = ctx.hub.startThread(
    {
      cwd,
      approval: approvalOf(p.approvalPolicy),
      sandbox: sandboxOf(p.sandbox, null, p.permissions),
      ephemeral: p.ephemeral === true,
      title,
    },
    ctx.conn,
  );
  const thread = ctx.hub.threadJson(rec, false);
  // After the response, as Codex does: a client learns of the thread from its answer first.
  setImmediate(() => ctx.notify('thread/started', { thread }));
  return threadSettings(rec, thread);
}

function threadSettings(rec: ThreadRecord, thread: Record<string, unknown>): Record<string, unknown> {
  return {
    thread,
    model: rec.model,
    modelProvider: 'patchwright',
    serviceTier: null,
    cwd: rec.cwd,
    approvalPolicy: rec.approvalPolicy,
    approvalsReviewer: 'user',
    sandbox: rec.sandbox,
    reasoningEffort: null,
  };
}

export const methods: Record<string, Handler> = {
  initialize: (params, ctx) => {
    const p = parse(
      z.object({ clientInfo: z.object({ name: z.string(), version: z.string() }).passthrough() }).passthrough(),
      params,
      'initialize',
    );
    return initializeResult(ctx.facts, p.clientInfo.name, p.clientInfo.version);
  },
  'account/read': () => accountResult,
  'model/list': (_p, ctx) => modelListResult(ctx.facts),
  'hooks/list': (params) =>
    perCwd((params as { cwds?: unknown }).cwds, () => ({ hooks: [], warnings: [], errors: [] })),
  'skills/list': (params) => perCwd((params as { cwds?: unknown }).cwds, () => ({ skills: [], errors: [] })),
  'plugin/installed': () => ({ marketplaces: [], marketplaceLoadErrors: [] }),
  'account/bedrock/checkGovCloudRequirements': () => govCloudResult,
  'config/read': (params, ctx) => {
    const p = parse(
      z.object({ cwd: z.string().nullish(), includeLayers: z.boolean().nullish() }).passthrough(),
      params,
      'config/read',
    );
    return configReadResult(ctx.facts, p.cwd ?? null, p.includeLayers === true);
  },
  'configRequirements/read': () => configRequirementsResult,
  'collaborationMode/list': () => collaborationModesResult,
  'config/batchWrite': (params, ctx) =>
    applyConfigEdits(
      parse(z.object({ edits: z.array(ConfigEdit) }).passthrough(), params, 'config/batchWrite').edits,
      ctx.facts,
    ),
  'config/value/write': (params, ctx) => applyConfigEdits([parse(ConfigEdit, params, 'config/value/write')], ctx.facts),
  'thread/start': threadStart,
  'thread/resume': async (params, ctx) => {
    const p = parse(ThreadResume, params, 'thread/resume');
    const rec = await ctx.hub.resume(p.threadId, ctx.conn, {
      approval: approvalOf(p.approvalPolicy),
      sandbox: sandboxOf(p.sandbox, null, p.permissions),
    });
    const result = threadSettings(rec, ctx.hub.threadJson(rec, true));
    // A running GitHub job is replayed, then streamed live (see github-watch.ts).
    setImmediate(() => ctx.hub.replayTo(rec.id, ctx.conn));
    return result;
  },
  'thread/list': async (params, ctx) => {
    const p = parse(List, params, 'thread/list');
    // Patchwright's threads are all app-server sessions; none is archived or a sub-agent.
    if ((p.sourceKinds?.length && !p.sourceKinds.includes('appServer')) || p.archived)
      return { data: [], nextCursor: null, backwardsCursor: null };
    const limit = p.limit ?? 50;
    const offset = cursorOffset(p.cursor);
    const page = await ctx.hub.list(limit + 1, offset);
    return {
      data: page.slice(0, limit).map((t) => ctx.hub.threadJson(t, false)),
      nextCursor: page.length > limit ? String(offset + limit) : null,
      backwardsCursor: null,
    };
  },
  'thread/read': async (params, ctx) => {
    const p = parse(ThreadId.extend({ includeTurns: z.boolean().nullish() }), params, 'thread/read');
    const rec = await ctx.hub.read(p.threadId);
    if (!rec) throw new RpcError(INVALID_REQUEST, `no thread ${p.threadId}`);
    return { thread: ctx.hub.threadJson(rec, p.includeTurns !== false) };
  },
  'thread/turns/list': async (params, ctx) => {
    const p = parse(ThreadId, params, 'thread/turns/list');
    const rec = await ctx.hub.read(p.threadId);
    if (!rec) throw new RpcError(INVALID_REQUEST, `no thread ${p.threadId}`);
    return { data: rec.turns.map(turnObject).reverse(), nextCursor: null, backwardsCursor: null };
  },
  'thread/loaded/list': (_p, ctx) => ({ data: ctx.hub.loadedIds(), nextCursor: null }),
  'thread/unsubscribe': (params, ctx) => ({
    status: ctx.hub.unsubscribe(parse(ThreadId, params, 'thread/unsubscribe').threadId, ctx.conn),
  }),
  'thread/name/set': (params, ctx) => {
    const p = parse(ThreadId.extend({ name: z.string() }), params, 'thread/name/set');
    ctx.hub.setName(p.threadId, p.name);
    return {};
  },
  'turn/start': (params, ctx) => {
    const p = parse(TurnStart, params, 'turn/start');
    const turn = ctx.hub.startTurn(p.threadId, p.input, ctx.conn, {
      approval: approvalOf(p.approvalPolicy),
      sandbox: sandboxOf(null, p.sandboxPolicy, p.permissions),
    });
    return { turn: turnObject({ ...turn, items: [] }) };
  },
  'turn/interrupt': async (params, ctx) => {
    const p = parse(TurnInterrupt, params, 'turn/interrupt');
    await ctx.hub.interrupt(p.threadId, p.turnId);
    return {};
  },
  'turn/steer': (params, ctx) => {
    const p = parse(
      ThreadId.extend({
        expectedTurnId: z.string().min(1),
        input: z.array(z.object({ type: z.string() }).passthrough()),
      }),
      params,
      'turn/steer',
    );
    return { turnId: ctx.hub.steer(p.threadId, p.expectedTurnId, p.input) };
  },
};
