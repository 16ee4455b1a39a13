import type { Job } from '../../adapters/store/job-store.ts';
import type { JobResult } from '../../adapters/queue/worker-pool.ts';
import { localFiles } from '../../adapters/git/local-files.ts';
import { checkReadiness, type ReadinessReport } from '../../core/loop/readiness.ts';
import { inspectRepo } from '../../repo/inspect.ts';
import { codeBlock, joined, literal, login, md, name, type Posted } from '../publish/posted.ts';
import type { RunContext } from './run-context.ts';
import { jobSandbox } from './job-sandbox.ts';
import { makeRunDirs } from '../../adapters/sandbox/run-dirs.ts';
import { memoryNote } from '../../adapters/sandbox/create-sandbox.ts';

/** `/agent doctor`: setup and the test command on the default branch, in the sandbox; the report goes in the tracking comment. */
export async function runDoctor(job: Job, signal: AbortSignal, ctx: RunContext): Promise<JobResult> {
  const { task } = job;
  const token = await ctx.gitToken();
  const base = task.repo.defaultBranch;
  const ws = await ctx.workspaces.prepare({
    cloneUrl: task.repo.cloneUrl,
    token,
    base,
    branch: `patchwright/doctor-${job.id}`,
    startFrom: 'base',
    runId: `job-${job.id}`,
  });
  const dirs = makeRunDirs(ctx.deps.settings.dataDir, `doctor-${job.id}`, { branch: false });
  let releaseUser = () => {};
  try {
    await ctx.say(md`**Patchwright** · 🩺 checking setup and tests on ${name(base)} (job ${job.id})…`);
    const info = inspectRepo(ws.dir, { setup: ctx.config.setup, test: ctx.config.test, lint: ctx.config.lint });
    const { sandbox, release, python, toolchains } = jobSandbox(
      ctx.kind,
      ctx.deps.settings,
      ctx.users,
      ctx.config,
      task,
      ws,
      dirs,
      'base',
    );
    releaseUser = release;
    const report = await checkReadiness(
      {
        setup: info.setup,
        test: info.test,
        setupTimeoutMs: ctx.deps.settings.setupTimeoutMs,
        commandTimeoutMs: ctx.deps.settings.commandTimeoutMs,
        toolchain: info.toolchain,
        environment: info.environment,
        needs: python.needs,
      },
      { sandbox, files: localFiles(ws.dir), ...(toolchains ? { toolchains } : {}) },
      signal,
    );
    await ctx.say(
      renderDoctor(job.id, base, report, info.setup, info.test, task.requester, [
        memoryNote(sandbox.kind, ctx.deps.settings),
      ]),
    );
    return { state: 'done', outcome: report.ready ? 'ready' : 'not_ready' };
  } finally {
    releaseUser();
    await ctx.workspaces.remove(ws).catch(() => {});
    dirs.remove();
  }
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function renderDoctor(
  jobId: number,
  base: string,
  r: ReadinessReport,
  setup: string[],
  test: string | null,
  requester: string,
  sandboxNotes: string[] = [],
): Posted {
  const lines: Posted[] = [
    md`**Patchwright** · 🩺 ${r.ready ? '✅ ready' : '⚠️ not ready'}: setup and tests on ${name(base)} (job ${jobId}, asked by ${login(requester)}).`,
    literal(''),
  ];
  lines.push(literal(setup.length ? '**Setup**' : '**Setup:** nothing to run'));
  for (const p of r.provided) lines.push(md`- ✅ toolchain: ${p}`);
  for (const s of r.setup) {
    lines.push(md`- ${s.exitCode === 0 ? '✅' : '❌'} ${name(s.command)} (${secs(s.durationMs)})`);
    if (s.exitCode !== 0) lines.push(literal(''), codeBlock(s.tail));
  }
  const b = r.baseline;
  lines.push(literal(''), test ? md`**Tests:** ${name(test)}` : literal('**Tests:** no test command'));
  if (b) {
    const failing = b.failures.length
      ? md`; failing already: ${joined(
          b.failures.slice(0, 10).map((f) => name(f)),
          ', ',
        )}`
      : literal('');
    const odd =
      b.exitCode !== 0 && b.failed === 0
        ? ' (it exits non-zero though no test failed: a step besides the tests fails)'
        : '';
    lines.push(
      md`- exit ${b.exitCode ?? 'timeout'}, passed ${b.passed ?? '?'}, failed ${b.failed ?? '?'}, skipped ${b.skipped ?? '?'} (${secs(b.durationMs)})${failing}${odd}`,
    );
  }
  const notes = r.toolchain.filter((t) => !r.problems.includes(t));
  if (notes.length) lines.push(literal(''), ...notes.map((t) => md`> ℹ️ ${t}`));
  if (r.problems.length) lines.push(literal(''), literal('**To fix**'), ...r.problems.map((p) => md`- ${p}`));
  if (sandboxNotes.length) lines.push(literal(''), ...sandboxNotes.map((t) => md`> 🧱 sandbox ${t}`));
  lines.push(literal(''), md`${secs(r.durationMs)}`);
  return joined(lines, '\n');
}
