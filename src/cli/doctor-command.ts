import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readSettings } from '../adapters/env/read-settings.ts';
import { localFiles } from '../adapters/git/local-files.ts';
import { localWorktree, removeLocalWorktree } from '../adapters/git/local-worktree.ts';
import { git } from '../adapters/git/run-git.ts';
import { localSandboxWith } from '../run/local-sandbox.ts';
import { memoryNote } from '../adapters/sandbox/create-sandbox.ts';
import { makeRunDirs } from '../adapters/sandbox/run-dirs.ts';
import { checkReadiness, type ReadinessReport } from '../core/loop/readiness.ts';
import { inspectRepo } from '../repo/inspect.ts';
import { readLocalConfig } from '../run/local-config.ts';

/**
 * `patchwright doctor [DIR] [--json]`: runs setup and the test command in the sandbox, on a
 * throwaway worktree of HEAD, and says whether a run would work. Exit 0 ready, 1 not, 2 bad input.
 */
export async function doctorCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' } },
    allowPositionals: true,
  });
  const dir = path.resolve(positionals[0] ?? '.');
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return bad(`${dir} is not a directory`);
  const local = readLocalConfig(dir);
  if ('error' in local) return bad(local.error);
  const settings = readSettings({ PATCHWRIGHT_DATA_DIR: path.join(os.homedir(), '.cache', 'patchwright'), ...env });
  const info = inspectRepo(dir, { setup: local.config.setup, test: local.config.test, lint: local.config.lint });
  const runId = `doctor-${Date.now().toString(36)}-${crypto.randomBytes(3).toString('hex')}`;
  const ws = await localWorktree(dir, `patchwright/${runId}`, path.join(settings.dataDir, 'worktrees', runId)).catch(
    (e: Error) => e,
  );
  if (ws instanceof Error) return bad(ws.message);
  const dirs = makeRunDirs(settings.dataDir, runId, { branch: false });
  try {
    const { sandbox, python, toolchains } = await localSandboxWith(
      settings,
      env,
      ws,
      dirs,
      undefined,
      settings.sandboxUid,
      local.config.sandbox.egress,
    );
    const report = await checkReadiness(
      {
        setup: info.setup,
        test: info.test,
        setupTimeoutMs: settings.setupTimeoutMs,
        commandTimeoutMs: settings.commandTimeoutMs,
        toolchain: info.toolchain,
        environment: info.environment,
        needs: python.needs,
      },
      { sandbox, files: localFiles(ws.dir), ...(toolchains ? { toolchains } : {}) },
      new AbortController().signal,
    );
    process.stdout.write(
      values.json
        ? `${JSON.stringify({ dir, setupCommands: info.setup, testCommand: info.test, ...report, sandbox: { kind: sandbox.kind, memory: memoryNote(sandbox.kind, settings) } }, null, 2)}\n`
        : render(report, info.setup, info.test, [memoryNote(sandbox.kind, settings)]),
    );
    return report.ready ? 0 : 1;
  } finally {
    await removeLocalWorktree(ws);
    await git(dir)
      .raw(['branch', '-D', `patchwright/${runId}`])
      .catch(() => {});
    dirs.remove();
  }
}

function bad(message: string): number {
  process.stderr.write(`patchwright doctor: ${message}\n`);
  return 2;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function render(r: ReadinessReport, setup: string[], test: string | null, sandboxNotes: string[] = []): string {
  const lines = [r.ready ? 'Ready: setup works and the tests run.' : 'Not ready.', ''];
  lines.push(`Setup: ${setup.length ? '' : 'nothing to run'}`);
  for (const p of r.provided) lines.push(`  ok   toolchain: ${p}`);
  for (const s of r.setup)
    lines.push(
      `  ${s.exitCode === 0 ? 'ok  ' : 'FAIL'} ${s.command} (${secs(s.durationMs)})${
        s.exitCode === 0
          ? ''
          : `\n${s.tail
              .split('\n')
              .map((l) => `       ${l}`)
              .join('\n')}`
      }`,
    );
  const b = r.baseline;
  lines.push(`Tests: ${test ?? 'no test command'}`);
  if (b)
    lines.push(
      `  exit ${b.exitCode ?? 'timeout'}, passed ${b.passed ?? '?'}, failed ${b.failed ?? '?'}, skipped ${b.skipped ?? '?'} (${secs(b.durationMs)})${b.failures.length ? `\n  failing before any change: ${b.failures.slice(0, 10).join(', ')}` : ''}${b.exitCode !== 0 && b.failed === 0 ? '\n  (it exits non-zero though no test failed: a step besides the tests fails)' : ''}`,
    );
  const notes = r.toolchain.filter((t) => !r.problems.includes(t));
  if (notes.length) lines.push('', ...notes.map((t) => `Note: ${t}`));
  if (r.problems.length) lines.push('', ...r.problems.map((p) => `- ${p}`));
  if (sandboxNotes.length) lines.push('', ...sandboxNotes.map((t) => `Sandbox: ${t}`));
  lines.push('', `Took ${secs(r.durationMs)}.`);
  return `${lines.join('\n')}\n`;
}
