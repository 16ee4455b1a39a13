import { statusText } from './report/status-text.ts';
import { faultPoint } from '../adapters/env/fault-point.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadPrices } from '../adapters/env/load-prices.ts';
import { localFiles } from '../adapters/git/local-files.ts';
import { worktreeDiff } from '../adapters/git/local-worktree.ts';
import { worktreeGuard } from '../adapters/git/worktree-guard.ts';
import { appSecrets } from '../adapters/env/app-secrets.ts';
import { makeRedactor } from '../core/loop/redact.ts';
import { readHistory } from '../adapters/git/read-history.ts';
import { Workspaces } from '../adapters/git/workspaces.ts';
import { OpenAIModel } from '../adapters/openai/openai-model.ts';
import type { JobResult, RunJob } from '../adapters/queue/worker-pool.ts';
import { probeSandboxes, resolveSandboxKind } from '../adapters/sandbox/create-sandbox.ts';
import { SandboxUsers } from '../adapters/sandbox/sandbox-users.ts';
import type { Job } from '../adapters/store/job-store.ts';
import { capBudgets } from '../core/loop/budgets.ts';
import { runAgent, type AgentInput } from '../core/loop/run-agent.ts';
import { isGreen, runTests } from '../core/loop/run-tests.ts';
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
import { branchFor } from './job/choose-branch.ts';
import { noreplyIdentity, teamVoice } from './job/team-voice.ts';
import { postable } from './publish/postable.ts';

export type { JobRunnerDeps } from './job/run-context.ts';


/** The worker's side of a job: check out, run the agent, push, open or update the one PR, report. */
export function createJobRunner(deps: JobRunnerDeps): RunJob {
  const workspaces = new Workspaces(deps.settings.dataDir, deps.settings.mirrorBudgetBytes, deps.settings.minFreeDiskBytes / (1024 * 1024));
  const cleaned = workspaces.cleanupLeftovers();
  // A host user per running job (when root): one job's fork bomb cannot starve another's commands.
  const users = new SandboxUsers(deps.settings.sandboxUid, deps.settings.concurrency);
  let sandboxKind: ReturnType<typeof resolveSandboxKind> | undefined;
  return async (job, signal) => {
    await cleaned;
    const { task } = job;
    if (task.installationId === null) return { state: 'failed', reason: 'the job has no installation' };
    const octokit = await deps.github.forInstallation(task.installationId);
    const thread = { owner: task.repo.owner, repo: task.repo.name, number: task.number };
    const say = (text: string) => upsertTrackingComment(octokit, deps.threads, thread, text).then(() => {});
    const loaded = await loadConfig(octokit as unknown as ConfigOctokit, task.repo.owner, task.repo.name);
    if (!loaded.ok) {
      await say(`**Patchwright** · ⚠️ \`.github/agent.yml\` became invalid before job ${job.id} started; nothing was done.`);
      return { state: 'failed', reason: 'invalid config' };
    }
    sandboxKind ??= resolveSandboxKind(deps.settings.sandbox, () => probeSandboxes(deps.settings.docker.cli));
    const kind = await sandboxKind.catch(async (error: Error) => {
      await say(`**Patchwright** · ⚠️ job ${job.id} cannot run: ${error.message}`);
      return undefined;
    });
    if (!kind) return { state: 'failed', outcome: 'sandbox_error', reason: 'no sandbox' };
    try {
      if (task.action === 'doctor') return await runDoctor(job, signal, { deps, octokit, workspaces, users, kind, config: loaded.config, say });
      return await runWithWorkspace(job, signal, { deps, octokit, workspaces, users, kind, config: loaded.config, say });
    } catch (error) {
      // Whatever broke, and wherever (clone, API, push), the tracking comment never stays at "working".
      const text = signal.aborted
        ? `**Patchwright** · ⏹️ job ${job.id} was cancelled before it finished: ${reasonText(signal)}. Nothing was pushed.`
        : `**Patchwright** · ❌ job ${job.id} crashed: ${(error as Error).message.slice(0, 500)}`;
      await say(text).catch(() => {});
      throw error;
    }
  };
}


async function runWithWorkspace(job: Job, signal: AbortSignal, ctx: RunContext): Promise<JobResult> {
  const { deps, octokit, config } = ctx;
  const assembled = await assembleTask(octokit, job, { threads: deps.threads, config, appLogin: `${await deps.appSlug()}[bot]`, say: ctx.say });
  if ('done' in assembled) return assembled.done;
  const { task, issueNumber, review, mode } = assembled;
  const key = `${task.repo.owner}/${task.repo.name}`;
  const { token } = (await octokit.auth({ type: 'installation' })) as { token: string };
  const pulls = await mergedPulls(octokit, task.repo.owner, task.repo.name);
  const kind = changeKind(`${task.title}\n${task.body}`);
  const naming = branchNaming(learnPrHabits(pulls), config.branch);
  const target = await branchFor(octokit, job, deps.threads, naming.pattern, naming.kinds, kind);
  const startFrom = target.existing && task.action !== 'retry' ? 'branch' : 'base';
  const ws = await ctx.workspaces.prepare({ cloneUrl: task.repo.cloneUrl, token, base: target.base, branch: target.branch, startFrom, runId: `job-${job.id}` }).catch((error: Error) => error);
  if (ws instanceof Error) {
    // No checkout (a full disk, the repository gone or unreachable): said on the thread, and the next job still runs.
    await ctx.say(`**Patchwright** · ❌ job ${job.id} could not make a checkout: ${postable(ws.message.slice(0, 500))}`).catch(() => {});
    return { state: 'failed', reason: `no checkout: ${ws.message.slice(0, 300)}` };
  }
  const runTmp = fs.mkdtempSync(path.join(os.tmpdir(), `patchwright-job-${job.id}-`));
  const reporter = progressReporter(ctx.say, (s) => renderProgress(job.id, s));
  let releaseUser = () => {};
  try {
    const info = inspectRepo(ws.dir, { setup: config.setup, test: config.test, lint: config.lint });
    const files = localFiles(ws.dir);
    const voice = teamVoice(ws.dir, await readHistory(ws.dir, ws.baseSha), pulls, config, task, kind, issueNumber);
    const { sandbox, release } = jobSandbox(ctx.kind, deps.settings, ctx.users, config, task, ws, runTmp, startFrom);
    releaseUser = release;
    const model =
      deps.model ??
      new OpenAIModel({ model: deps.settings.model, api: deps.settings.modelApi, apiKey: (deps.env ?? process.env).OPENAI_API_KEY, baseURL: deps.settings.openaiBaseUrl, reasoningEffort: deps.settings.reasoningEffort });
    const log = await deps.events.appender(job.id);
    const runInput: AgentInput = {
      runId: `job-${job.id}`,
      repoName: `${task.repo.owner}/${task.repo.name}`,
      task: { title: task.title, body: task.body, instructions: task.instructions },
      setup: info.setup,
      test: info.test,
      toolchain: info.toolchain,
      instructionFiles: await Promise.all(info.instructions.map(async (p) => ({ path: p, text: (await files.read(p)) ?? '' }))),
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
        files,
        emit: (e) => (log(e), reporter.event(e)),
        diff: () => worktreeDiff(ws.dir, ws.startSha),
        guard: worktreeGuard(ws, config.protectedPaths),
        checkpoint: faultPoint,
        redact: makeRedactor(appSecrets(deps.env ?? process.env, [token, ...deps.settings.setupSecrets.map((n) => (deps.env ?? process.env)[n])])),
        prices: loadPrices(deps.settings.pricesFile),
      },
      signal,
    );
    await reporter.flush();
    let prUrl: string | null = null;
    let note = '';
    let aside = '';
    const publish = result.outcome === 'succeeded' || (result.outcome === 'tests_failing' && config.onFailure === 'draft');
    // The issue may have been deleted or transferred while the run worked: then there is nothing to open a PR for.
    const gone = publish && !signal.aborted ? await threadGone(octokit, task.repo.owner, task.repo.name, task.number) : null;
    if (gone) return { state: 'failed', outcome: result.outcome, reason: gone };
    if (publish && !signal.aborted) {
      ({ prUrl, note, info: aside } = await publishRun(octokit, {
        energy: deps.settings.energy,
        task,
        ws,
        token,
        secrets: appSecrets(deps.env ?? process.env),
        target,
        config,
        result,
        voice,
        issueNumber,
        review,
        bot: await noreplyIdentity(octokit, `${await deps.appSlug()}[bot]`),
        requester: await noreplyIdentity(octokit, task.requester),
        threads: deps.threads,
        verify: async () => {
          if (!runInput.test) return { green: true, text: 'there is no test command, so nothing ran' };
          const again = await runTests(sandbox, runInput.test, ws.dir, runInput.commandTimeoutMs, signal);
          const s = again.summary;
          return { green: isGreen(s, result.evidence.baseline), text: `\`${s.command}\` passed ${s.passed ?? '?'}, failed ${s.failed ?? '?'} (exit ${s.exitCode ?? 'timeout'})` };
        },
      }));
    }
    if (prUrl) await deps.events.notePullRequest(job.id, prUrl);
    if (review.length && !prUrl && task.isPullRequest) {
      const why = note || `nothing was changed (${result.outcome}): ${postable(result.summary.slice(0, 1000))}`;
      await replyToThreads(octokit, task.repo.owner, task.repo.name, task.number, review, `No change for this comment: ${why}`).catch(() => {});
    }
    if (result.outcome === 'needs_input' && result.question) await deps.threads.setQuestion(key, task.number, result.question);
    // A job that started over after the app died says so: what the first attempt did was thrown away.
    const again = job.attempts > 1 ? statusText.startedOver(job.attempts) : '';
    await ctx.say(renderFinal(job.id, result, prUrl, [note || aside, again].filter(Boolean).join('\n\n')));
    const state = result.outcome === 'cancelled' ? 'cancelled' : result.outcome === 'succeeded' && !note ? 'done' : result.outcome === 'needs_input' || result.outcome === 'no_changes' ? 'done' : 'failed';
    return { state, outcome: result.outcome, reason: note || result.summary.slice(0, 500) };
  } catch (error) {
    await reporter.flush().catch(() => {});
    throw error;
  } finally {
    releaseUser();
    await ctx.workspaces.remove(ws).catch(() => {});
    fs.rmSync(runTmp, { recursive: true, force: true });
  }
}

function reasonText(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  return r instanceof Error ? r.message : typeof r === 'string' ? r : 'stopped';
}

/** Why the issue or PR is no longer there to publish for (deleted, transferred: 404/410), or null. */
async function threadGone(octokit: { request: (route: string, params: Record<string, unknown>) => Promise<unknown> }, owner: string, repo: string, number: number): Promise<string | null> {
  try {
    await octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}', { owner, repo, issue_number: number });
    return null;
  } catch (error) {
    const status = (error as { status?: number }).status;
    return status === 404 || status === 410 ? `#${number} is gone (GitHub answered ${status}: deleted or moved to another repository), so nothing was published` : null;
  }
}
