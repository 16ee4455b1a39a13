import { describe, expect, it } from 'vitest';
import { dockerArgs } from '../../src/adapters/sandbox/docker-sandbox.ts';
import { resolveSandboxKind } from '../../src/adapters/sandbox/create-sandbox.ts';

// The command itself; docker-podman.test.ts runs it for real under podman.
const layout = {
  worktree: '/data/wt/1',
  runTmp: '/data/tmp/1',
  cacheDir: '/data/cache/o-r',
  readOnly: ['/data/mirrors/o/r.git'],
  gitLink: 'gitdir: /data/mirrors/o/r.git/worktrees/1\n',
};

describe('docker sandbox command', () => {
  it('has no network, a non-root user, limits and the worktree mounts', () => {
    const args = dockerArgs(
      { layout, image: 'node:24' },
      { command: 'npm test', cwd: '/data/wt/1', network: false },
      { CI: 'true' },
      { uid: 61003, gid: 61003 },
    );
    const joined = args.join(' ');
    expect(args.slice(0, 2)).toEqual(['run', '--rm']);
    expect(joined).toContain('--network none');
    expect(joined).toContain('--user 61003:61003');
    expect(joined).toContain('--cap-drop ALL');
    expect(joined).toMatch(/--pids-limit \d+/);
    // The worktree's `.git` comes from a host-only copy of what the app wrote, never from inside the worktree.
    expect(joined).toMatch(/type=bind,src=\/\S+\/docker-\w+\/dot-git,dst=\/data\/wt\/1\/\.git,readonly/);
    expect(joined).not.toContain('src=/data/wt/1/.git');
    expect(args.slice(-5)).toEqual(['/data/wt/1', 'node:24', 'sh', '-c', 'npm test']);
    // Names only: the values travel in the CLI's environment, never on a command line others can read.
    expect(args).toContain('CI');
    expect(joined).not.toContain('true');
    expect(joined).toContain('--ulimit nofile=4096:4096');
  });

  it("never gives the host network: none, or the egress bridge's namespace and its mounts", () => {
    const asked = dockerArgs(
      { layout, image: 'x' },
      { command: ['true'], cwd: '/data/wt/1', network: true },
      {},
      { uid: 1000, gid: 1000 },
    );
    expect(asked.join(' ')).toContain('--network none');
    const bridged = dockerArgs(
      { layout, image: 'x' },
      { command: ['true'], cwd: '/data/wt/1', network: true },
      {},
      { uid: 1000, gid: 1000 },
      'n',
      undefined,
      {
        network: 'ns:/proc/42/ns/net',
        mounts: ['--mount', 'type=bind,src=/s,dst=/run/patchwright-egress/maven-settings.xml,readonly'],
        prefix: ['perl', '-e', 'bridge'],
      },
    );
    expect(bridged.join(' ')).toContain('--network ns:/proc/42/ns/net');
    expect(bridged).not.toContain('host');
    expect(bridged.slice(-5)).toEqual(['x', 'perl', '-e', 'bridge', 'true']);
  });
});

describe('choosing a sandbox', () => {
  const probe = (bwrap: string | null, docker: string | null) => async () => ({ bwrap, docker });
  it('auto prefers bwrap, then docker', async () => {
    expect(await resolveSandboxKind('auto', probe(null, null))).toBe('bwrap');
    expect(await resolveSandboxKind('auto', probe('no bwrap', null))).toBe('docker');
  });
  it('refuses with both reasons when nothing works', async () => {
    await expect(resolveSandboxKind('auto', probe('bwrap: not found', 'cannot connect'))).rejects.toThrow(
      /bwrap: not found[\s\S]*cannot connect/,
    );
  });
  it('refuses an explicit backend that does not work', async () => {
    await expect(resolveSandboxKind('docker', probe(null, 'no daemon'))).rejects.toThrow(
      /PATCHWRIGHT_SANDBOX=docker.*no daemon/,
    );
  });
  it('takes none without probing', async () => {
    expect(await resolveSandboxKind('none', () => Promise.reject(new Error('probed')))).toBe('none');
  });
});
