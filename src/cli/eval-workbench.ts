import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Settings } from '../adapters/env/read-settings.ts';
import {
  applyPatch,
  changeOf,
  checkoutAt,
  historyUpTo,
  removeCheckout,
  type TaskCheckout,
} from '../adapters/git/eval-checkout.ts';
import type { EvalStore } from '../adapters/store/eval-store.ts';
import type { Budgets } from '../core/loop/budgets.ts';
import { runAgent } from '../core/loop/run-agent.ts';
import type { RepoConfig } from '../protocol/repo-config.ts';
import type { RunEvent } from '../protocol/run-event.ts';
import type { AgentRunner, EvalCheckout, Workbench } from '../eval/ports.ts';
import { inspectRepo } from '../repo/inspect.ts';
import { localSandbox } from '../run/local-sandbox.ts';
import { makeRunDirs, type RunDirs } from '../adapters/sandbox/run-dirs.ts';
import { prepareRun } from '../run/prepare-run.ts';
import { recordRun } from './record-run.ts';

export interface EvalWiring {
  settings: Settings;
  env: NodeJS.ProcessEnv;
  config: RepoConfig;
  /** The user's checkout: the history is read from it, nothing is written to it. */
  repoTop: string;
  store: EvalStore;
  budgets: Partial<Budgets>;
  redact: (text: string) => string;
}

/**
 * The eval's checkouts and agent runs on this machine: each checkout is a fresh worktree of a
 * bare repository holding the history up to its commit only, in the data dir; sandboxes are the
 * deployment's, as `run` makes them; the agent runs through `prepareRun` and `runAgent`, like
 * `patchwright run`, and is recorded in the data dir's job store for `patchwright dashboard`.
 */
export function evalWorkbench(w: EvalWiring): { workbench: Workbench; agent: AgentRunner } {
  const open = async (sha: string): Promise<{ co: TaskCheckout; dirs: RunDirs; dispose: () => Promise<void> }> => {
    const history = await historyUpTo(w.repoTop, sha, w.store.historyDir(sha));
    const dir = path.join(
      w.settings.dataDir,
      'worktrees',
      `eval-${sha.slice(0, 10)}-${crypto.randomBytes(3).toString('hex')}`,
    );
    const co = await checkoutAt(history, sha, dir);
    // A run of code a model (or a fix) wrote: a branch run's folders, with a cache of its own.
    const dirs = makeRunDirs(w.settings.dataDir, `eval-${sha.slice(0, 10)}`, { branch: true });
    return { co, dirs, dispose: async () => (await removeCheckout(history, dir), dirs.remove()) };
  };
  const ws = (co: TaskCheckout) => ({
    dir: co.dir,
    mirror: w.repoTop,
    commonDir: co.commonDir,
    startSha: co.startSha,
    gitLink: co.gitLink,
  });
  const overrides = { setup: w.config.setup, test: w.config.test, lint: w.config.lint };

  const workbench: Workbench = {
    limits: { setupTimeoutMs: w.settings.setupTimeoutMs, commandTimeoutMs: w.settings.commandTimeoutMs },
    redact: w.redact,
    async checkout(sha, use): Promise<EvalCheckout> {
      const { co, dirs, dispose } = await open(sha);
      // Caches no agent run reads (gold), or fresh ones for this checkout alone (scoring): see CheckoutUse.
      const cacheDir =
        use === 'gold'
          ? path.join(w.store.dir, 'cache-gold')
          : fs.mkdtempSync(path.join(w.store.dir, 'cache-scoring-'));
      return {
        dir: co.dir,
        commands: () => {
          const info = inspectRepo(co.dir, overrides);
          return { setup: info.setup, test: info.test };
        },
        sandbox: () =>
          localSandbox(
            w.settings,
            w.env,
            ws(co),
            { ...dirs, privateCache: cacheDir },
            undefined,
            w.settings.sandboxUid,
            w.config.sandbox.egress,
          ),
        apply: (patch, what) => applyPatch(co.dir, patch, what),
        dispose: async () => {
          await dispose();
          if (use === 'scoring') fs.rmSync(cacheDir, { recursive: true, force: true });
        },
      };
    },
  };

  const agent: AgentRunner = async (task, model, attempt, signal) => {
    const { co, dirs, dispose } = await open(task.base);
    const runId = `eval-${task.sha.slice(0, 8)}-${attempt}-${crypto.randomBytes(3).toString('hex')}`;
    const cliTask = { title: task.text.title, body: task.text.body, instructions: '' };
    const record = recordRun(w.settings.dataDir, runId, w.repoTop, cliTask, model, 'eval');
    const events = fs.openSync(w.store.eventsFile(task.sha, model, attempt), 'w');
    let turns = 0;
    const emit = (e: RunEvent) => {
      if (e.type === 'turn.started') turns = e.turn;
      record.log(e);
      if (e.type !== 'item.delta') fs.writeSync(events, `${JSON.stringify(e)}\n`);
    };
    try {
      const run = await prepareRun({
        settings: w.settings,
        env: w.env,
        config: w.config,
        ws: ws(co),
        dirs,
        runId,
        task: cliTask,
        model,
        budgets: w.budgets,
        title: false,
      });
      const completed = await runAgent(run.input, { ...run.deps, emit }, signal);
      record.finish(completed.outcome);
      // The checkout as the run left it, after the guard's last look (runAgent's own).
      return { completed, change: await changeOf(co.dir, co.startSha), turns, jobId: record.jobId, runId };
    } finally {
      fs.closeSync(events);
      record.close();
      await dispose();
    }
  };
  return { workbench, agent };
}
