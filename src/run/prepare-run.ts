import path from 'node:path';
import { deploymentSecrets, sessionKeyBytes } from '../adapters/env/app-secrets.ts';
import { loadPrices } from '../adapters/env/load-prices.ts';
import type { Settings } from '../adapters/env/read-settings.ts';
import { cleanVerifier, workspaceChanges } from '../adapters/git/clean-checkout.ts';
import type { KnownSecret } from '../adapters/git/secret-scan.ts';
import { localFiles } from '../adapters/git/local-files.ts';
import { readHistory } from '../adapters/git/read-history.ts';
import { worktreeGuard } from '../adapters/git/worktree-guard.ts';
import { OpenAIModel } from '../adapters/openai/openai-model.ts';
import { cleanRunDirs, type RunDirs } from '../adapters/sandbox/run-dirs.ts';
import { capBudgets, type Budgets } from '../core/loop/budgets.ts';
import { makeRedactor } from '../core/loop/redact.ts';
import type { AgentDeps, AgentInput } from '../core/loop/run-agent.ts';
import type { TitleBrief } from '../core/ports.ts';
import type { RepoConfig } from '../protocol/repo-config.ts';
import { detectConventions } from '../repo/conventions/detect-conventions.ts';
import { titleBrief } from '../repo/conventions/title-brief.ts';
import { changeKind } from '../repo/conventions/title-style.ts';
import { inspectRepo, type InspectResult } from '../repo/inspect.ts';
import { localSandbox, localSandboxWith } from './local-sandbox.ts';

/** What the run is asked to do: a title, a body and extra instructions (the CLI's `--task`, an eval task). */
export interface RunTask {
  title: string;
  body: string;
  instructions: string;
}

export interface RunRequest {
  settings: Settings;
  env: NodeJS.ProcessEnv;
  /** The repository's `.github/agent.yml` (or the defaults). */
  config: RepoConfig;
  /** The worktree the run works in, and the git dir its sandbox may read. */
  ws: { dir: string; mirror: string; commonDir: string; startSha: string; gitLink?: string | undefined };
  /** The run's folders on the data disk (run-dirs.ts). */
  dirs: RunDirs;
  runId: string;
  task: RunTask;
  /** The model's name (default: PATCHWRIGHT_MODEL). */
  model?: string | undefined;
  /** Budgets asked for on the command line; the repository's and then the deployment's ceilings cap them. */
  budgets?: Partial<Budgets>;
  /** Ask the model for a commit subject in the repository's style at the end (`run` commits; `eval` does not). */
  title: boolean;
}

export interface PreparedRun {
  input: AgentInput;
  deps: Omit<AgentDeps, 'emit'>;
  /** Every secret value of the deployment (the dashboard's session key as bytes too), for the checks before a commit. */
  secrets: KnownSecret[];
  brief: TitleBrief | null;
  info: InspectResult;
}

/**
 * Everything `runAgent` needs for one run on a local worktree, assembled once for every CLI
 * front end (`run`, `eval`): the deployment's sandbox as the settings say (egress, toolchains, the
 * pip mirror), the repository's setup and test command as `inspect` finds them (agent.yml first),
 * its instructions, budgets capped by the ceilings, the model client, the guard, the redactor, the
 * prices, and the verdict's clean checkouts beside the worktree.
 */
export async function prepareRun(r: RunRequest): Promise<PreparedRun> {
  const { settings, env, config, ws } = r;
  const { sandbox, python, toolchains } = await localSandboxWith(
    settings,
    env,
    ws,
    r.dirs,
    undefined,
    settings.sandboxUid,
    config.sandbox.egress,
  );
  const info = inspectRepo(ws.dir, { setup: config.setup, test: config.test, lint: config.lint });
  const brief = r.title ? await commitBrief(ws, config, r.task) : null;
  const files = localFiles(ws.dir);
  const instructionFiles = await Promise.all(
    info.instructions.map(async (p) => ({ path: p, text: (await files.read(p)) ?? '' })),
  );
  const model = new OpenAIModel({
    model: r.model ?? settings.model,
    api: settings.modelApi,
    apiKey: env.OPENAI_API_KEY,
    baseURL: settings.openaiBaseUrl,
    reasoningEffort: settings.reasoningEffort,
  });
  const sessionKey = sessionKeyBytes(settings.dataDir);
  const texts = [
    ...deploymentSecrets(env, {
      dataDir: settings.dataDir,
      sandboxEnv: [...settings.sandboxEnv, ...settings.sandboxPassEnv],
      setupSecrets: settings.setupSecrets,
    }),
    ...python.secrets,
  ];
  // The verdict's clean checkouts: new worktrees of the frozen change, beside this run's, each with a fresh sandbox.
  const verifier = cleanVerifier({
    gitDir: ws.commonDir,
    parent: ws.startSha,
    root: path.dirname(ws.dir),
    label: r.runId,
    sandbox: (l) =>
      localSandbox(
        settings,
        env,
        { dir: l.worktree, mirror: ws.mirror, commonDir: ws.commonDir },
        cleanRunDirs(l),
        sandbox.kind,
        settings.sandboxUid,
        config.sandbox.egress,
      ),
  });
  const input: AgentInput = {
    runId: r.runId,
    repoName: path.basename(ws.mirror),
    task: r.task,
    setup: info.setup,
    test: info.test,
    toolchain: info.toolchain,
    environment: info.environment,
    needs: python.needs,
    instructionFiles,
    protectedPaths: config.protectedPaths,
    budgets: capBudgets({ ...config.budgets, ...r.budgets }, settings.ceilings),
    verificationRounds: config.verificationRounds,
    network: config.sandbox.network && settings.agentNetwork,
    commandTimeoutMs: settings.commandTimeoutMs,
    setupTimeoutMs: settings.setupTimeoutMs,
    outputLimitBytes: 32 * 1024,
    contextTokens: settings.contextTokens,
    ...(brief ? { title: brief } : {}),
  };
  const deps: PreparedRun['deps'] = {
    model,
    sandbox,
    ...(toolchains ? { toolchains } : {}),
    files,
    changes: workspaceChanges(ws.dir, ws.commonDir, ws.startSha),
    verifier,
    guard: worktreeGuard(ws, config.protectedPaths),
    redact: makeRedactor(texts),
    prices: loadPrices(settings.pricesFile),
  };
  return { input, deps, secrets: [...texts, ...(sessionKey ? [sessionKey] : [])], brief, info };
}

/** How the repository words its commit subjects, from its history up to where the run starts. */
async function commitBrief(ws: RunRequest['ws'], config: RepoConfig, task: RunTask): Promise<TitleBrief> {
  const history = await readHistory(ws.dir, ws.startSha);
  const conv = detectConventions(ws.dir, history, [], config.branch, 'other', config.conventions);
  return titleBrief({
    style: conv.commitStyle,
    recent: history,
    issueTitle: task.title,
    kind: changeKind(`${task.title}\n${task.body}`),
    what: 'commit subject',
  });
}
