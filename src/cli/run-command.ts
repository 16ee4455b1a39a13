import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readSettings } from '../adapters/env/read-settings.ts';
import { checkTree, commitTree, describeProblems } from '../adapters/git/commit-and-push.ts';
import { localWorktree, removeLocalWorktree } from '../adapters/git/local-worktree.ts';
import { makeRunDirs } from '../adapters/sandbox/run-dirs.ts';
import { runAgent } from '../core/loop/run-agent.ts';
import { readLocalConfig } from '../run/local-config.ts';
import { readTask } from './read-task.ts';
import { slugify } from '../repo/conventions/branch-name.ts';
import { humanRenderer, jsonlRenderer } from './render-events.ts';
import { recordRun } from './record-run.ts';
import { prepareRun } from '../run/prepare-run.ts';

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
  const dirs = makeRunDirs(settings.dataDir, runId, { branch: false });
  try {
    const run = await prepareRun({
      settings,
      env,
      config,
      ws,
      dirs,
      runId,
      task,
      model: values.model,
      budgets: {
        ...(values['max-turns'] ? { maxTurns: Number(values['max-turns']) } : {}),
        ...(values['max-cost'] ? { maxCostUsd: Number(values['max-cost']) } : {}),
      },
      title: true,
    });
    const controller = new AbortController();
    const onSigint = () => controller.abort(new Error('interrupted (Ctrl-C)'));
    process.once('SIGINT', onSigint);
    const result = await runAgent(
      run.input,
      { ...run.deps, emit: (e) => (record.log(e), renderer.event(e)) },
      controller.signal,
    ).finally(() => process.off('SIGINT', onSigint));
    renderer.close();
    record.finish(result.outcome);
    const message = result.title?.text ?? run.brief?.repair(null, result.evidence.filesChanged) ?? task.title;
    const tree = ['succeeded', 'tests_failing'].includes(result.outcome) ? result.tree : undefined;
    const subject = message.slice(0, 100);
    // The same checks a push gets, on exactly the tree to commit, before anything is committed.
    const problems = tree
      ? await checkTree(ws.commonDir, ws.startSha, tree, config.protectedPaths, run.secrets, [subject])
      : [];
    if (problems.length) {
      process.stderr.write(
        `Refusing to commit:\n${describeProblems(problems)}\nNothing committed; branch ${branch} is unchanged.\n`,
      );
      return 1;
    }
    const committed = tree
      ? await commitTree(ws, tree, subject, { name: 'Patchwright', email: 'patchwright@localhost' })
      : null;
    if (!values.json) {
      process.stdout.write(
        committed
          ? `Committed ${committed.slice(0, 10)} on branch ${branch}.\n`
          : `Nothing committed; branch ${branch} is unchanged.\n`,
      );
    }
    return result.outcome === 'succeeded' ? 0 : 1;
  } finally {
    renderer.close();
    record.close();
    await removeLocalWorktree(ws);
    dirs.remove();
  }
}
