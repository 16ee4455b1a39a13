import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerSandbox } from '../../src/adapters/sandbox/docker-sandbox.ts';
import type { SandboxRunOptions } from '../../src/core/ports.ts';
import { boundaryFixture, redirectMountPoints, swapEverySource } from '../support/boundary-fixture.ts';

/**
 * The host-boundary invariant for the docker backend (Debian's podman with runc): what the CLI is
 * given is written down by a stand-in for it (its arguments and its whole environment), every
 * `--mount` source is checked against what a sandbox can write, and the swap attacks run inside a
 * real container. The engine takes paths, not descriptors: the masked git config and the `.git`
 * file come from the app's host-only folder. The CLI gets the app's real HOME, never /tmp/home.
 */
const IMAGE = 'localhost/patchwright-sandbox-test:busybox';
const UID = 61161;
const fx = boundaryFixture('pw-boundary-docker-');
const logs = path.join(fx.root, 'host', 'cli-log');
const cli = path.join(fx.root, 'host', 'podman-recorder');
const podman = (...args: string[]) =>
  execFileSync('podman', ['--runtime', 'runc', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(() => {
  try {
    podman('image', 'exists', IMAGE);
  } catch {
    const ctx = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-image-'));
    fs.copyFileSync('/bin/busybox', path.join(ctx, 'busybox'));
    fs.writeFileSync(
      path.join(ctx, 'Containerfile'),
      'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n',
    );
    podman('build', '-q', '-t', IMAGE, ctx);
  }
  fs.mkdirSync(logs, { recursive: true });
  fs.writeFileSync(
    cli,
    `#!/bin/sh\nlog="${logs}/$(date +%s%N)-$$"\nfor a in "$@"; do printf '%s\\0' "$a"; done > "$log.args"\nenv > "$log.env"\nexec podman "$@"\n`,
    { mode: 0o755 },
  );
}, 120_000);
afterAll(() => fs.rmSync(fx.root, { recursive: true, force: true }));

const box = (branch: boolean) =>
  new DockerSandbox({
    layout: {
      worktree: fx.worktree,
      runTmp: fx.runTmp,
      cacheDir: fx.cacheDir,
      readOnly: [fx.mirror],
      gitLink: fx.gitLink,
      ...(branch ? { privateCache: fx.privateCache } : {}),
    },
    image: IMAGE,
    cli,
    runtime: 'runc',
    hostUid: UID,
    env: { parent: { ...process.env, PW_PASSED: 'passed-value' }, deployment: ['PW_PASSED'] },
  });
const run = (sandbox: DockerSandbox, command: string, extra: Partial<SandboxRunOptions> = {}) =>
  sandbox.run({ command, cwd: fx.worktree, timeoutMs: 60_000, network: false, outputLimitBytes: 256 * 1024, ...extra });
const lastCall = () => {
  const name = fs
    .readdirSync(logs)
    .filter((n) => n.endsWith('.args'))
    .sort()
    .at(-1)!;
  return {
    args: fs.readFileSync(path.join(logs, name), 'utf8').split('\0').slice(0, -1),
    env: fs.readFileSync(path.join(logs, name.replace(/\.args$/, '.env')), 'utf8'),
  };
};
const inside = (p: string, dir: string) => p !== dir && p.startsWith(`${dir}/`);

describe.runIf(process.getuid?.() === 0)(
  'the host never mounts what a sandbox can write (docker backend, podman)',
  () => {
    it.each([
      { from: 'base', stage: 'setup' as const },
      { from: 'base', stage: 'agent' as const },
      { from: 'branch', stage: 'setup' as const },
      { from: 'branch', stage: 'agent' as const },
    ])(
      '$from run, $stage stage: every --mount source lies outside what a sandbox can write; the CLI has the real HOME',
      async (c) => {
        const res = await run(box(c.from === 'branch'), 'cat .git >/dev/null && echo ran', { stage: c.stage });
        expect(res.stdout).toBe('ran\n');
        const { args, env } = lastCall();
        const sources = args.filter((_a, i) => args[i - 1] === '--mount').map((m) => /(?:^|,)src=([^,]+)/.exec(m)![1]!);
        expect(sources).toEqual(expect.arrayContaining([fx.worktree, fx.mirror]));
        expect(
          sources.flatMap((s) =>
            fx
              .writable()
              .filter((w) => inside(s, w))
              .map((w) => `${s} is inside ${w}`),
          ),
        ).toEqual([]);
        const vars = Object.fromEntries(
          env
            .trim()
            .split('\n')
            .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
        );
        expect(vars.HOME).toBe(process.env.HOME ?? os.homedir());
        // Only PATH, HOME and XDG_RUNTIME_DIR of the app's own environment, then the values the container gets by name.
        const own = Object.keys(vars).filter(
          (k) => !['PATH', 'HOME', 'XDG_RUNTIME_DIR', 'PWD', 'SHLVL', '_'].includes(k) && !args.includes(k),
        );
        expect(own).toEqual([]);
        expect(vars.PW_PASSED).toBe('passed-value');
        expect(args.join(' ')).not.toContain('passed-value');
      },
    );

    it('the container sees the masked git config, never the mirror’s own (its remote URL holds a credential)', async () => {
      const res = await run(box(false), `cat ${fx.mirror}/config`);
      expect(res.stdout).toMatch(/\[core\]/);
      expect(res.stdout).not.toContain(fx.canary);
    });

    it('swapping every source it can reach, or linking the way to its mount points, gets a container nothing of the host', async () => {
      for (const branch of [false, true]) {
        const sandbox = box(branch);
        for (const stage of ['setup', 'agent'] as const) {
          await run(sandbox, swapEverySource(fx.canaryFile), { stage });
          await run(sandbox, redirectMountPoints(fx.watch), { stage });
        }
        const look = await run(sandbox, `cat ${fx.mirror}/config .git 2>&1; cat /proc/self/mountinfo; true`);
        expect(look.stdout).not.toContain(fx.canary);
        expect(look.stdout).not.toContain(fx.canaryFile);
        expect(fs.readdirSync(fx.watch)).toEqual([]);
      }
    });
  },
);
