import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { runCommand } from '../../src/cli/run-command.ts';
import { tempDir } from '../support/app-harness.ts';
import { fixtureRepo, nodeBuggy, nodeFix } from '../support/fixture-repo.ts';
import { startScriptedModel, type ScriptedModel } from '../support/scripted-model.ts';

let model: ScriptedModel | undefined;
afterAll(async () => model?.close());

it('patchwright run records its runs; patchwright dashboard shows them on this machine, without sign-in or buttons', async () => {
  const dataDir = tempDir('pw-local-dash-');
  model = await startScriptedModel(
    [{ calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] }, { text: 'Fixed add.' }],
    { titles: () => 'Make add return the sum' },
  );
  const env = {
    ...process.env,
    OPENAI_BASE_URL: model.baseURL,
    OPENAI_API_KEY: 'test-key',
    PATCHWRIGHT_MODEL: 'gpt-5',
    PATCHWRIGHT_DATA_DIR: dataDir,
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const code = await runCommand(
    ['--repo', fixtureRepo(nodeBuggy), '--task', 'Fix add so it adds', '--json'],
    env,
  ).finally(() => out.mockRestore());
  expect(code).toBe(0);

  const child = spawn(path.resolve('node_modules/.bin/node'), ['bin/patchwright.js', 'dashboard', '--port', '0'], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let err = '';
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+)\/dashboard/.exec(err);
        if (m) resolve(m[1]!);
      });
      child.once('exit', () => reject(new Error(err)));
    });
    const list = (await (await fetch(`${url}/dashboard/api/runs`)).json()) as {
      runs: Array<{
        id: number;
        repo: string;
        outcome: string;
        title: string;
        model: string;
        compute: { commands: number };
      }>;
    };
    expect(list.runs).toHaveLength(1);
    expect(list.runs[0]).toMatchObject({ outcome: 'succeeded', title: 'Fix add so it adds', model: 'gpt-5' });
    expect(list.runs[0]!.compute.commands).toBeGreaterThan(2);
    const page = await (await fetch(`${url}/dashboard/runs/${list.runs[0]!.id}`)).text();
    expect(page).toContain('No sign-in is configured');
    expect(page).toMatch(/npm test<\/code>: 1 passed, 0 failed/);
    expect(page).not.toMatch(/<button type="submit">(Stop|Retry)/);
    expect(page).not.toContain('test-key');
  } finally {
    child.kill();
  }
}, 120_000);
