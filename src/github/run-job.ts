import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Settings } from '../adapters/env/read-settings.ts';
import { loadPrices } from '../adapters/env/load-prices.ts';
import { localFiles } from '../adapters/git/local-files.ts';
import { worktreeDiff } from '../adapters/git/local-worktree.ts';
import { readHistory } from '../adapters/git/read-history.ts';
import { Workspaces } from '../adapters/git/workspaces.ts';
import { OpenAIModel } from '../adapters/openai/openai-model.ts';
import type { JobResult, RunJob } from '../adapters/queue/worker-pool.ts';
import { createSandbox, resolveSandboxKind } from '../adapters/sandbox/create-sandbox.ts';
import { defaultHiddenPaths } from '../adapters/sandbox/sandbox-layout.ts';
import type { EventLog } from '../adapters/store/event-log.ts';
import type { Job } from '../adapters/store/job-store.ts';
import type { ThreadStore } from '../adapters/store/thread-store.ts';
import { capBudgets } from '../core/loop/budgets.ts';
import { runAgent } from '../core/loop/run-agent.ts';
import type { ModelClient } from '../core/model/model-port.ts';
import type { RepoConfig } from '../protocol/repo-config.ts';
import type { Subject } from '../repo/conventions/commit-style.ts';
import { DEFAULT_BRANCH_PATTERN, detectConventions } from '../repo/conventions/detect-conventions.ts';
import { expandBranch, learnPrHabits, type MergedPull, type PrHabits } from '../repo/conventions/pr-habits.ts';
import { titleBrief } from '../repo/conventions/title-brief.ts';
import { changeKind, type ChangeKind } from '../repo/conventions/title-style.ts';
import { inspectRepo } from '../repo/inspect.ts';
import { slugify } from '../cli/read-task.ts';
import { lookupPermission, meetsMinimum } from './authorize.ts';
import { loadConfig, type ConfigOctokit } from './config/load-config.ts';
import { ciFailureInstructions } from './publish/ci-failures.ts';
import { mergedPulls } from './publish/merged-pulls.ts';
import { habitTemplate, publishRun, type PublishInput } from './publish/publish-run.ts';
import { replyToThreads, reviewComments, reviewInstructions, withThreadHistory } from './publish/review-threads.ts';
import { progressReporter } from './report/progress-reporter.ts';
import { renderFinal, renderProgress } from './report/render-progress.ts';
import { upsertTrackingComment } from './report/tracking-comment.ts';
import type { GithubAccess } from './start-server.ts';

export interface JobRunnerDeps {
  github: GithubAccess;
  settings: Settings;
  threads: ThreadStore;
  events: EventLog;
  appSlug: () => Promise<string>;
  /** Tests hand in a model; by default the OpenAI adapter from the settings. */
  model?: ModelClient;
  env?: NodeJS.ProcessEnv;
}

type Octo = Awaited<ReturnType<GithubAccess['forInstallation']>>;

/** The worker's side of a job: check out, run the agent, push, open or update the one PR, report. */
export function createJobRunner(deps: JobRunnerDeps): RunJob {
  const workspaces = new Workspaces(deps.settings.dataDir, deps.settings.mirrorBudgetBytes);
  const cleaned = workspaces.cleanupLeftovers();
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
    sandboxKind ??= resolveSandboxKind(deps.settings.sandbox);
    const kind = await sandboxKind.catch(async (error: Error) => {
      await say(`**Patchwright** · ⚠️ job ${job.id} cannot run: ${error.message}`);
      return undefined;
    });
    if (!kind) return { state: 'failed', outcome: 'sandbox_error', reason: 'no sandbox' };
    try {
      return await runWithWorkspace(job, signal, { deps, octokit, workspaces, kind, config: loaded.config, say });
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

interface RunContext {
  deps: JobRunnerDeps;
  octokit: Octo;
  workspaces: Workspaces;
  kind: 'bwrap' | 'docker' | 'none';
  config: RepoConfig;
  say: (text: string) => Promise<void>;
}

async function runWithWorkspace(job: Job, signal: AbortSignal, ctx: RunContext): Promise<JobResult> {
  const { deps, octokit, config } = ctx;
  let task = withAnswer(job, ctx.deps.threads);
  const key = `${task.repo.owner}/${task.repo.name}`;
  if (task.action === 'approve') {
    const plan = deps.threads.takeQuestion(key, task.number);
    if (!plan) {
      await ctx.say(`**Patchwright** · nothing is waiting for approval here (job ${job.id}).`);
      return { state: 'done', reason: 'nothing to approve' };
    }
    task = { ...task, instructions: `The requester approved this plan; carry it out:\n${plan}` };
  }
  if (task.action === 'retry' && task.isPullRequest) {
    // The PR body is about to be rewritten: keep what the previous attempt said in the thread.
    const previous = task.body.split('\n## ')[0]!.replace(/Closes #\d+/g, '').trim().slice(0, 1500);
    await octokit
      .request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner: task.repo.owner,
        repo: task.repo.name,
        issue_number: task.number,
        body: `🔁 Starting over from the base branch at @${task.requester}'s request${task.instructions ? ' (with new instructions)' : ''}. The previous attempt said:\n\n${previous.split('\n').map((l) => `> ${l}`).join('\n') || '> (nothing)'}`,
      })
      .catch(() => {});
  }
  const mode = config.approval === 'plan' && task.action === 'start' && !task.isPullRequest ? 'plan' : 'work';
  const reviewIds = task.trigger.kind === 'review' ? [task.trigger.reviewId, ...(task.trigger.moreReviewIds ?? [])] : [];
  const appLogin = `${await deps.appSlug()}[bot]`;
  const review = await withThreadHistory(
    octokit,
    task.repo.owner,
    task.repo.name,
    task.number,
    (await Promise.all(reviewIds.map((id) => reviewComments(octokit, task.repo.owner, task.repo.name, task.number, id)))).flat(),
    async (login) => login === appLogin || meetsMinimum(await lookupPermission(octokit, task.repo.owner, task.repo.name, login), config.minPermission),
  );
  if (task.trigger.kind === 'review') task = { ...task, instructions: reviewInstructions(task.instructions, review) };
  let issueNumber: number | null = task.number;
  if (task.isPullRequest) ({ body: task.body, issue: issueNumber } = await withOriginalIssue(octokit, task));
  if (task.trigger.kind === 'ci') task = { ...task, instructions: await ciFailureInstructions(octokit, task.repo.owner, task.repo.name, task.trigger.checkSuiteId) };
  const { token } = (await octokit.auth({ type: 'installation' })) as { token: string };
  const pulls = await mergedPulls(octokit, task.repo.owner, task.repo.name);
  const kind = changeKind(`${task.title}\n${task.body}`);
  const habits = learnPrHabits(pulls);
  const target = await branchFor(octokit, job, deps.threads, config.branch ?? habits.branchPattern ?? DEFAULT_BRANCH_PATTERN, habits.branchKinds, kind);
  const ws = await ctx.workspaces.prepare({
    cloneUrl: task.repo.cloneUrl,
    token,
    base: target.base,
    branch: target.branch,
    startFrom: target.existing && task.action !== 'retry' ? 'branch' : 'base',
    runId: `job-${job.id}`,
  });
  const runTmp = fs.mkdtempSync(path.join(os.tmpdir(), `patchwright-job-${job.id}-`));
  const reporter = progressReporter(ctx.say, (s) => renderProgress(job.id, s));
  try {
    const info = inspectRepo(ws.dir, { setup: config.setup, test: config.test, lint: config.lint });
    const files = localFiles(ws.dir);
    const voice = teamVoice(ws.dir, await readHistory(ws.dir, ws.baseSha), pulls, config, task, kind, issueNumber);
    const sandbox = createSandbox(ctx.kind, {
      layout: {
        worktree: ws.dir,
        runTmp,
        cacheDir: path.join(deps.settings.dataDir, 'cache', `${task.repo.owner}--${task.repo.name}`),
        readOnly: [ws.mirror],
        hide: defaultHiddenPaths(deps.env),
      },
      env: { requested: config.sandbox.env, allowed: deps.settings.sandboxPassEnv },
    });
    const model =
      deps.model ??
      new OpenAIModel({ model: deps.settings.model, api: deps.settings.modelApi, apiKey: (deps.env ?? process.env).OPENAI_API_KEY, baseURL: deps.settings.openaiBaseUrl, reasoningEffort: deps.settings.reasoningEffort });
    const log = deps.events.appender(job.id);
    const result = await runAgent(
      {
        runId: `job-${job.id}`,
        repoName: `${task.repo.owner}/${task.repo.name}`,
        task: { title: task.title, body: task.body, instructions: task.instructions },
        setup: info.setup,
        test: info.test,
        instructionFiles: await Promise.all(info.instructions.map(async (p) => ({ path: p, text: (await files.read(p)) ?? '' }))),
        protectedPaths: config.protectedPaths,
        budgets: capBudgets(config.budgets, deps.settings.ceilings),
        verificationRounds: config.verificationRounds,
        network: config.sandbox.network,
        commandTimeoutMs: 10 * 60_000,
        setupTimeoutMs: 20 * 60_000,
        outputLimitBytes: 32 * 1024,
        contextTokens: deps.settings.contextTokens,
        mode,
        title: voice.brief,
        // With `onFailure: comment` a failing run publishes nothing, so it needs no title.
        titleOutcomes: config.onFailure === 'draft' ? ['succeeded', 'tests_failing'] : ['succeeded'],
      },
      { model, sandbox, files, emit: (e) => (log(e), reporter.event(e)), diff: () => worktreeDiff(ws.dir, ws.startSha), prices: loadPrices(deps.settings.pricesFile) },
      signal,
    );
    await reporter.flush();
    let prUrl: string | null = null;
    let note = '';
    const publish = result.outcome === 'succeeded' || (result.outcome === 'tests_failing' && config.onFailure === 'draft');
    if (publish && !signal.aborted) {
      ({ prUrl, note } = await publishRun(octokit, {
        task,
        ws,
        token,
        target,
        config,
        result,
        voice,
        issueNumber,
        review,
        bot: await noreplyIdentity(octokit, `${await deps.appSlug()}[bot]`),
        requester: await noreplyIdentity(octokit, task.requester),
        threads: deps.threads,
      }));
    }
    if (review.length && !prUrl && task.isPullRequest) {
      const why = note || `nothing was changed (${result.outcome}): ${result.summary.slice(0, 1000)}`;
      await replyToThreads(octokit, task.repo.owner, task.repo.name, task.number, review, `No change for this comment: ${why}`).catch(() => {});
    }
    if (result.outcome === 'needs_input' && result.question) deps.threads.setQuestion(key, task.number, result.question);
    await ctx.say(renderFinal(job.id, result, prUrl, note));
    const state = result.outcome === 'cancelled' ? 'cancelled' : result.outcome === 'succeeded' && !note ? 'done' : result.outcome === 'needs_input' || result.outcome === 'no_changes' ? 'done' : 'failed';
    return { state, outcome: result.outcome, reason: note || result.summary.slice(0, 500) };
  } catch (error) {
    await reporter.flush().catch(() => {});
    throw error;
  } finally {
    await ctx.workspaces.remove(ws).catch(() => {});
    fs.rmSync(runTmp, { recursive: true, force: true });
  }
}

function reasonText(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  return r instanceof Error ? r.message : typeof r === 'string' ? r : 'stopped';
}

/** A follow-up's task text: the PR's body, then the issue it closes, so the run knows the goal. */
async function withOriginalIssue(octokit: Octo, task: Job['task']): Promise<{ body: string; issue: number | null }> {
  const closes = /(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?) #(\d+)/i.exec(task.body)?.[1];
  if (!closes) return { body: task.body, issue: null };
  const issue = await octokit
    .request('GET /repos/{owner}/{repo}/issues/{issue_number}', { owner: task.repo.owner, repo: task.repo.name, issue_number: Number(closes) })
    .then((r) => r.data, () => null);
  if (!issue) return { body: task.body, issue: Number(closes) };
  return { body: `${task.body}\n\nThe original issue #${closes}: ${issue.title}\n${issue.body ?? ''}`, issue: Number(closes) };
}

/** How this team writes: conventions from the checkout, its history and merged PRs, and the title brief. */
function teamVoice(dir: string, history: Subject[], pulls: MergedPull[], config: RepoConfig, task: Job['task'], kind: ChangeKind, issueNumber: number | null): PublishInput['voice'] {
  const { template, ...conv } = detectConventions(dir, history, pulls, config.branch, kind);
  const followUp = task.isPullRequest && task.action !== 'retry';
  const prTitles = pulls.filter((p) => !p.bot).map((p) => ({ subject: p.title, bot: false }));
  const brief = titleBrief({
    style: followUp ? conv.commitStyle : conv.prTitleStyle,
    recent: followUp || prTitles.length < 5 ? history : prTitles,
    issueTitle: task.title,
    kind,
    what: followUp ? 'commit subject' : 'pull request title',
    issueBody: task.body,
    issueNumber,
  });
  return { conv, template: template ?? habitTemplate(conv), brief, kind, followUp };
}

/** A `/agent <answer>` after a question: the next run gets the question and the answer. */
function withAnswer(job: Job, threads: ThreadStore): Job['task'] {
  const { task } = job;
  if (task.trigger.kind !== 'command' || task.action === 'approve') return task;
  const question = threads.takeQuestion(`${task.repo.owner}/${task.repo.name}`, task.number);
  if (!question) return task;
  return { ...task, instructions: `Earlier you asked the requester: ${question}\nTheir answer: ${task.instructions || '(no text)'}` };
}

/**
 * The branch: a PR's own head; else the one this issue already has (kept from its first push, so
 * an edited title or a newly learned pattern never starts a second PR); else a new name.
 */
async function branchFor(octokit: Octo, job: Job, threads: ThreadStore, pattern: string, kinds: PrHabits['branchKinds'], kind: ChangeKind): Promise<{ branch: string; base: string; existing: boolean }> {
  const { task } = job;
  if (task.isPullRequest) {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { owner: task.repo.owner, repo: task.repo.name, pull_number: task.number });
    return { branch: data.head.ref, base: data.base.ref, existing: true };
  }
  const branch = threads.branch(`${task.repo.owner}/${task.repo.name}`, task.number) ?? expandBranch(pattern, { issue: task.number, slug: slugify(task.title), kind, kinds });
  const exists = await octokit
    .request('GET /repos/{owner}/{repo}/branches/{branch}', { owner: task.repo.owner, repo: task.repo.name, branch })
    .then(() => true, () => false);
  return { branch, base: task.repo.defaultBranch, existing: exists };
}

/** A login's GitHub noreply address, so commits are linked to the account. */
async function noreplyIdentity(octokit: Octo, login: string): Promise<{ name: string; email: string }> {
  const id = await octokit.request('GET /users/{username}', { username: login }).then((r) => r.data.id, () => null);
  return { name: login, email: id ? `${id}+${login}@users.noreply.github.com` : `${login}@users.noreply.github.com` };
}
