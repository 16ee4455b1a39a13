import crypto from 'node:crypto';
import { expect } from 'vitest';
import { tempDir } from './app-harness.ts';
import { nodeBuggy, nodeFix } from './fixture-repo.ts';
import type { RpcClient } from './rpc-client.ts';
import { makeRemoteRepo, startGitServer, type GitServer } from './git-http-server.ts';
import { startGithubFake, type FakeGithub } from './github-fake.ts';
import { startScriptedModel, type ScriptedModel, type Step } from './scripted-model.ts';

export interface WatchedWidgets {
  git: GitServer;
  github: FakeGithub;
  model: ScriptedModel;
  /** Resolves when the run has taken its first look and the model is "thinking" (held). */
  paused: Promise<void>;
  /** Lets the model answer: the fix, then its closing words. */
  release(): void;
  close(): Promise<void>;
}

/**
 * For watching a run mid-way (app-server GitHub threads): the buggy `widgets` repository behind
 * git http-backend, the fake GitHub, and a model that looks at math.js, holds its next answer
 * until `release()`, then fixes `add` and says so.
 */
export async function startWatchedWidgets(): Promise<WatchedWidgets> {
  const token = `ghs_${crypto.randomBytes(16).toString('hex')}`;
  const root = tempDir('pw-watched-');
  makeRemoteRepo(root, 'widgets', nodeBuggy);
  let reachedPause: () => void = () => {};
  const paused = new Promise<void>((r) => (reachedPause = r));
  let answer: (() => void) | null = null;
  let released = false;
  const fix: Step = { calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] };
  const [git, github, model] = await Promise.all([
    startGitServer(root, token),
    startGithubFake({ token }),
    startScriptedModel(
      [
        { text: 'Looking at math.js first.', calls: [{ name: 'shell', arguments: { command: ['cat', 'math.js'] } }] },
        () => {
          reachedPause();
          return released ? fix : new Promise<Step>((r) => (answer = () => r(fix)));
        },
        { text: 'Fixed add: it now returns the sum.' },
      ],
      { titles: () => 'Make add return the sum' },
    ),
  ]);
  return {
    git,
    github,
    model,
    paused,
    release: () => {
      released = true;
      answer?.();
    },
    close: async () => {
      await Promise.all([git.close(), github.close(), model.close()]);
    },
  };
}

/** `thread/resume` on the held run: the answer carries what it did so far (the task, the model's first look), still in progress. */
export async function resumeMidRun(client: RpcClient, threadId: string): Promise<void> {
  const resumed = (await client.request('thread/resume', { threadId })).result as {
    thread: { turns: Array<{ status: string; items: Array<{ type: string; command?: string; text?: string }> }> };
  };
  const [turn] = resumed.thread.turns;
  expect(turn!.status).toBe('inProgress');
  expect(turn!.items.map((i) => i.type)).toContain('userMessage');
  expect(turn!.items.some((i) => i.command === 'cat math.js')).toBe(true);
  expect(turn!.items.some((i) => i.text === 'Looking at math.js first.')).toBe(true);
}
