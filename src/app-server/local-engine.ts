import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { deploymentSecrets } from '../adapters/env/app-secrets.ts';
import { loadPrices } from '../adapters/env/load-prices.ts';
import type { Settings } from '../adapters/env/read-settings.ts';
import { localFiles } from '../adapters/git/local-files.ts';
import { checkoutTop, commonGitDir, snapshotTree } from '../adapters/git/tree-snapshot.ts';
import { cleanVerifier, workspaceChanges } from '../adapters/git/clean-checkout.ts';
import { hostGit } from '../adapters/git/tree-snapshot.ts';
import { newNestedRepositories } from '../adapters/git/worktree-guard.ts';
import { OpenAIModel } from '../adapters/openai/openai-model.ts';
import { probeSandboxes, resolveSandboxKind } from '../adapters/sandbox/create-sandbox.ts';
import { localSandbox, localSandboxWith } from '../run/local-sandbox.ts';
import { cleanRunDirs, makeRunDirs } from '../adapters/sandbox/run-dirs.ts';
import { readLocalConfig } from '../run/local-config.ts';
import { capBudgets } from '../core/loop/budgets.ts';
import { makeRedactor } from '../core/loop/redact.ts';
import { runAgent } from '../core/loop/run-agent.ts';
import type { ModelClient } from '../core/model/model-port.ts';
import { inspectRepo } from '../repo/inspect.ts';
import type { TurnEngine, TurnRequest } from './turn-engine.ts';

const TITLE_MAX = 36;

/**
 * The engine of an app-server thread: Patchwright's agent loop working in place in the person's
 * own checkout (their branch, their uncommitted work), inside Patchwright's sandbox, with the
 * repository's setup and test command as `inspect` finds them. The turn's diff is taken between
 * two snapshots of the working tree, so their earlier uncommitted changes are not in it.
 */
export function localEngine(settings: Settings, env: NodeJS.ProcessEnv, model?: ModelClient): TurnEngine {
  const client =
    model ??
    new OpenAIModel({
      model: settings.model,
      api: settings.modelApi,
      apiKey: env.OPENAI_API_KEY,
      baseURL: settings.openaiBaseUrl,
      reasoningEffort: settings.reasoningEffort,
    });
  const secrets = deploymentSecrets(env, {
    dataDir: settings.dataDir,
    sandboxEnv: [...settings.sandboxEnv, ...settings.sandboxPassEnv],
    setupSecrets: settings.setupSecrets,
  });
  const prices = loadPrices(settings.pricesFile);
  // Which sandbox works here does not change while the server runs: probed once, not per turn.
  let kind: Promise<'bwrap' | 'docker' | 'none'> | undefined;
  const sandboxKind = () => {
    kind ??= resolveSandboxKind(settings.sandbox, () => probeSandboxes(settings.docker.cli)).catch((e: unknown) => {
      kind = undefined;
      throw e;
    });
    return kind;
  };
  return {
    model: client.model,
    contextTokens: settings.contextTokens,
    async checkCwd(cwd) {
      if (!fs.statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) return `${cwd} is not a folder`;
      if (!(await checkoutTop(cwd)))
        return `${cwd} is not inside a git checkout: Patchwright works in a checkout, so every change can be seen and undone`;
      return null;
    },
    run: async (req) => runTurn(settings, env, client, secrets, prices, await sandboxKind(), req),
    async title(prompt, signal) {
      const res = await client
        .complete({
          messages: [{ role: 'user', text: `${prompt}\n\nReply with the title only, as plain text.` }],
          tools: [],
          signal,
        })
        .catch(() => null);
      const text = titleFrom(res?.text ?? '');
      const fallback =
        /User prompt:\s*([\s\S]*)$/.exec(prompt)?.[1]?.trim().split(/\s+/).slice(0, 5).join(' ') ?? 'New task';
      return (text || fallback).slice(0, TITLE_MAX);
    },
  };
}

async function runTurn(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  model: ModelClient,
  secrets: string[],
  prices: ReturnType<typeof loadPrices>,
  kind: 'bwrap' | 'docker' | 'none',
  req: TurnRequest,
) {
  const top = (await checkoutTop(req.cwd)) ?? req.cwd;
  const local = readLocalConfig(top);
  if ('error' in local) throw new Error(local.error);
  const { config } = local;
  // The turn's starting point and the guard's view of the checkout, taken together.
  const [before, guard] = await Promise.all([snapshotTree(top), newNestedRepositories(top)]);
  // A turn works in a checkout earlier turns' models may have written: a branch run, with a cache of its own.
  const dirs = makeRunDirs(settings.dataDir, 'turn', { branch: true });
  try {
    // When root, turns run as the host user just past the jobs' (see sandbox-users.ts): a turn's fork bomb leaves the GitHub jobs of `serve` alone.
    const hostUid = settings.sandboxUid + settings.concurrency;
    const { sandbox, python, toolchains } = await localSandboxWith(
      settings,
      env,
      { dir: top, mirror: top, commonDir: path.join(top, '.git') },
      dirs,
      kind,
      hostUid,
      config.sandbox.egress,
    );
    const gitDir = await commonGitDir(top);
    const head =
      (await hostGit(['rev-parse', '--verify', '--quiet', 'HEAD'], { cwd: top }).catch(() => Buffer.from('')))
        .toString()
        .trim() || null;
    // The turn's verdict, as a job's: a clean checkout of the turn's tree (the person's earlier edits included), set up anew.
    const verifier = cleanVerifier({
      gitDir,
      parent: head,
      root: path.join(settings.dataDir, 'worktrees'),
      label: `app-${req.threadId.slice(0, 8)}-${crypto.randomBytes(3).toString('hex')}`,
      sandbox: (l) =>
        localSandbox(
          settings,
          env,
          { dir: l.worktree, mirror: top, commonDir: gitDir },
          cleanRunDirs(l),
          kind,
          hostUid,
          config.sandbox.egress,
        ),
    });
    const info = inspectRepo(top, { setup: config.setup, test: config.test, lint: config.lint });
    const files = localFiles(top);
    const instructionFiles = await Promise.all(
      info.instructions.map(async (p) => ({ path: p, text: (await files.read(p)) ?? '' })),
    );
    const readOnly = req.sandbox.type === 'readOnly';
    const [first = ''] = req.prompt.trim().split('\n');
    const body = req.history ? `${req.prompt}\n\nEarlier in this conversation:\n${req.history}` : req.prompt;
    return await runAgent(
      {
        runId: `app-${req.threadId.slice(0, 8)}-${crypto.randomBytes(3).toString('hex')}`,
        repoName: path.basename(top),
        task: { title: first.slice(0, 200), body, instructions: '' },
        // Dependencies are installed once per thread, and never into a read-only checkout.
        setup: req.firstTurn && !readOnly ? info.setup : [],
        verifySetup: info.setup,
        test: info.test,
        toolchain: info.toolchain,
        // A read-only checkout gets no virtual environment made in it.
        environment: readOnly ? {} : info.environment,
        needs: python.needs,
        instructionFiles,
        protectedPaths: config.protectedPaths,
        budgets: capBudgets(config.budgets, settings.ceilings),
        verificationRounds: config.verificationRounds,
        network: req.sandbox.networkAccess && config.sandbox.network && settings.agentNetwork,
        commandTimeoutMs: settings.commandTimeoutMs,
        setupTimeoutMs: settings.setupTimeoutMs,
        outputLimitBytes: 32 * 1024,
        contextTokens: settings.contextTokens,
        readOnlyCheckout: readOnly,
      },
      {
        model,
        sandbox,
        ...(toolchains ? { toolchains } : {}),
        files,
        emit: req.emit,
        changes: workspaceChanges(top, gitDir, before),
        verifier,
        guard,
        redact: makeRedactor(secrets),
        prices,
        ...(req.approve ? { approve: req.approve } : {}),
        steer: req.steer,
      },
      req.signal,
    );
  } finally {
    dirs.remove();
  }
}

/** The title in a model's reply: plain text, or the `{"title": ...}` object the client's schema asks for. */
export function titleFrom(reply: string): string {
  const trimmed = reply.trim();
  try {
    const parsed = JSON.parse(trimmed) as { title?: unknown };
    if (parsed && typeof parsed.title === 'string') return parsed.title.trim();
  } catch {
    // plain text
  }
  return (trimmed.split('\n').find((l) => l.trim()) ?? '').replace(/^["'`#\s]+|["'`.\s]+$/g, '');
}
