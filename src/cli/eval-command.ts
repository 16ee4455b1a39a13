import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appSecrets } from '../adapters/env/app-secrets.ts';
import { readSettings } from '../adapters/env/read-settings.ts';
import { branchMessages, changedPaths, mainlineCommits, namedCommits, patchOf } from '../adapters/git/fix-history.ts';
import { git } from '../adapters/git/run-git.ts';
import { EvalStore } from '../adapters/store/eval-store.ts';
import { makeRedactor } from '../core/loop/redact.ts';
import { resultKey, runEval } from '../eval/eval-engine.ts';
import { renderReport } from '../eval/report-table.ts';
import { inspectRepo } from '../repo/inspect.ts';
import { RepoFiles } from '../repo/repo-files.ts';
import { testFileRules } from '../repo/test-files.ts';
import { EVAL_USAGE, parseEvalArgs, readIssues, resolveEvalArgs, UsageError, type EvalArgs } from './eval-args.ts';
import { evalProgress } from './eval-progress.ts';
import { evalWorkbench } from './eval-workbench.ts';
import { readLocalConfig } from '../run/local-config.ts';
import { NO_MODEL_HELP } from './run-command.ts';

/**
 * `patchwright eval`: how often the agent fixes this repository's own kind of issue. Fixes are
 * mined from its history and checked in the sandbox (SWE-bench's recipe); each model runs each
 * task through the same engine as `patchwright run`; the report says what was resolved, how
 * the other runs ended, and what it all cost. Exit 0 when every run is done, 1 when some could
 * not be (nothing validated, or stopped), 2 on bad input, 130 when interrupted.
 */
export async function evalCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let a: EvalArgs;
  let repoTop: string | null;
  let store: EvalStore;
  let issues: ReturnType<typeof readIssues>;
  const settings = readSettings({ PATCHWRIGHT_DATA_DIR: path.join(os.homedir(), '.cache', 'patchwright'), ...env });
  try {
    const parsed = parseEvalArgs(argv);
    if (parsed.help) return (process.stdout.write(EVAL_USAGE), 0);
    repoTop = await git(parsed.dir)
      .revparse(['--show-toplevel'])
      .catch(() => null);
    if (!repoTop) throw new UsageError(`${parsed.dir} is not inside a git checkout`);
    store = new EvalStore(settings.dataDir, repoTop);
    a = resolveEvalArgs(
      argv,
      store.lastArgs(),
      await git(repoTop)
        .revparse(['HEAD'])
        .catch(() => null),
      settings.model,
      repoTop,
    );
    issues = readIssues(a.issuesFile);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`patchwright eval: ${error.message}\n\n${EVAL_USAGE}`);
    return 2;
  }
  if (!env.OPENAI_API_KEY && !env.OPENAI_BASE_URL) return (process.stderr.write(NO_MODEL_HELP), 2);
  const local = readLocalConfig(repoTop);
  if ('error' in local) return (process.stderr.write(`${local.error}\n`), 2);
  const { config } = local;
  const overrides = { setup: config.setup, test: config.test, lint: config.lint };
  const rules = testFileRules(new RepoFiles(repoTop), inspectRepo(repoTop, overrides).test);
  const redact = makeRedactor(
    appSecrets(
      env,
      settings.setupSecrets.map((n) => env[n]),
    ),
  );
  let release: () => void;
  try {
    release = store.lock();
  } catch (error) {
    process.stderr.write(`patchwright eval: ${(error as Error).message}\n`);
    return 1;
  }
  store.saveArgs(a.args, a.head);
  const top = repoTop;
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error('interrupted (Ctrl-C)'));
  process.once('SIGINT', onSigint);
  const progress = evalProgress(process.stderr);
  try {
    const { workbench, agent } = evalWorkbench({
      settings,
      env,
      config,
      repoTop: top,
      store,
      budgets: a.budgets,
      redact,
    });
    const report = await runEval(
      {
        repo: { name: path.basename(top), dir: top, head: a.head },
        models: a.models,
        attempts: a.attempts,
        wanted: a.wanted,
        fresh: a.fresh,
        keyOf: (sha) => resultKey(sha, { setup: config.setup ?? null, test: config.test ?? null, issues: issues.hash }),
        energy: settings.energy,
      },
      {
        history: {
          commits: () =>
            a.only.length
              ? namedCommits(top, a.only)
              : mainlineCommits(top, { tip: a.head, since: a.since, max: a.scan }),
          changedPaths: (base, sha) => changedPaths(top, base, sha),
          branchMessages: (base, sha) => branchMessages(top, base, sha),
          patchOf: (base, sha, paths) => patchOf(top, base, sha, paths),
        },
        roleOf: rules.roleOf,
        issues: issues.issues,
        store,
        workbench,
        agent,
        progress: progress.update,
      },
      controller.signal,
    );
    progress.done();
    const json = `${JSON.stringify(report, null, 2)}\n`;
    if (a.out) fs.writeFileSync(path.resolve(a.out), json);
    process.stdout.write(a.json ? json : renderReport(report));
    if (controller.signal.aborted)
      return (
        process.stderr.write(
          `Stopped; what finished is kept. Go on with: patchwright eval ${path.relative(process.cwd(), top) || '.'} --resume\n`,
        ),
        130
      );
    if (!report.candidates.validated) {
      process.stderr.write(
        `No candidate validated: ${report.candidates.stopped ?? (report.candidates.examined ? 'see why each was set aside above' : `no commit in the ${a.only.length ? 'given commits' : 'history read'} changes both tests and code`)}.\n`,
      );
      return 1;
    }
    return report.pending ? 1 : 0;
  } catch (error) {
    if (controller.signal.aborted) return 130;
    const e = error as Error & { code?: string };
    process.stderr.write(`patchwright eval: ${e.message}${e.code ? ` [${e.code}]` : ''}\n`);
    return 1;
  } finally {
    progress.done();
    process.off('SIGINT', onSigint);
    // The tasks' copies of the history are made again when needed: a big repository's would fill the disk.
    fs.rmSync(path.join(store.dir, 'bases'), { recursive: true, force: true });
    release();
  }
}
