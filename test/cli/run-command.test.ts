import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCommand } from '../../src/cli/run-command.ts';
import type { RunEvent } from '../../src/protocol/run-event.ts';
import { tempDir } from '../support/app-harness.ts';
import {
  fixtureRepo,
  nodeAddMul,
  nodeAddMulTest,
  nodeBuggy,
  nodeFix,
  pythonBuggy,
  pythonFix,
} from '../support/fixture-repo.ts';
import { startScriptedModel, type ScriptedModel, type Step } from '../support/scripted-model.ts';

let model: ScriptedModel;
let out: string[];

beforeEach(() => {
  out = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await model?.close();
});

async function run(
  repo: string,
  script: Array<Step | ((b: Record<string, unknown>) => Step)>,
  api: 'responses' | 'chat',
  extra: string[] = [],
  taskText = 'Fix add so it adds',
) {
  model = await startScriptedModel(script, { titles: () => 'Make add return the sum' });
  const env = {
    ...process.env,
    OPENAI_BASE_URL: model.baseURL,
    OPENAI_API_KEY: 'test-key',
    PATCHWRIGHT_MODEL: 'gpt-5',
    PATCHWRIGHT_MODEL_API: api,
    PATCHWRIGHT_DATA_DIR: tempDir('pw-data-'),
  };
  const code = await runCommand(['--repo', repo, '--task', taskText, '--json', ...extra], env);
  const events = out
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as RunEvent);
  const done = events.find((e) => e.type === 'run.completed') as Extract<RunEvent, { type: 'run.completed' }>;
  expect(model.violations).toEqual([]);
  if (process.env.PW_DEBUG)
    console.error(
      JSON.stringify(done, null, 1),
      JSON.stringify(
        events.filter((e) => e.type === 'item.completed'),
        null,
        1,
      ),
    );
  return { code, events, done };
}

const git = (repo: string, ...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();

describe('patchwright run without a model', () => {
  it('says exactly what to set, with a local Ollama example, and exits 2', async () => {
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation(
      (chunk: string | Uint8Array) => (err.push(String(chunk)), true),
    );
    const env = { PATH: process.env.PATH, HOME: process.env.HOME };
    expect(await runCommand(['--task', 'x'], env)).toBe(2);
    expect(err.join('')).toMatch(
      /OPENAI_API_KEY[\s\S]*OPENAI_BASE_URL=http:\/\/localhost:11434\/v1[\s\S]*PATCHWRIGHT_MODEL_API=chat/,
    );
  });
});

describe('patchwright run, real sandbox and tests', () => {
  it.each([
    ['node --test over Responses', nodeBuggy, nodeFix, 'responses' as const],
    ['python unittest over Chat Completions', pythonBuggy, pythonFix, 'chat' as const],
  ])('%s: a model that fixes the bug → succeeded, one commit, user branch untouched', async (_n, files, fix, api) => {
    const repo = fixtureRepo(files);
    const { code, done, events } = await run(
      repo,
      [
        { calls: [{ name: 'update_plan', arguments: { plan: [{ step: 'fix add', status: 'in_progress' }] } }] },
        { calls: [{ name: 'apply_patch', arguments: { input: fix } }] },
        { text: 'Fixed add to use +.' },
      ],
      api,
    );
    expect(done.outcome).toBe('succeeded');
    expect(code).toBe(0);
    expect(done.evidence.baseline?.exitCode).not.toBe(0);
    expect(done.evidence.final).toMatchObject({ exitCode: 0, failed: 0, passed: 1 });
    // Three turns and the title request, 100 input and 20 output tokens each.
    expect(done.evidence.usage).toMatchObject({ inputTokens: 400, outputTokens: 80 });
    expect(done.title).toEqual({ text: 'Make add return the sum', source: 'model' });
    expect(done.evidence.usage.costUsd).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'item.completed' && e.item.kind === 'plan')).toBe(true);
    expect(git(repo, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(git(repo, 'rev-list', '--count', 'main..agent/fix-add-so-it-adds')).toBe('1');
    expect(git(repo, 'show', 'agent/fix-add-so-it-adds', '--stat', '--format=%s')).toMatch(
      /^Make add return the sum[\s\S]*(math\.js|calc\.py)/,
    );
  });

  it('follows the checkout’s .github/agent.yml: its test command, budgets and protected paths', async () => {
    const repo = fixtureRepo({
      ...nodeBuggy,
      '.github/agent.yml':
        'test: node --test --test-reporter=tap\nbudgets:\n  maxTurns: 2\nprotectedPaths: ["math.js"]\n',
    });
    const { code, done, events } = await run(
      repo,
      [{ calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] }, { text: 'tried' }, { text: 'unused' }],
      'responses',
    );
    expect(code).toBe(1);
    expect(done.evidence.testCommand).toBe('node --test --test-reporter=tap');
    // math.js is protected here, so the patch is refused and nothing changes.
    const refused = events.find((e) => e.type === 'item.completed' && e.item.kind === 'error');
    expect(JSON.stringify(refused ?? events)).toMatch(/protected/);
    expect(done.outcome).toBe('no_changes');
  });

  it.each([
    ['denied by default', {}, 'no network'],
    ['granted by the deployment: through the egress firewall only', { PATCHWRIGHT_AGENT_NETWORK: 'allow' }, 'network'],
  ])('a repository asking for network in the agent loop: %s', async (_n, extraEnv, expected) => {
    const net = await import('node:net');
    const { startStandIn } = await import('../support/stand-in.ts');
    const listener = net.createServer((s) => {
      s.on('error', () => {}); // the sandboxed client may close first: a reset is not the test's failure
      s.end('hello');
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const port = (listener.address() as { port: number }).port;
    // An allowed host in a process of its own; the host's own loopback listener stays out of reach either way.
    const standIn = await startStandIn();
    try {
      const repo = fixtureRepo({ ...nodeBuggy, '.github/agent.yml': 'sandbox:\n  network: true\n' });
      const probe = `(exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && echo host-loopback; curl -sf -m 5 -o /dev/null http://localhost:${standIn.httpPort}/__echo && echo network || echo no network`;
      model = await startScriptedModel(
        [{ calls: [{ name: 'shell', arguments: { command: ['bash', '-c', probe] } }] }, { text: 'Looked.' }],
        { titles: () => 'x' },
      );
      const env = {
        ...process.env,
        OPENAI_BASE_URL: model.baseURL,
        OPENAI_API_KEY: 'test-key',
        PATCHWRIGHT_MODEL: 'gpt-5',
        PATCHWRIGHT_DATA_DIR: tempDir('pw-data-'),
        PATCHWRIGHT_EGRESS_ALLOW: `localhost:${standIn.httpPort}`,
        ...extraEnv,
      };
      await runCommand(['--repo', repo, '--task', 'Look around', '--json'], env);
      const events = out
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as RunEvent);
      const cmd = events.find(
        (e) =>
          e.type === 'item.completed' && e.item.kind === 'command_execution' && e.item.command.includes('/dev/tcp'),
      );
      expect(
        cmd && cmd.type === 'item.completed' && cmd.item.kind === 'command_execution' ? cmd.item.output.trim() : '',
      ).toBe(expected);
    } finally {
      listener.close();
      await standIn.close();
    }
  });

  it('a setup step fails where the repository asks for a newer Node than the worker has → setup_failed names it as the likely cause', async () => {
    const repo = fixtureRepo({
      ...nodeBuggy,
      '.nvmrc': '99\n',
      '.github/agent.yml': 'setup: ["node -e \\"process.exit(4)\\""]\n',
    });
    const { done, code } = await run(repo, [], 'responses');
    expect(code).toBe(1);
    expect(done.outcome).toBe('setup_failed');
    expect(done.summary).toMatch(
      /failed \(exit 4\)[\s\S]*Likely why: the worker has Node [\d.]+, older than the Node 99 that \.nvmrc asks for: install it on the worker/,
    );
  });

  it('an invalid .github/agent.yml → a clear message and exit 2, before anything runs', async () => {
    const repo = fixtureRepo({ ...nodeBuggy, '.github/agent.yml': 'budgets:\n  maxTurns: -1\n' });
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation(
      (chunk: string | Uint8Array) => (err.push(String(chunk)), true),
    );
    model = await startScriptedModel([]);
    const code = await runCommand(['--repo', repo, '--task', 'x'], {
      ...process.env,
      OPENAI_BASE_URL: model.baseURL,
      OPENAI_API_KEY: 'k',
      PATCHWRIGHT_DATA_DIR: tempDir('pw-data-'),
    });
    expect(code).toBe(2);
    expect(err.join('')).toMatch(/\.github\/agent\.yml is invalid:\n\s+budgets\.maxTurns: /);
    expect(model.requests).toHaveLength(0);
    expect(git(repo, 'branch', '--list', 'agent/*')).toBe('');
  });

  it('a model that never fixes it → budget_exhausted, naming the budget', async () => {
    const repo = fixtureRepo(nodeBuggy);
    const look = { calls: [{ name: 'shell', arguments: { command: ['ls'] } }] };
    const { code, done } = await run(repo, [look, look, look, look], 'responses', ['--max-turns', '3']);
    expect(done.outcome).toBe('budget_exhausted');
    expect(done.summary).toMatch(/turns \(3 of 3\)/);
    expect(code).toBe(1);
  });

  it('malformed tool arguments → the error goes back to the model and the loop goes on', async () => {
    const repo = fixtureRepo(nodeBuggy);
    const { done } = await run(
      repo,
      [
        { calls: [{ name: 'shell', arguments: '{"command": ["ls"' }] },
        (body) => {
          const items = body.input as Array<{ type?: string; output?: string }>;
          const out = items.filter((i) => i.type === 'function_call_output').at(-1)?.output ?? '';
          return out.includes('not valid JSON')
            ? { calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] }
            : { text: 'no error seen' };
        },
        { text: 'done' },
      ],
      'responses',
    );
    expect(done.outcome).toBe('succeeded');
  });

  it('a model that claims success while its new test fails → a verification round, then success', async () => {
    const repo = fixtureRepo(nodeBuggy);
    const { done, events } = await run(
      repo,
      [
        { calls: [{ name: 'apply_patch', arguments: { input: nodeAddMulTest } }] },
        { text: 'Added mul. All tests pass now!' },
        (body) => {
          const items = body.input as Array<{ role?: string; content?: string }>;
          const last = String(items.at(-1)?.content ?? '');
          return /The harness ran `npm test` and it failed/.test(last) &&
            /New failures: multiplies/.test(last) &&
            /already failed before your change; leave them alone: adds/.test(last)
            ? { calls: [{ name: 'apply_patch', arguments: { input: nodeAddMul } }] }
            : { text: 'no feedback seen' };
        },
        { text: 'Now really done.' },
      ],
      'responses',
      [],
      'Add a mul function',
    );
    expect(done.outcome).toBe('succeeded');
    expect(done.evidence.preExistingFailures).toEqual(['adds']);
    expect(done.evidence.final?.failures).toEqual(['adds']);
    // The baseline, the failing round and the green one in the model's checkout, then the verdict's run on a clean checkout.
    const runs = events.filter((e) => e.type === 'item.completed' && e.item.kind === 'test_run');
    expect(runs).toHaveLength(4);
    // The tests did not change state (adds failed before and after): the new test had to fail without the change.
    expect(
      events.some(
        (e) =>
          e.type === 'item.completed' &&
          e.item.kind === 'command_execution' &&
          /without the rest of the change/.test(e.item.command) &&
          e.item.exitCode !== 0,
      ),
    ).toBe(true);
  });

  it('a model that only claims success → no_changes, never succeeded', async () => {
    const repo = fixtureRepo(nodeBuggy);
    const { code, done } = await run(repo, [{ text: 'All tests pass now!' }], 'responses');
    expect(done.outcome).toBe('no_changes');
    expect(code).toBe(1);
  });

  it('new failures left after the verification rounds → tests_failing, exit 1', async () => {
    const repo = fixtureRepo(nodeBuggy);
    const noop = { text: 'Done, trust me.' };
    const { code, done } = await run(
      repo,
      [{ calls: [{ name: 'apply_patch', arguments: { input: nodeAddMulTest } }] }, noop, noop, noop, noop],
      'responses',
    );
    expect(done.outcome).toBe('tests_failing');
    expect(done.summary).toMatch(/after 3 verification round\(s\): multiplies/);
    expect(code).toBe(1);
  });

  it('abort during a long command → cancelled within seconds', async () => {
    const repo = fixtureRepo(nodeBuggy);
    model = await startScriptedModel([{ calls: [{ name: 'shell', arguments: { command: 'sleep 120' } }] }]);
    const env = {
      ...process.env,
      OPENAI_BASE_URL: model.baseURL,
      OPENAI_API_KEY: 'k',
      PATCHWRIGHT_MODEL_API: 'responses',
      PATCHWRIGHT_DATA_DIR: tempDir('pw-data-'),
    };
    const started = Date.now();
    const pending = runCommand(['--repo', repo, '--task', 'Sleep', '--json'], env);
    await vi.waitFor(() => expect(out.join('')).toContain('sleep 120'), { timeout: 20_000, interval: 50 });
    process.emit('SIGINT');
    const code = await pending;
    const done = out
      .join('')
      .split('\n')
      .filter((l) => l.includes('run.completed'))
      .map((l) => JSON.parse(l))[0];
    expect(done.outcome).toBe('cancelled');
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});
