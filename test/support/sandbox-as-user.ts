import { BwrapSandbox } from '../../src/adapters/sandbox/bwrap-sandbox.ts';
import type { SandboxLayout } from '../../src/adapters/sandbox/sandbox-layout.ts';

/**
 * Runs commands in the bwrap sandbox from this process, as whatever user started it: the tests
 * start it as an ordinary user (`setpriv --reuid`), which is how an unprivileged deployment runs
 * the sandbox. Input: one JSON argument `{layout, commands, stage?}`; output: one JSON line.
 */
const input = JSON.parse(process.argv[2] ?? '{}') as {
  layout: SandboxLayout;
  commands: string[];
  stage?: 'setup' | 'agent';
  hostDir?: string;
  tmpfsBytes?: number;
};
const sandbox = new BwrapSandbox({
  layout: input.layout,
  limits: { cpuSeconds: 60, processes: 64, fileSizeBytes: 16 * 1024 * 1024, memoryBytes: 1024 ** 3 },
  ...(input.hostDir ? { hostDir: input.hostDir } : {}),
  ...(input.tmpfsBytes ? { tmpfsBytes: input.tmpfsBytes } : {}),
});
const results = [];
for (const command of input.commands) {
  const r = await sandbox.run({
    command,
    cwd: input.layout.worktree,
    timeoutMs: 20_000,
    network: false,
    outputLimitBytes: 64 * 1024,
    ...(input.stage ? { stage: input.stage } : {}),
  });
  results.push({ ...r, audit: (sandbox as { audit?: () => unknown }).audit?.() });
}
process.stdout.write(`${JSON.stringify(results)}\n`);
