import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { appSecrets } from '../adapters/env/app-secrets.ts';
import { readSettings } from '../adapters/env/read-settings.ts';
import { branchMessages, changedPaths, mainlineCommits, namedCommits, patchOf } from '../adapters/git/fix-history.ts';
import { git } from '../adapters/git/run-git.ts';
import { EvalStore } from '../adapters/store/eval-store.ts';
import { makeRedactor } from '../core/loop/redact.ts';
import { resultKey, runEval } from '../eval/eval-engine.ts';
import { parseIssuesFile } from '../eval/issues-file.ts';
import { renderReport } from '../eval/report-table.ts';
import { inspectRepo } from '../repo/inspect.ts';
import { RepoFiles } from '../repo/repo-files.ts';
import { testFileRules } from '../repo/test-files.ts';
import { evalProgress } from './eval-progress.ts';
import { evalWorkbench } from './eval-workbench.ts';
import { readLocalConfig } from './local-config.ts';
import { NO_MODEL_HELP } from './run-command.ts';

export const EVAL_USAGE = `Usage: patchwright eval [DIR] --from-history N [--model M ...] [--attempts K] [--json]
         [--issues-from FILE] [--since REV|DATE] [--only SHA ...] [--scan N] [--max-turns N] [--max-cost USD]
         [--out FILE] [--fresh]
       patchwright eval [DIR] --resume [--json] [--out FILE]
`;

const OPTIONS = {
  'from-history': { type: 'string' },
  model: { type: 'string', multiple: true },
  attempts: { type: 'string' },
  json: { type: 'boolean' },
  'issues-from': { type: 'string' },
  since: { type: 'string' },
  only: { type: 'string', multiple: true },
  scan: { type: 'string' },
  'max-turns': { type: 'string' },
  'max-cost': { type: 'string' },
  out: { type: 'string' },
  fresh: { type: 'boolean' },
  resume: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

class UsageError extends Error {
  readonly code = 'bad_arguments';
}

/**
 * `patchwright eval`: how often the agent fixes this repository's own kind of issue. Fixes are
 * mined from its history and checked in the sandbox (SWE-bench's recipe); each model runs each
 * task through the same engine as `patchwright run`; the report says what was resolved, how
 * the other runs ended, and what it all cost. Exit 0 when every run is done, 1 when some could
 * not be (nothing validated, or stopped), 2 on bad input, 130 when interrupted.
 */
export async function evalCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${EVAL_USAGE}`);
    return 2;
  }
  if (parsed.values.help) return (process.stdout.write(EVAL_USAGE), 0);
  const dir = path.resolve(parsed.positionals[0] ?? '.');
  if (parsed.positionals.length > 1) return usage(`give one folder, not ${parsed.positionals.length}`);
  const repoTop = await git(dir).revparse(['--show-toplevel']).catch(() => null);
  if (!repoTop) return usage(`${dir} is not inside a git checkout`);
  const settings = readSettings({ PATCHWRIGHT_DATA_DIR: path.join(os.homedir(), '.cache', 'patchwright'), ...env });
  const store = new EvalStore(settings.dataDir, repoTop);

  // --resume: the last eval's own arguments, from the commit it started at (new commits since do not change its tasks).
  let args = argv.filter((a) => a !== '--resume');
  let values = parsed.values;
  let head = await git(repoTop).revparse(['HEAD']).catch(() => null);
  if (values.resume) {
    const last = store.lastArgs();
    if (!last) return usage(`no earlier eval of ${repoTop} to resume; start one with --from-history N`);
    const extra = Object.keys(values).filter((k) => !['resume', 'json', 'out'].includes(k));
    if (extra.length) return usage(`--resume repeats the last eval's arguments (${last.args.join(' ')}); give either --resume or new arguments, not --${extra[0]}`);
    args = [...last.args, ...(values.json ? ['--json'] : []), ...(values.out ? ['--out', values.out] : [])];
    values = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true }).values;
    head = last.head;
  }
  if (!head) return usage(`${repoTop} has no commits yet`);
  const num = (name: string, v: string | undefined, fallback: number, int = true): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0 || (int && !Number.isInteger(n))) throw new UsageError(`--${name} must be a positive ${int ? 'whole ' : ''}number, got ${v}`);
    return n;
  };
  let wanted: number, attempts: number, scan: number, budgets: { maxTurns?: number; maxCostUsd?: number };
  try {
    if (!values['from-history'] && !values.only?.length) throw new UsageError('say how many of the history’s fixes to evaluate: --from-history N (or --only SHA)');
    wanted = values.only?.length ? values.only.length : num('from-history', values['from-history'], 0);
    attempts = num('attempts', values.attempts, 1);
    scan = num('scan', values.scan, Math.max(2000, wanted * 50));
    budgets = { ...(values['max-turns'] ? { maxTurns: num('max-turns', values['max-turns'], 0) } : {}), ...(values['max-cost'] ? { maxCostUsd: num('max-cost', values['max-cost'], 0, false) } : {}) };
  } catch (error) {
    return usage((error as Error).message);
  }
  if (!env.OPENAI_API_KEY && !env.OPENAI_BASE_URL) return (process.stderr.write(NO_MODEL_HELP), 2);
  const local = readLocalConfig(repoTop);
  if ('error' in local) return (process.stderr.write(`${local.error}\n`), 2);
  const { config } = local;
  let issues = new Map<number, { title: string; body: string }>();
  let issuesHash: string | null = null;
  if (values['issues-from']) {
    const file = path.resolve(values['issues-from']);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return usage(`--issues-from ${values['issues-from']}: no such readable file`);
    }
    try {
      issues = parseIssuesFile(text, values['issues-from']);
    } catch (error) {
      return usage((error as Error).message);
    }
    issuesHash = crypto.createHash('sha256').update(text).digest('hex');
  }
  const models = values.model?.length ? [...new Set(values.model)] : [settings.model];
  const overrides = { setup: config.setup, test: config.test, lint: config.lint };
  const rules = testFileRules(new RepoFiles(repoTop), inspectRepo(repoTop, overrides).test);
  const redact = makeRedactor(appSecrets(env, settings.setupSecrets.map((n) => env[n])));
  let release: () => void;
  try {
    release = store.lock();
  } catch (error) {
    process.stderr.write(`patchwright eval: ${(error as Error).message}\n`);
    return 1;
  }
  store.saveArgs(args, head);
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error('interrupted (Ctrl-C)'));
  process.once('SIGINT', onSigint);
  const progress = evalProgress(process.stderr);
  try {
    const { workbench, agent } = evalWorkbench({ settings, env, config, repoTop, store, budgets, redact });
    const report = await runEval(
      {
        repo: { name: path.basename(repoTop), dir: repoTop, head },
        models,
        attempts,
        wanted,
        fresh: !!values.fresh,
        keyOf: (sha) => resultKey(sha, { setup: config.setup ?? null, test: config.test ?? null, issues: issuesHash }),
        energy: settings.energy,
      },
      {
        history: {
          commits: () => (values.only?.length ? namedCommits(repoTop, values.only) : mainlineCommits(repoTop, { tip: head, since: values.since, max: scan })),
          changedPaths: (base, sha) => changedPaths(repoTop, base, sha),
          branchMessages: (base, sha) => branchMessages(repoTop, base, sha),
          patchOf: (base, sha, paths) => patchOf(repoTop, base, sha, paths),
        },
        roleOf: rules.roleOf,
        issues,
        store,
        workbench,
        agent,
        progress: progress.update,
      },
      controller.signal,
    );
    progress.done();
    const json = `${JSON.stringify(report, null, 2)}\n`;
    if (values.out) fs.writeFileSync(path.resolve(values.out), json);
    process.stdout.write(values.json ? json : renderReport(report));
    if (controller.signal.aborted) return (process.stderr.write(`Stopped; what finished is kept. Go on with: patchwright eval ${path.relative(process.cwd(), repoTop) || '.'} --resume\n`), 130);
    if (!report.candidates.validated) {
      process.stderr.write(`No candidate validated: ${report.candidates.stopped ?? (report.candidates.examined ? 'see why each was set aside above' : `no commit in the ${values.only?.length ? 'given commits' : 'history read'} changes both tests and code`)}.\n`);
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

function usage(message: string): number {
  process.stderr.write(`patchwright eval: ${message}\n\n${EVAL_USAGE}`);
  return 2;
}
