import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { evalCommand } from '../../src/cli/eval-command.ts';
import { runCommand } from '../../src/cli/run-command.ts';
import { EvalReport } from '../../src/protocol/eval.ts';
import type { RunEvent } from '../../src/protocol/run-event.ts';
import { tempDir } from '../support/app-harness.ts';
import { cloneHistory, MORE_ITERTOOLS_CONFIG, shaOf, TOMLI_CONFIG } from '../support/real-history.ts';
import { replayScript, type Replay } from '../support/replay-model.ts';
import { startScriptedModel, type ScriptedModel } from '../support/scripted-model.ts';

/**
 * The Bar: real fix commits replayed through `patchwright run` end `succeeded` with the whole
 * fix and not `succeeded` with only its tests; `patchwright eval` on the same commits reaches the
 * same verdicts (resolved with the fix, and with its code alone; unresolved with its tests alone).
 */
const SANDBOX_UID = '61202';
const SETS: Array<{ name: string; config: string; fixes: RegExp[]; models: Record<string, Replay> }> = [
  {
    name: 'hukkin+tomli',
    config: TOMLI_CONFIG,
    fixes: [/Make seconds optional/, /Add \\xHH Unicode escape/, /Allow newlines and trailing comma/],
    models: { 'gpt-5': 'fix', 'gpt-5-mini': 'code', 'gpt-5-nano': 'tests' },
  },
  {
    // A GitHub merge. Its suite takes ~15 s a run here: no verification rounds, and the code-only replay is left to tomli.
    name: 'more-itertools+more-itertools',
    config: `${MORE_ITERTOOLS_CONFIG}verificationRounds: 0\n`,
    fixes: [/Raise a clear ValueError for negative n in chunked/],
    models: { 'gpt-5': 'fix', 'gpt-5-nano': 'tests' },
  },
];

let model: ScriptedModel | undefined;
let out: string[];
beforeEach(() => {
  out = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (out.push(String(c)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await model?.close();
  model = undefined;
});

const env = (baseURL: string) => ({
  ...process.env,
  OPENAI_BASE_URL: baseURL,
  OPENAI_API_KEY: 'k',
  PATCHWRIGHT_MODEL: 'gpt-5',
  PATCHWRIGHT_DATA_DIR: tempDir('pw-bar-data-'),
  PATCHWRIGHT_SANDBOX_UID: SANDBOX_UID,
});

/** `patchwright run` on a checkout at the fix's parent, the model replaying `replay` of the fix. */
async function replayRun(repo: string, sha: string, replay: Replay): Promise<string> {
  const git = (...a: string[]) => execFileSync('git', a, { cwd: repo, encoding: 'utf8' }).trim();
  const at = `${tempDir('pw-bar-run-')}/checkout`;
  execFileSync('git', ['clone', '-q', repo, at]);
  execFileSync('git', ['checkout', '-q', '--detach', git('rev-parse', `${sha}^1`)], { cwd: at });
  execFileSync('cp', ['-r', `${repo}/.github`, at]);
  // The task names the change the way the eval's text does: its subject, or its branch's commits.
  const merge = git('log', '-1', '--format=%P', sha).split(' ').length > 1;
  const task = merge ? git('log', '--format=%s', `${sha}^1..${sha}`) : git('log', '-1', '--format=%s', sha);
  model = await startScriptedModel(replayScript(repo, replay), { titles: () => 'Replay the fix' });
  out.length = 0;
  await runCommand(['--repo', at, '--task', task, '--json'], env(model.baseURL));
  await model.close();
  model = undefined;
  const done = out
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as RunEvent)
    .find((e) => e.type === 'run.completed');
  return done && done.type === 'run.completed' ? done.outcome : 'none';
}

describe.each(SETS)('the Bar on $name’s real fixes', ({ name, config, fixes, models }) => {
  it('patchwright run: succeeded with the fix, not with only its tests; patchwright eval: the same verdicts', async () => {
    const repo = cloneHistory(name, config);
    const shas = fixes.map((f) => shaOf(repo, f));
    const runs: Record<string, { fix: string; tests: string }> = {};
    for (const sha of shas)
      runs[sha] = { fix: await replayRun(repo, sha, 'fix'), tests: await replayRun(repo, sha, 'tests') };
    for (const sha of shas)
      expect([sha, runs[sha]!.fix, runs[sha]!.tests === 'succeeded']).toEqual([sha, 'succeeded', false]);

    model = await startScriptedModel(replayScript(repo, (m) => models[m] ?? 'empty'));
    out.length = 0;
    const code = await evalCommand(
      [repo, ...shas.flatMap((s) => ['--only', s]), ...Object.keys(models).flatMap((m) => ['--model', m]), '--json'],
      env(model.baseURL),
    );
    expect(code).toBe(0);
    const report = EvalReport.parse(JSON.parse(out.join('')));
    const verdict = (sha: string, m: string) =>
      report.runs.find((r) => r.task === sha && r.model === m)!.verdict.resolved;
    for (const sha of shas) {
      // run's verdict, reproduced: succeeded ⇔ resolved.
      expect([sha, verdict(sha, 'gpt-5'), verdict(sha, 'gpt-5-nano')]).toEqual([
        sha,
        runs[sha]!.fix === 'succeeded',
        runs[sha]!.tests === 'succeeded',
      ]);
      if (models['gpt-5-mini']) expect([sha, verdict(sha, 'gpt-5-mini')]).toEqual([sha, true]);
    }
  }, 1_200_000);
});
