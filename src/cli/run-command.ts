import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readSettings } from '../adapters/env/read-settings.ts';
import { commitAll } from '../adapters/git/commit-and-push.ts';
import { git } from '../adapters/git/run-git.ts';
import { localWorktree, removeLocalWorktree } from '../adapters/git/local-worktree.ts';
import { checkChanges, describeProblems } from '../adapters/git/commit-and-push.ts';
import { runAgent } from '../core/loop/run-agent.ts';
import { readLocalConfig } from './local-config.ts';
import { readTask } from './read-task.ts';
import { slugify } from '../repo/conventions/branch-name.ts';
import { humanRenderer, jsonlRenderer } from './render-events.ts';
import { recordRun } from './record-run.ts';
import { prepareRun } from './prepare-run.ts';

export const NO_MODEL_HELP = `No model is configured. Set one of:
  OPENAI_API_KEY=sk-...                      (OpenAI; PATCHWRIGHT_MODEL defaults to gpt-5.1-codex)
or, for a local model with Ollama:
  OPENAI_BASE_URL=http://localhost:11434/v1 PATCHWRIGHT_MODEL=qwen2.5-coder:14b PATCHWRIGHT_MODEL_API=chat
`;

/** `patchwright run`: one task on a local checkout, on a new branch; exit 0 only on `succeeded`. */
export async function runCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      repo: { type: 'string', default: '.' },
      task: { type: 'string' },
      'task-file': { type: 'string' },
      issue: { type: 'string' },
      model: { type: 'string' },
      json: { type: 'boolean' },
      'max-turns': { type: 'string' },
      'max-cost': { type: 'string' },
    },
  });
  if (!env.OPENAI_API_KEY && !env.OPENAI_BASE_URL) {
    process.stderr.write(NO_MODEL_HELP);
    return 2;
  }
  const settings = readSettings({ PATCHWRIGHT_DATA_DIR: path.join(os.homedir(), '.cache', 'patchwright'), ...env });
  const local = readLocalConfig(path.resolve(values.repo));
  if ('error' in local) {
    process.stderr.write(`${local.error}\n`);
    return 2;
  }
  const { config } = local;
  const task = await readTask(values, env);
  const runId = `cli-${Date.now().toString(36)}-${crypto.randomBytes(3).toString('hex')}`;
  const branch = `agent/${slugify(task.title)}`;
  const repoDir = path.resolve(values.repo);
  const ws = await localWorktree(repoDir, branch, path.join(settings.dataDir, 'worktrees', runId));
  const renderer = values.json ? jsonlRenderer() : humanRenderer();
  // Recorded in the data dir, for `patchwright dashboard`.
  const record = recordRun(settings.dataDir, runId, repoDir, task, values.model ?? settings.model);
  const runTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'patchwright-run-'));
  try {
    const run = await prepareRun({
      settings,
      env,
      config,
      ws,
      runTmp,
      runId,
      task,
      model: values.model,
      budgets: { ...(values['max-turns'] ? { maxTurns: Number(values['max-turns']) } : {}), ...(values['max-cost'] ? { maxCostUsd: Number(values['max-cost']) } : {}) },
      title: true,
    });
    const controller = new AbortController();
    const onSigint = () => controller.abort(new Error('interrupted (Ctrl-C)'));
    process.once('SIGINT', onSigint);
    const result = await runAgent(run.input, { ...run.deps, emit: (e) => (record.log(e), renderer.event(e)) }, controller.signal).finally(() => process.off('SIGINT', onSigint));
    renderer.close();
    record.finish(result.outcome);
    const message = result.title?.text ?? run.brief?.repair(null, result.evidence.filesChanged) ?? task.title;
    const committed = ['succeeded', 'tests_failing'].includes(result.outcome)
      ? await commitAll(ws, message.slice(0, 100), { name: 'Patchwright', email: 'patchwright@localhost' })
      : null;
    // The same checks a push gets: a commit of credentials (or of this app's own secrets) is undone.
    const problems = committed ? await checkChanges(ws, config.protectedPaths, run.secrets) : [];
    if (problems.length) {
      await git(ws.dir).raw(['reset', '-q', '--hard', ws.startSha]);
      process.stderr.write(`Refusing to commit:\n${describeProblems(problems)}\nNothing committed; branch ${branch} is unchanged.\n`);
      return 1;
    }
    if (!values.json) {
      process.stdout.write(committed ? `Committed ${committed.slice(0, 10)} on branch ${branch}.\n` : `Nothing committed; branch ${branch} is unchanged.\n`);
    }
    return result.outcome === 'succeeded' ? 0 : 1;
  } finally {
    renderer.close();
    record.close();
    await removeLocalWorktree(ws);
    fs.rmSync(runTmp, { recursive: true, force: true });
  }
}
