import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readSettings } from '../adapters/env/read-settings.ts';
import {
  createSandbox,
  deploymentSandboxOptions,
  memoryNote,
  NONE_WARNING,
  probeSandboxes,
  resolveSandboxKind,
} from '../adapters/sandbox/create-sandbox.ts';
import { makeRunDirs } from '../adapters/sandbox/run-dirs.ts';
import { egressFirewall } from '../adapters/egress/egress-policy.ts';
import { deploymentToolchains } from '../adapters/toolchain/deployment-toolchains.ts';

/** `patchwright sandbox [--network] [--cwd DIR] [--timeout S] -- CMD ARGS...`: run a command as the agent would. */
export async function sandboxCommand(argv: string[]): Promise<number> {
  const dash = argv.indexOf('--');
  const own = dash < 0 ? argv : argv.slice(0, dash);
  const command = dash < 0 ? [] : argv.slice(dash + 1);
  const { values } = parseArgs({
    args: own,
    options: { network: { type: 'boolean' }, cwd: { type: 'string' }, timeout: { type: 'string' } },
  });
  if (command.length === 0) {
    process.stderr.write('Usage: patchwright sandbox [--network] [--cwd DIR] [--timeout SECONDS] -- CMD ARGS...\n');
    return 2;
  }
  const settings = readSettings();
  const worktree = fs.realpathSync(path.resolve(values.cwd ?? '.'));
  const kind = await resolveSandboxKind(settings.sandbox, () => probeSandboxes(settings.docker.cli));
  if (kind === 'none') process.stderr.write(`${NONE_WARNING}\n`);
  const dirs = makeRunDirs(settings.dataDir, 'sandbox', { branch: false });
  try {
    // What every job's sandbox has of the deployment too: the toolchain folder and its pip settings.
    const provided = deploymentToolchains(settings);
    const sandbox = createSandbox(kind, {
      layout: {
        worktree,
        runTmp: dirs.runTmp,
        cacheDir: path.join(settings.dataDir, 'cache', 'local'),
        readOnly: [provided.dir, ...settings.sandboxPaths],
      },
      env: {
        values: provided.python.values,
        requested: settings.sandboxPassEnv,
        allowed: settings.sandboxPassEnv,
        deployment: settings.sandboxEnv,
        setupOnly: settings.setupSecrets,
      },
      ...deploymentSandboxOptions(settings),
      hostDir: dirs.hostDir,
      dockerImage: settings.docker.image,
      dockerCli: settings.docker.cli,
      dockerRuntime: settings.docker.runtime,
      hostUid: settings.sandboxUid,
      egress: egressFirewall(settings.egress),
    });
    const memory = memoryNote(kind, settings);
    if (!/held to \d+ MB by/.test(memory)) process.stderr.write(`patchwright sandbox: ${memory}\n`);
    const res = await sandbox.run({
      command,
      cwd: worktree,
      network: values.network ?? false,
      timeoutMs: Number(values.timeout ?? 600) * 1000,
      outputLimitBytes: 1024 * 1024,
    });
    process.stdout.write(res.stdout);
    process.stderr.write(res.stderr);
    if (res.timedOut)
      process.stderr.write(
        `patchwright sandbox: timed out after ${values.timeout ?? 600}s; every process was killed\n`,
      );
    return res.exitCode ?? 128 + 9;
  } finally {
    dirs.remove();
  }
}
