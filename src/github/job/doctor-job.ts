import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Job } from '../../adapters/store/job-store.ts';
import type { JobResult } from '../../adapters/queue/worker-pool.ts';
import { localFiles } from '../../adapters/git/local-files.ts';
import { checkReadiness, type ReadinessReport } from '../../core/loop/readiness.ts';
import { inspectRepo } from '../../repo/inspect.ts';
import { postable } from '../publish/postable.ts';
import type { RunContext } from './run-context.ts';
import { jobSandbox } from './job-sandbox.ts';

/** `/agent doctor`: setup and the test command on the default branch, in the sandbox; the report goes in the tracking comment. */
export async function runDoctor(job: Job, signal: AbortSignal, ctx: RunContext): Promise<JobResult> {
  const { task } = job;
  const { token } = (await ctx.octokit.auth({ type: 'installation' })) as { token: string };
  const base = task.repo.defaultBranch;
  const ws = await ctx.workspaces.prepare({ cloneUrl: task.repo.cloneUrl, token, base, branch: `patchwright/doctor-${job.id}`, startFrom: 'base', runId: `job-${job.id}` });
  const runTmp = fs.mkdtempSync(path.join(os.tmpdir(), `patchwright-doctor-${job.id}-`));
  let releaseUser = () => {};
  try {
    await ctx.say(`**Patchwright** · 🩺 checking setup and tests on \`${base}\` (job ${job.id})…`);
    const info = inspectRepo(ws.dir, { setup: ctx.config.setup, test: ctx.config.test, lint: ctx.config.lint });
    const { sandbox, release } = jobSandbox(ctx.kind, ctx.deps.settings, ctx.users, ctx.config, task, ws, runTmp, 'base');
    releaseUser = release;
    const report = await checkReadiness({ setup: info.setup, test: info.test, setupTimeoutMs: ctx.deps.settings.setupTimeoutMs, commandTimeoutMs: ctx.deps.settings.commandTimeoutMs, toolchain: info.toolchain }, { sandbox, files: localFiles(ws.dir) }, signal);
    await ctx.say(renderDoctor(job.id, base, report, info.setup, info.test, task.requester));
    return { state: 'done', outcome: report.ready ? 'ready' : 'not_ready' };
  } finally {
    releaseUser();
    await ctx.workspaces.remove(ws).catch(() => {});
    fs.rmSync(runTmp, { recursive: true, force: true });
  }
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function renderDoctor(jobId: number, base: string, r: ReadinessReport, setup: string[], test: string | null, requester: string): string {
  const lines = [`**Patchwright** · 🩺 ${r.ready ? '✅ ready' : '⚠️ not ready'}: setup and tests on \`${base}\` (job ${jobId}, asked by \`@${requester}\`).`, ''];
  lines.push(setup.length ? '**Setup**' : '**Setup:** nothing to run');
  for (const s of r.setup) {
    lines.push(`- ${s.exitCode === 0 ? '✅' : '❌'} \`${s.command}\` (${secs(s.durationMs)})`);
    if (s.exitCode !== 0) lines.push('', '```text', postable(s.tail).replace(/```/g, "'''"), '```');
  }
  const b = r.baseline;
  lines.push('', `**Tests:** ${test ? `\`${test}\`` : 'no test command'}`);
  if (b) lines.push(`- exit ${b.exitCode ?? 'timeout'}, passed ${b.passed ?? '?'}, failed ${b.failed ?? '?'}, skipped ${b.skipped ?? '?'} (${secs(b.durationMs)})${b.failures.length ? `; failing already: ${b.failures.slice(0, 10).map((f) => `\`${f}\``).join(', ')}` : ''}${b.exitCode !== 0 && b.failed === 0 ? ' (it exits non-zero though no test failed: a step besides the tests fails)' : ''}`);
  const notes = r.toolchain.filter((t) => !r.problems.includes(t));
  if (notes.length) lines.push('', ...notes.map((t) => `> ℹ️ ${postable(t)}`));
  if (r.problems.length) lines.push('', '**To fix**', ...r.problems.map((p) => `- ${postable(p)}`));
  lines.push('', `<sub>${secs(r.durationMs)}</sub>`);
  return lines.join('\n');
}
