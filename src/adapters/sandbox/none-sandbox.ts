import type { Sandbox, SandboxResult, SandboxRunOptions } from '../../core/ports.ts';
import { toArgv } from './limits.ts';
import { runProcess } from './run-process.ts';
import { buildSandboxEnv, type SandboxEnvRequest } from './sandbox-env.ts';
import { prepareLayout, runCache, type SandboxLayout } from './sandbox-layout.ts';
import path from 'node:path';

/**
 * No isolation at all: commands run as the app's user with the host's network. Only when
 * chosen explicitly (PATCHWRIGHT_SANDBOX=none); the environment is still an allow-list.
 */
export class NoneSandbox implements Sandbox {
  readonly kind = 'none' as const;
  readonly #layout: SandboxLayout;
  readonly #env: SandboxEnvRequest;

  constructor(layout: SandboxLayout, env: SandboxEnvRequest = {}) {
    this.#layout = layout;
    this.#env = env;
    prepareLayout(layout);
  }

  async run(opts: SandboxRunOptions): Promise<SandboxResult> {
    const home = path.join(this.#layout.runTmp, 'home');
    const env = buildSandboxEnv({
      home,
      tmp: this.#layout.runTmp,
      cache: runCache(this.#layout),
      stage: opts.stage ?? 'agent',
      ...this.#env,
      run: opts.environment,
    });
    const [file, ...args] = toArgv(opts.command);
    const { readBack: _, ...result } = await runProcess({
      file: file ?? 'true',
      args,
      env,
      cwd: opts.cwd,
      timeoutMs: opts.timeoutMs,
      outputLimitBytes: opts.outputLimitBytes,
      signal: opts.signal,
    });
    return result;
  }
}
