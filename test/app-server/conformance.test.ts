import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/app-harness.ts';
import { codexSchema, type CodexSchema } from '../support/codex-schema.ts';
import { fixtureRepo } from '../support/fixture-repo.ts';
import { stdioAppServer, type Msg, type RpcClient } from '../support/rpc-client.ts';
import { startScriptedModel, type ScriptedModel } from '../support/scripted-model.ts';

/**
 * One scripted session with the real `patchwright app-server` on stdio: the handshake a Codex TUI
 * makes, two turns with commands, a file change, an approval accepted and one declined, an
 * interrupt, a title thread, and a resume by a restarted server. Every message the server sent
 * is checked against the JSON Schema the pinned Codex CLI generates.
 */

const files = {
  'hello.txt': 'helo world\n',
  'test.sh': 'grep -q "hello world" hello.txt\n',
  '.github/agent.yml': 'test: sh test.sh\n',
  // Uncommitted work of the person (below) must stay theirs: not in the turn's diff, not undone.
};
const fix = '*** Begin Patch\n*** Update File: hello.txt\n-helo world\n+hello world\n*** End Patch';

let schema: CodexSchema;
let model: ScriptedModel;
let repo: string;
let dataDir: string;
let env: NodeJS.ProcessEnv;
let hangReached: () => void = () => {};
let steerSeen = false;
const hanging = new Promise<void>((r) => (hangReached = r));

beforeAll(async () => {
  schema = codexSchema();
  repo = fixtureRepo(files);
  fs.writeFileSync(path.join(repo, 'notes.md'), 'my own uncommitted notes\n');
  dataDir = tempDir('pw-appserver-');
  model = await startScriptedModel(
    [
      // Turn 1: a read-only command (runs without asking under `untrusted`), the fix (asked: accepted),
      // a command that writes (asked: declined), then the answer.
      { calls: [{ name: 'shell', arguments: { command: ['cat', 'hello.txt'] } }] },
      {
        calls: [
          {
            name: 'update_plan',
            arguments: {
              plan: [
                { step: 'fix the typo', status: 'in_progress' },
                { step: 'run the tests', status: 'pending' },
              ],
            },
          },
        ],
      },
      { calls: [{ name: 'apply_patch', arguments: { input: fix } }] },
      { calls: [{ name: 'shell', arguments: { command: 'touch declined.txt' } }] },
      { text: 'Fixed the typo in hello.txt.' },
      // Turn 2: a command accepted, then a model that never answers: the client interrupts.
      { calls: [{ name: 'shell', arguments: { command: 'echo second > second.txt' } }] },
      (body) => (
        (steerSeen = JSON.stringify(body).includes('The user adds, while you work:\\nKeep the trailing newline')),
        hangReached(),
        { hang: true }
      ),
      // Turn 3: the model refuses the request outright: the turn fails, with the reason.
      {
        status: 400,
        body: { error: { message: 'this model does not take that request', type: 'invalid_request_error' } },
      },
    ],
    { titles: () => 'Fix the greeting' },
  );
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    OPENAI_BASE_URL: model.baseURL,
    OPENAI_API_KEY: 'test-key',
    PATCHWRIGHT_MODEL: 'gpt-5',
    PATCHWRIGHT_DATA_DIR: dataDir,
    PATCHWRIGHT_SANDBOX_UID: '61104',
  };
});
afterAll(async () => {
  await model?.close();
});

function allValid(client: RpcClient): string[] {
  return client.received.flatMap(({ msg, method }) =>
    schema.check(msg, method).map((p) => `${JSON.stringify(msg).slice(0, 300)}\n  ${p}`),
  );
}

async function handshake(client: RpcClient, firstTime: boolean): Promise<void> {
  const init = await client.request('initialize', {
    clientInfo: { name: 'codex-tui', title: null, version: '0.171.0' },
    capabilities: { experimentalApi: true },
  });
  expect(init.result).toMatchObject({ platformFamily: 'unix' });
  client.notify('initialized');
  expect((await client.request('account/read', {})).result).toMatchObject({ requiresOpenaiAuth: false, account: null });
  const models = (await client.request('model/list', { includeHidden: true })).result as {
    data: Array<{ id: string; isDefault: boolean }>;
  };
  expect(models.data).toEqual([expect.objectContaining({ id: 'gpt-5', isDefault: true })]);
  await client.request('hooks/list', { cwds: [repo] });
  await client.request('account/bedrock/checkGovCloudRequirements', {});
  const before = (await client.request('config/read', { includeLayers: true, cwd: repo })).result as {
    config: { projects: unknown };
  };
  if (firstTime) expect(before.config.projects).toBeNull();
  await client.request('config/batchWrite', {
    edits: [{ keyPath: `projects."${repo}".trust_level`, value: 'trusted', mergeStrategy: 'replace' }],
  });
  const after = (await client.request('config/read', { includeLayers: true, cwd: repo })).result as {
    config: { projects: Record<string, unknown> };
  };
  expect(after.config.projects[repo]).toEqual({ trust_level: 'trusted' });
  await client.request('configRequirements/read');
  await client.request('collaborationMode/list', {});
  await client.request('skills/list', { cwds: [repo], forceReload: true });
}

const turnDone = (turnId: string) => (m: Msg) =>
  m.method === 'turn/completed' && (m.params?.turn as { id: string } | undefined)?.id === turnId;

describe('app server: a scripted session validates against the pinned Codex schema', () => {
  let threadId = '';
  let firstTurn = '';

  it('handshake, a turn with commands, a plan, an approved fix and a declined command', async () => {
    const { client, child, stderr } = stdioAppServer(env, repo);
    const approvals: Msg[] = [];
    client.onServerRequest = (m) => {
      approvals.push(m);
      return { decision: m.method === 'item/fileChange/requestApproval' ? 'accept' : 'decline' };
    };
    try {
      await handshake(client, true);
      const started = await client.request('thread/start', {
        cwd: repo,
        approvalPolicy: 'untrusted',
        sandbox: 'workspace-write',
        threadSource: 'user',
        ephemeral: false,
      });
      const result = started.result as {
        thread: { id: string; sessionId: string };
        approvalPolicy: string;
        sandbox: { type: string };
      };
      threadId = result.thread.id;
      expect(result.thread.sessionId).toBe(threadId);
      expect(result).toMatchObject({ approvalPolicy: 'untrusted', sandbox: { type: 'workspaceWrite' }, cwd: repo });
      await client.waitFor((m) => m.method === 'thread/started');

      const turn = await client.request('turn/start', {
        threadId,
        input: [{ type: 'text', text: 'Fix the typo in hello.txt', text_elements: [] }],
      });
      firstTurn = (turn.result as { turn: { id: string } }).turn.id;
      const done = await client.waitFor(turnDone(firstTurn));
      expect((done.params!.turn as { status: string }).status).toBe('completed');

      // What the client saw, in order: the user's message, the command, the plan, the change, the answer,
      // the harness's test run in the checkout and the verdict's on a clean checkout of the turn's tree.
      const completed = client
        .notifications('item/completed')
        .map((m) => m.params!.item as { type: string; status?: string; command?: string; text?: string });
      expect(completed.map((i) => i.type)).toEqual([
        'userMessage',
        'commandExecution',
        'commandExecution',
        'fileChange',
        'commandExecution',
        'agentMessage',
        'commandExecution',
        'commandExecution',
        'agentMessage',
      ]);
      expect(completed.at(-2)).toMatchObject({ command: 'sh test.sh', status: 'completed' });
      expect(completed[1]).toMatchObject({ command: 'sh test.sh', status: 'failed', cwd: repo });
      expect(completed[2]).toMatchObject({
        command: 'cat hello.txt',
        status: 'completed',
        aggregatedOutput: 'helo world\n',
      });
      expect(completed.find((i) => i.type === 'fileChange')).toMatchObject({ status: 'completed' });
      expect(completed.find((i) => i.command === 'touch declined.txt')).toMatchObject({ status: 'declined' });
      expect(completed.at(-1)!.text).toMatch(
        /the change is made and the tests pass — tests pass \(exit 0\) \(`sh test.sh`\) · changed: hello.txt/,
      );
      expect(client.notifications('turn/plan/updated')[0]!.params).toMatchObject({
        plan: [
          { step: 'fix the typo', status: 'inProgress' },
          { step: 'run the tests', status: 'pending' },
        ],
      });
      expect(client.notifications('turn/diff/updated').at(-1)!.params!.diff).toMatch(/-helo world\n\+hello world/);
      expect(client.notifications('thread/tokenUsage/updated').at(-1)!.params).toMatchObject({
        tokenUsage: { total: { inputTokens: 500, outputTokens: 100 } },
      });
      expect(
        client
          .notifications('item/agentMessage/delta')
          .map((m) => m.params!.delta)
          .join(''),
      ).toContain('Fixed the typo');
      // Asked: the file change and the writing command, not `cat`.
      expect(approvals.map((a) => a.method)).toEqual([
        'item/fileChange/requestApproval',
        'item/commandExecution/requestApproval',
      ]);
      expect(client.notifications('serverRequest/resolved')).toHaveLength(2);
      // Worked in place: the fix is in the person's checkout, their notes untouched and not in the diff.
      expect(fs.readFileSync(path.join(repo, 'hello.txt'), 'utf8')).toBe('hello world\n');
      expect(fs.existsSync(path.join(repo, 'declined.txt'))).toBe(false);
      expect(fs.readFileSync(path.join(repo, 'notes.md'), 'utf8')).toBe('my own uncommitted notes\n');
      expect(client.notifications('turn/diff/updated').at(-1)!.params!.diff).not.toContain('notes.md');
      // Their staging area is as it was.
      expect(
        execFileSync('git', ['-c', 'safe.directory=*', 'diff', '--cached', '--name-only'], {
          cwd: repo,
          encoding: 'utf8',
        }),
      ).toBe('');

      // The TUI's title helper: an ephemeral thread answered with a title, no work done.
      const titleThread = await client.request('thread/start', {
        cwd: repo,
        ephemeral: true,
        threadSource: 'thread_title',
        permissions: ':read-only',
        approvalPolicy: 'never',
      });
      const tId = (titleThread.result as { thread: { id: string } }).thread.id;
      const tTurn = await client.request('turn/start', {
        threadId: tId,
        input: [{ type: 'text', text: 'Generate a concise title.\n\nUser prompt:\nFix the typo in hello.txt' }],
        outputSchema: { type: 'object' },
      });
      await client.waitFor(turnDone((tTurn.result as { turn: { id: string } }).turn.id));
      const titleItem = client
        .notifications('item/completed')
        .map((m) => m.params!.item as { type: string; text?: string })
        .at(-1)!;
      expect(JSON.parse(titleItem.text!)).toEqual({ title: 'Fix the greeting' });

      expect(allValid(client)).toEqual([]);
    } finally {
      child.stdin!.end();
      child.kill();
      if (process.env.PW_DEBUG)
        console.error(
          'HELLO=' + JSON.stringify(fs.readFileSync(path.join(repo, 'hello.txt'), 'utf8')),
          execFileSync('ls', ['-la', repo], { encoding: 'utf8' }),
          stderr(),
          JSON.stringify(client.received.map((r) => r.msg)).slice(0, 20000),
        );
    }
  }, 120_000);

  it('a second turn: an accepted command, then an interrupt; a restarted server resumes the thread with its turns', async () => {
    const { client, child, exited } = stdioAppServer(env, repo);
    // While the command waits for its yes, the person adds a word (turn/steer): the model reads it next.
    client.onServerRequest = async (m) => {
      const steered = await client.request('turn/steer', {
        threadId: m.params!.threadId,
        expectedTurnId: m.params!.turnId,
        input: [{ type: 'text', text: 'Keep the trailing newline' }],
      });
      expect(steered.result).toEqual({ turnId: m.params!.turnId });
      return { decision: 'accept' };
    };
    // Trust was kept by the first server.
    await handshake(client, false);
    // A new process: the thread comes back from the store.
    const resumed = await client.request('thread/resume', { threadId });
    const thread = (resumed.result as { thread: { turns: Array<{ id: string; status: string; items: unknown[] }> } })
      .thread;
    expect(thread.turns.map((t) => [t.id, t.status])).toEqual([[firstTurn, 'completed']]);
    expect(thread.turns[0]!.items.length).toBeGreaterThan(5);

    const turn = await client.request('turn/start', {
      threadId,
      input: [{ type: 'text', text: 'Also write second.txt' }],
    });
    const turnId = (turn.result as { turn: { id: string } }).turn.id;
    await client.waitFor(
      (m) =>
        m.method === 'item/completed' &&
        (m.params!.item as { command?: string }).command === 'echo second > second.txt',
    );
    // The model now hangs: the person presses Esc.
    await hanging;
    expect(steerSeen).toBe(true);
    expect((await client.request('turn/interrupt', { threadId, turnId })).result).toEqual({});
    const done = await client.waitFor(turnDone(turnId));
    expect((done.params!.turn as { status: string }).status).toBe('interrupted');
    expect(fs.readFileSync(path.join(repo, 'second.txt'), 'utf8')).toBe('second\n');
    // As root, a turn runs as the host user just past the jobs' range (61104 and 61105 with the default two jobs at once).
    if (process.getuid?.() === 0) expect(fs.statSync(path.join(repo, 'second.txt')).uid).toBe(61106);
    // The follow-up turn was told what the first one did.
    const lastBody = JSON.stringify(model.requests.at(-1)!.body);
    expect(lastBody).toContain('Earlier in this conversation');
    expect(lastBody).toContain('changed: hello.txt');

    const failing = await client.request('turn/start', { threadId, input: [{ type: 'text', text: 'One more thing' }] });
    const failed = await client.waitFor(turnDone((failing.result as { turn: { id: string } }).turn.id));
    expect(failed.params!.turn).toMatchObject({
      status: 'failed',
      error: { message: expect.stringMatching(/^model_error: .*does not take that request/), codexErrorInfo: 'other' },
    });
    expect(client.notifications('error').at(-1)!.params).toMatchObject({ threadId, willRetry: false });

    const read = await client.request('thread/read', { threadId, includeTurns: true });
    expect((read.result as { thread: { turns: Array<{ status: string }> } }).thread.turns.map((t) => t.status)).toEqual(
      ['completed', 'interrupted', 'failed'],
    );
    const list = await client.request('thread/list', { limit: 10 });
    expect((list.result as { data: Array<{ id: string }> }).data.map((t) => t.id)).toContain(threadId);
    await client.request('thread/loaded/list', {});
    await client.request('thread/turns/list', { threadId });
    await client.request('thread/name/set', { threadId, name: 'Greeting fixes' });
    expect((await client.request('thread/unsubscribe', { threadId })).result).toEqual({ status: 'unsubscribed' });

    expect(allValid(client)).toEqual([]);
    child.stdin!.end();
    expect(await exited).toBe(0);
  }, 120_000);
});

describe('the schema check itself', () => {
  it('fails messages the real TUI would refuse (so a pass above means something)', () => {
    const item = { type: 'agentMessage', id: 'a', text: 'x' };
    expect(
      schema.check({ method: 'item/completed', params: { item, threadId: 't', turnId: 'u', completedAtMs: 1 } }),
    ).toEqual([]);
    expect(schema.check({ method: 'item/completed', params: { item, threadId: 't', turnId: 'u' } })).not.toEqual([]);
    expect(schema.check({ id: 1, result: { thread: { id: 't' } } }, 'thread/start')).not.toEqual([]);
    expect(schema.check({ id: 1, result: { account: null } }, 'account/read')).not.toEqual([]);
  });
});
