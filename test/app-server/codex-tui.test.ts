import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/app-harness.ts';
import { fixtureRepo } from '../support/fixture-repo.ts';
import { startScriptedModel, type ScriptedModel } from '../support/scripted-model.ts';
import { TmuxPane } from '../support/tmux-pane.ts';

/**
 * The real Codex TUI (npm @openai/codex, pinned) as a client of `patchwright app-server` over
 * WebSocket, driven under tmux like a person at a terminal: trust the folder, type a task, watch
 * the command, the change and the answer stream in, then interrupt a turn with Esc.
 * The screens are kept in artifacts/codex-tui/.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const CODEX = path.join(ROOT, 'node_modules/.bin/codex');
const ARTIFACTS = path.join(ROOT, 'artifacts/codex-tui');
const fix = '*** Begin Patch\n*** Update File: greet.sh\n-echo "helo, world"\n+echo "hello, world"\n*** End Patch';

let model: ScriptedModel;
let serverEnv: NodeJS.ProcessEnv;
let server: ChildProcess;
let url = '';
let repo = '';
let serverLog = '';
let hangReached: () => void = () => {};
const hanging = new Promise<void>((r) => (hangReached = r));
const panes: TmuxPane[] = [];

/** Starts `patchwright app-server` on a free loopback port and reads the address it prints. */
async function startServer(env: NodeJS.ProcessEnv, extra: string[] = []): Promise<void> {
  server = spawn(
    path.join(ROOT, 'node_modules/.bin/node'),
    [path.join(ROOT, 'bin/patchwright.js'), 'app-server', '--listen', 'ws://127.0.0.1:0', ...extra],
    { env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  serverLog = '';
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the app server did not start: ${serverLog}`)), 20_000);
    server.stderr!.on('data', (d: Buffer) => {
      serverLog += d.toString();
      const m = /listening on (ws:\/\/\S+)/.exec(serverLog);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
}

function tui(name: string, args: string[], env: Record<string, string> = {}): TmuxPane {
  const home = tempDir('codex-home-');
  // The pane stays after the TUI exits, so what it said last can be read.
  const pane = new TmuxPane(name, `${[CODEX, '--remote', url, ...args].map((a) => `'${a}'`).join(' ')}; sleep 600`, {
    env: { CODEX_HOME: home, TERM: 'xterm-256color', ...env },
  });
  panes.push(pane);
  return pane;
}

/**
 * Types a message and sends it. The TUI takes fast typing as a paste and holds Enter for a moment
 * after it (its paste-burst guard), so Enter comes after a pause, as from a person.
 */
async function submit(pane: TmuxPane, text: string): Promise<void> {
  pane.type(text);
  await new Promise((r) => setTimeout(r, 800));
  pane.key('Enter');
}

beforeAll(async () => {
  repo = fixtureRepo({
    'greet.sh': 'echo "helo, world"\n',
    'test.sh': 'sh greet.sh | grep -q "hello, world"\n',
    '.github/agent.yml': 'test: sh test.sh\n',
  });
  model = await startScriptedModel(
    [
      {
        calls: [
          {
            name: 'update_plan',
            arguments: {
              plan: [
                { step: 'Find the typo', status: 'completed' },
                { step: 'Fix the greeting', status: 'in_progress' },
              ],
            },
          },
        ],
      },
      { text: 'Let me look at the script.', calls: [{ name: 'shell', arguments: { command: ['cat', 'greet.sh'] } }] },
      { calls: [{ name: 'apply_patch', arguments: { input: fix } }] },
      { text: 'Fixed the typo in the greeting.' },
      // The second task: the model never answers, and the person presses Esc (once it is asked).
      () => (hangReached(), { hang: true }),
      // Another session, read-only with approvals on request (the TUI's defaults): the change is asked for.
      {
        calls: [
          {
            name: 'apply_patch',
            arguments: { input: '*** Begin Patch\n*** Add File: NOTES.md\n+Remember the greeting.\n*** End Patch' },
          },
        ],
      },
      { text: 'Added NOTES.md.' },
    ],
    { titles: () => 'Fix the greeting' },
  );
  await startServer(
    (serverEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      OPENAI_BASE_URL: model.baseURL,
      OPENAI_API_KEY: 'test-key',
      PATCHWRIGHT_MODEL: 'gpt-5',
      PATCHWRIGHT_DATA_DIR: tempDir('pw-data-'),
      PATCHWRIGHT_SANDBOX_UID: '61107',
    }),
  );
}, 60_000);

afterAll(async () => {
  for (const p of panes) p.kill();
  server?.kill();
  await model?.close();
});

describe('the real Codex TUI against patchwright app-server', () => {
  it('trusts the folder, takes a task, shows the command, the change and the answer; Esc interrupts the next turn', async () => {
    const pane = tui('work', ['-C', repo, '--sandbox', 'workspace-write', '--ask-for-approval', 'never']);
    await pane.waitFor(/Trust this folder\?/);
    pane.save(path.join(ARTIFACTS, '1-trust.txt'));
    pane.key('Enter');
    await pane.waitFor(/gpt-5/);
    await submit(pane, 'Fix the typo in greet.sh');
    const done = await pane.waitFor(/Worked for/, 60_000);
    pane.save(path.join(ARTIFACTS, '2-task-done.txt'));
    expect(done).toContain('Fixed the typo in the greeting.');
    expect(done).toMatch(/Find the typo[\s\S]*Fix the greeting/);
    expect(done).toMatch(/cat greet\.sh/);
    expect(done).toMatch(/Edited greet\.sh \(\+1 -1\)/);
    expect(done).toMatch(/the tests before any change \(baseline\): exit 1/);
    expect(done).toMatch(/the change is made and the tests pass/);
    // The change is in the person's checkout, where they work.
    expect(fs.readFileSync(path.join(repo, 'greet.sh'), 'utf8')).toBe('echo "hello, world"\n');

    await submit(pane, 'Now also add a farewell');
    await pane.waitFor(/esc to interrupt/i, 30_000);
    // Esc while the model is thinking (not while the baseline tests still run), so the script stays in step.
    await hanging;
    pane.save(path.join(ARTIFACTS, '3-working.txt'));
    pane.key('Escape');
    const interrupted = await pane.waitFor(/interrupted|Conversation interrupted/i, 30_000);
    pane.save(path.join(ARTIFACTS, '4-interrupted.txt'));
    expect(interrupted).not.toMatch(/esc to interrupt/i);
    expect(interrupted).not.toMatch(/warning/i);
  }, 180_000);

  it("with the TUI's defaults (read-only, approval on request) a file change is asked for, and a yes applies it", async () => {
    const other = fixtureRepo({ 'README.md': '# notes\n' });
    const pane = tui('approve', ['-C', other]);
    await pane.waitFor(/Trust this folder\?/);
    pane.key('Enter');
    await pane.waitFor(/gpt-5/);
    await submit(pane, 'Add a notes file');
    const asked = await pane.waitFor(/Would you like to make the following edits\?/, 60_000);
    pane.save(path.join(ARTIFACTS, '7-approval.txt'));
    expect(asked).toMatch(/NOTES\.md/);
    expect(fs.existsSync(path.join(other, 'NOTES.md'))).toBe(false);
    pane.key('y');
    const done = await pane.waitFor(/Worked for/, 60_000);
    pane.save(path.join(ARTIFACTS, '8-approved.txt'));
    expect(done).toContain('Added NOTES.md.');
    expect(done).toMatch(/the change is made, and nothing verified it/);
    expect(fs.readFileSync(path.join(other, 'NOTES.md'), 'utf8')).toBe('Remember the greeting.\n');
  }, 180_000);

  it('with --ws-token-file the TUI gets in with the token (--remote-auth-token-env) and is refused without it', async () => {
    server.kill();
    const tokenFile = path.join(tempDir('pw-token-'), 'token');
    const token = `tok-${Math.random().toString(36).slice(2)}`;
    fs.writeFileSync(tokenFile, `${token}\n`);
    await startServer(serverEnv, ['--ws-token-file', tokenFile]);
    const good = tui('token-ok', ['-C', fixtureRepo({ 'a.txt': 'a\n' }), '--remote-auth-token-env', 'PW_TOKEN'], {
      PW_TOKEN: token,
    });
    await good.waitFor(/Trust this folder\?/);
    const bad = tui('token-bad', ['-C', fixtureRepo({ 'a.txt': 'a\n' }), '--remote-auth-token-env', 'PW_TOKEN'], {
      PW_TOKEN: 'wrong',
    });
    expect(await bad.waitFor(/401 Unauthorized/)).toMatch(/failed to connect to remote app server/);
  }, 120_000);
});
