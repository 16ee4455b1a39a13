import { statusText } from './report/status-text.ts';
import { faultPoint } from '../adapters/env/fault-point.ts';
import { loadPrices } from '../adapters/env/load-prices.ts';
import { localFiles } from '../adapters/git/local-files.ts';
import { cleanVerifier, workspaceChanges } from '../adapters/git/clean-checkout.ts';
import { treeOf } from '../adapters/git/tree-snapshot.ts';
import { worktreeGuard } from '../adapters/git/worktree-guard.ts';
import { deploymentSecrets, sessionKeyBytes } from '../adapters/env/app-secrets.ts';
import { makeRedactor } from '../core/loop/redact.ts';
import { readHistory } from '../adapters/git/read-history.ts';
import { Workspaces } from '../adapters/git/workspaces.ts';
import { OpenAIModel } from '../adapters/openai/openai-model.ts';
import type { JobResult, RunJob } from '../adapters/queue/worker-pool.ts';
import { probeSandboxes, resolveSandboxKind } from '../adapters/sandbox/create-sandbox.ts';
import { SandboxUsers } from '../adapters/sandbox/sandbox-users.ts';
import { makeRunDirs, removeLeftoverRuns } from '../adapters/sandbox/run-dirs.ts';
import type { Job } from '../adapters/store/job-store.ts';
import { capBudgets } from '../core/loop/budgets.ts';
import { runAgent, type AgentInput } from '../core/loop/run-agent.ts';
import { isGreen } from '../core/loop/run-tests.ts';
import { runClean } from '../core/loop/clean-verdict.ts';
import { branchNaming } from '../repo/conventions/detect-conventions.ts';
import { learnPrHabits } from '../repo/conventions/pr-habits.ts';
import { changeKind } from '../repo/conventions/title-style.ts';
import { inspectRepo } from '../repo/inspect.ts';
import { loadConfig, type ConfigOctokit } from './config/load-config.ts';
import { mergedPulls } from './publish/merged-pulls.ts';
import { publishRun } from './publish/publish-run.ts';
import { replyToThreads } from './publish/review-threads.ts';
import { progressReporter } from './report/progress-reporter.ts';
import { renderFinal, renderProgress } from './report/render-progress.ts';
import { upsertTrackingComment } from './report/tracking-comment.ts';
import { runDoctor } from './job/doctor-job.ts';
import type { JobRunnerDeps, RunContext } from './job/run-context.ts';
import { jobSandbox } from './job/job-sandbox.ts';
import { assembleTask } from './job/assemble-task.ts';
import { branchFor, type BranchPlan } from './job/choose-branch.ts';
import { pullState } from './job/pull-state.ts';
import { noreplyIdentity, teamVoice } from './job/team-voice.ts';
import { joined, md, name, prose, type Posted } from './publish/posted.ts';
import type { PreparedWorkspace } from '../adapters/git/workspaces.ts';
import { repoAccess } from './job/repo-access.ts';

export type { JobRunnerDeps } from './job/run-context.ts';

/** The worker's side of a job: check out, run the agent, push, open or update the one PR, report. */
export function createJobRunner(deps: JobRunnerDeps): RunJob {
  const workspaces = new Workspaces(
    deps.settings.dataDir,
    deps.settings.mirrorBudgetBytes,
    deps.settings.minFreeDiskBytes / (1024 * 1024),
  );
  const cleaned = workspaces.cleanupLeftovers();
  removeLeftoverRuns(deps.settings.dataDir);
  // A host user per running job (when root): one job's fork bomb cannot starve another's commands.
  const users = new SandboxUsers(deps.settings.sandboxUid, deps.settings.concurrency);
  let sandboxKind: ReturnType<typeof resolveSandboxKind> | undefined;
  return async (job, signal) => {
    await cleaned;
    const { task } = job;
    if (task.installationId === null) return { state: 'failed', reason: 'the job has no installation' };
    // Nothing is posted for a job this check refuses: its thread may not be its own.
    const access = await repoAccess(deps.github, { ...task, installationId: task.installationId });
    if ('refused' in access) return { state: 'failed', reason: access.refused };
    const { octokit, gitToken } = access;
    const thread = { owner: task.repo.owner, repo: task.repo.name, number: task.number };
    const say = (text: Posted) => upsertTrackingComment(octokit, deps.threads, thread, text).then(() => {});
    const loaded = await loadConfig(access.config as unknown as ConfigOctokit, task.repo.owner, task.repo.name);
    if (!loaded.ok) {
      await say(
        md`**Patchwright** · ⚠️ \`.github/agent.yml\` became invalid before job ${job.id} started; nothing was done.`,
      );
      return { state: 'failed', reason: 'invalid config' };
    }
    sandboxKind ??= resolveSandboxKind(deps.settings.sandbox, () => probeSandboxes(deps.settings.docker.cli));
    const kind = await sandboxKind.catch(async (error: Error) => {
      await say(md`**Patchwright** · ⚠️ job ${job.id} cannot run: ${error.message}`);
      return undefined;
    });
    if (!kind) return { state: 'failed', outcome: 'sandbox_error', reason: 'no sandbox' };
    try {
      if (task.action === 'doctor')
        return await runDoctor(job, signal, {
          deps,
          octokit,
          gitToken,
          workspaces,
          users,
          kind,
          config: loaded.config,
          say,
        });
      return await runWithWorkspace(job, signal, {
        deps,
        octokit,
        gitToken,
        workspaces,
        users,
        kind,
        config: loaded.config,
        say,
      });
    } catch (error) {
      // Whatever broke, and wherever (clone, API, push), the tracking comment never stays at "working".
      const text = signal.aborted
        ? md`**Patchwright** · ⏹️ job ${job.id} was cancelled before it finished: ${reasonText(signal)}. Nothing was pushed.`
        : md`**Patchwright** · ❌ job ${job.id} crashed: ${(error as Error).message.slice(0, 500)}`;
      await say(text).catch(() => {});
      throw error;
    }
  };
}

async function runWithWorkspace(job: Job, signal: AbortSignal, ctx: RunContext): Promise<JobResult> {
  const { deps, octokit, config } = ctx;
  const appLogin = `${await deps.appSlug()}[bot]`;
  // Which branch and which issue come from what the app recorded, never from a payload's head.ref or posted text.
  const state = await pullState(octokit, job.task, deps.threads, config, appLogin);
  if (state.kind === 'refused') {
    await ctx.say(state.text);
    return { state: 'failed', reason: state.reason };
  }
  const closes = state.kind === 'issue' ? state.closes : state.kind === 'own' ? state.closes : null;
  const assembled = await assembleTask(octokit, job, { threads: deps.threads, config, appLogin, say: ctx.say, closes });
  if ('done' in assembled) return assembled.done;
  const { task, review, mode } = assembled;
  const key = `${task.repo.owner}/${task.repo.name}`;
  const token = await ctx.gitToken();
  const pulls = await mergedPulls(octokit, task.repo.owner, task.repo.name);
  const kind = changeKind(`${task.title}\n${task.body}`);
  const naming = { ...branchNaming(learnPrHabits(pulls), config.branch), kind };
  const checkout = await checkoutFor(job, ctx, task, token, async (taken) =>
    branchFor(octokit, task, deps.threads, state, naming, taken),
  ).catch((error: Error) => error);
  if (checkout instanceof Error) {
    // No checkout (a full disk, the repository gone or unreachable): said on the thread, and the next job still runs.
    await ctx
      .say(md`**Patchwright** · ❌ job ${job.id} could not make a checkout: ${checkout.message.slice(0, 500)}`)
      .catch(() => {});
    return { state: 'failed', reason: `no checkout: ${checkout.message.slice(0, 300)}` };
  }
  const { ws, target, startFrom } = checkout;
  const issueNumber = target.closes;
  const dirs = makeRunDirs(deps.settings.dataDir, `job-${job.id}`, { branch: startFrom === 'branch' });
  const reporter = progressReporter(ctx.say, (s) => renderProgress(job.id, s));
  let releaseUser = () => {};
  try {
    const info = inspectRepo(ws.dir, { setup: config.setup, test: config.test, lint: config.lint });
    const files = localFiles(ws.dir);
    const voice = teamVoice(ws.dir, await readHistory(ws.dir, ws.baseSha), pulls, config, task, kind, issueNumber);
    const { sandbox, release, fresh, python, toolchains } = jobSandbox(
      ctx.kind,
      deps.settings,
      ctx.users,
      config,
      task,
      ws,
      dirs,
      startFrom,
    );
    releaseUser = release;
    // The verdict comes from clean checkouts of the frozen change, made from the mirror in the data dir.
    const verifier = cleanVerifier({
      gitDir: ws.mirror,
      parent: ws.startSha,
      root: ctx.workspaces.worktreeRoot,
      label: `job-${job.id}`,
      sandbox: fresh,
    });
    const env = deps.env ?? process.env;
    const secrets = deploymentSecrets(
      env,
      {
        dataDir: deps.settings.dataDir,
        sandboxEnv: [...deps.settings.sandboxEnv, ...deps.settings.sandboxPassEnv],
        setupSecrets: deps.settings.setupSecrets,
      },
      [token],
    );
    const sessionKey = sessionKeyBytes(deps.settings.dataDir);
    const model =
      deps.model ??
      new OpenAIModel({
        model: deps.settings.model,
        api: deps.settings.modelApi,
        apiKey: (deps.env ?? process.env).OPENAI_API_KEY,
        baseURL: deps.settings.openaiBaseUrl,
        reasoningEffort: deps.settings.reasoningEffort,
      });
    const log = await deps.events.appender(job.id);
    const runInput: AgentInput = {
      runId: `job-${job.id}`,
      repoName: `${task.repo.owner}/${task.repo.name}`,
      task: { title: task.title, body: task.body, instructions: task.instructions },
      setup: info.setup,
      test: info.test,
      // A follow-up's pull request as a whole must show it fixes something against the base branch.
      ...(startFrom === 'branch' && ws.baseSha !== ws.startSha ? { evidenceBase: ws.baseSha } : {}),
      toolchain: info.toolchain,
      environment: info.environment,
      needs: python.needs,
      instructionFiles: await Promise.all(
        info.instructions.map(async (p) => ({ path: p, text: (await files.read(p)) ?? '' })),
      ),
      protectedPaths: config.protectedPaths,
      budgets: capBudgets(config.budgets, deps.settings.ceilings),
      verificationRounds: config.verificationRounds,
      // A repository may ask; only the deployment can grant it (internal services, cloud metadata).
      network: config.sandbox.network && deps.settings.agentNetwork,
      commandTimeoutMs: deps.settings.commandTimeoutMs,
      setupTimeoutMs: deps.settings.setupTimeoutMs,
      outputLimitBytes: 32 * 1024,
      contextTokens: deps.settings.contextTokens,
      mode,
      title: voice.brief,
      // With `onFailure: comment` a failing run publishes nothing, so it needs no title.
      titleOutcomes: config.onFailure === 'draft' ? ['succeeded', 'tests_failing'] : ['succeeded'],
    };
    const result = await runAgent(
      runInput,
      {
        model,
        sandbox,
        ...(toolchains ? { toolchains } : {}),
        files,
        emit: (e) => (log(e), reporter.event(e)),
        changes: workspaceChanges(ws.dir, ws.mirror, ws.startSha),
        verifier,
        guard: worktreeGuard(ws, config.protectedPaths),
        checkpoint: faultPoint,
        redact: makeRedactor([...secrets, ...python.secrets]),
        prices: loadPrices(deps.settings.pricesFile),
      },
      signal,
    );
    await reporter.flush();
    let prUrl: string | null = null;
    let note: Posted | null = null;
    let aside: Posted | null = null;
    const publish =
      result.outcome === 'succeeded' || (result.outcome === 'tests_failing' && config.onFailure === 'draft');
    // The issue may have been deleted or transferred while the run worked: then there is nothing to open a PR for.
    const gone =
      publish && !signal.aborted ? await threadGone(octokit, task.repo.owner, task.repo.name, task.number) : null;
    if (gone) return { state: 'failed', outcome: result.outcome, reason: gone };
    if (publish && !signal.aborted) {
      ({
        prUrl,
        note,
        info: aside,
      } = await publishRun(octokit, {
        energy: deps.settings.energy,
        task,
        ws,
        token: await ctx.gitToken(),
        secrets: [...secrets, ...python.secrets, ...(sessionKey ? [sessionKey] : [])],
        target,
        config,
        result,
        voice,
        review,
        bot: await noreplyIdentity(octokit, `${await deps.appSlug()}[bot]`),
        requester: await noreplyIdentity(octokit, task.requester),
        threads: deps.threads,
        verify: async (commit) => {
          if (!runInput.test) return { green: true, text: md`there is no test command, so nothing ran` };
          let n = 0;
          const input = {
            setup: runInput.setup,
            test: runInput.test,
            setupTimeoutMs: runInput.setupTimeoutMs,
            commandTimeoutMs: runInput.commandTimeoutMs,
            outputLimitBytes: runInput.outputLimitBytes,
            taskText: '',
            ...(info.toolchain ? { toolchain: info.toolchain } : {}),
            environment: info.environment,
            needs: python.needs,
          };
          const again = await runClean(
            { verifier, signal, nextId: () => `verify_${++n}`, item: () => {}, ...(toolchains ? { toolchains } : {}) },
            await treeOf(ws.mirror, commit),
            input,
          );
          if (!again.ok) return { green: false, text: prose(again.failure.slice(0, 2000)) };
          const s = again.run.summary;
          return {
            green: isGreen(s, result.evidence.baseline),
            text: md`${name(s.command)} passed ${s.passed ?? '?'}, failed ${s.failed ?? '?'} (exit ${s.exitCode ?? 'timeout'}) on a clean checkout`,
          };
        },
      }));
    }
    if (prUrl) await deps.events.notePullRequest(job.id, prUrl);
    if (review.length && !prUrl && task.isPullRequest) {
      const why = note ?? md`nothing was changed (${result.outcome}): ${prose(result.summary.slice(0, 1000))}`;
      await replyToThreads(
        octokit,
        task.repo.owner,
        task.repo.name,
        task.number,
        review,
        md`No change for this comment: ${why}`,
      ).catch(() => {});
    }
    if (result.outcome === 'needs_input' && result.question)
      await deps.threads.setQuestion(key, task.number, result.question);
    // A job that started over after the app died says so: what the first attempt did was thrown away.
    const extra = [note ?? aside, job.attempts > 1 ? statusText.startedOver(job.attempts) : null].filter(
      (x): x is Posted => x !== null,
    );
    await ctx.say(renderFinal(job.id, result, prUrl, extra.length ? joined(extra, '\n\n') : null));
    const done =
      result.outcome === 'cancelled'
        ? 'cancelled'
        : result.outcome === 'succeeded' && !note
          ? 'done'
          : result.outcome === 'needs_input' || result.outcome === 'no_changes'
            ? 'done'
            : 'failed';
    return { state: done, outcome: result.outcome, reason: note?.text.slice(0, 500) ?? result.summary.slice(0, 500) };
  } catch (error) {
    await reporter.flush().catch(() => {});
    throw error;
  } finally {
    releaseUser();
    await ctx.workspaces.remove(ws).catch(() => {});
    dirs.remove();
  }
}

/**
 * The worktree on the plan's branch. A name the app has not used yet must not exist on the
 * remote (the GitHub API may not say so in time, the mirror does): then the next name is tried.
 */
async function checkoutFor(
  job: Job,
  ctx: RunContext,
  task: Job['task'],
  token: string,
  plan: (taken: Set<string>) => Promise<BranchPlan>,
): Promise<{ ws: PreparedWorkspace; target: BranchPlan; startFrom: 'base' | 'branch' }> {
  const taken = new Set<string>();
  for (;;) {
    const target = await plan(taken);
    const startFrom = target.existing && target.own && task.action !== 'retry' ? 'branch' : 'base';
    const ws = await ctx.workspaces.prepare({
      cloneUrl: task.repo.cloneUrl,
      token,
      base: target.base,
      branch: target.branch,
      startFrom,
      runId: `job-${job.id}`,
    });
    if (target.own || ws.remoteBranchSha === null) return { ws, target, startFrom };
    await ctx.workspaces.remove(ws).catch(() => {});
    taken.add(target.branch);
  }
}

function reasonText(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  return r instanceof Error ? r.message : typeof r === 'string' ? r : 'stopped';
}

/** Why the issue or PR is no longer there to publish for (deleted, transferred: 404/410), or null. */
async function threadGone(
  octokit: { request: (route: string, params: Record<string, unknown>) => Promise<unknown> },
  owner: string,
  repo: string,
  number: number,
): Promise<string | null> {
  try {
    await octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}', { owner, repo, issue_number: number });
    return null;
  } catch (error) {
    const status = (error as { status?: number }).status;
    return status === 404 || status === 410
      ? `#${number} is gone (GitHub answered ${status}: deleted or moved to another repository), so nothing was published`
      : null;
  }
}
