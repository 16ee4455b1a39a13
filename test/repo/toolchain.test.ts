import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compare } from '../../src/core/loop/toolchain-check.ts';
import type { ToolchainRequirement } from '../../src/protocol/toolchain.ts';
import { RepoFiles } from '../../src/repo/repo-files.ts';
import { toolchainRequirements } from '../../src/repo/toolchain.ts';
import { tempDir } from '../support/app-harness.ts';

function repo(files: Record<string, string>): RepoFiles {
  const dir = tempDir('pw-tc-');
  for (const [rel, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, rel), text);
  return new RepoFiles(dir);
}

describe('the toolchain versions a repository asks for', () => {
  it('reads version files before manifests, one per tool, with where', () => {
    const r = repo({
      '.nvmrc': 'v20.11.1\n',
      'package.json': JSON.stringify({ engines: { node: '>=18' } }, null, 2),
      'pyproject.toml': '[project]\nname = "x"\nrequires-python = ">=3.10, <4"\n',
      'go.mod': 'module x\n\ngo 1.22\n\ntoolchain go1.23.4\n',
      'rust-toolchain.toml': '[toolchain]\nchannel = "1.79.0"\ncomponents = ["clippy"]\n',
    });
    expect(toolchainRequirements(r)).toEqual([
      { tool: 'node', wants: '20.11.1', kind: 'pin', file: '.nvmrc', line: 1 },
      { tool: 'python', wants: '>=3.10 <4', kind: 'range', file: 'pyproject.toml', line: 3 },
      { tool: 'go', wants: '>=1.23.4', kind: 'min', file: 'go.mod', line: 5 },
      { tool: 'rust', wants: '1.79.0', kind: 'pin', file: 'rust-toolchain.toml', line: 1 },
    ]);
  });

  it('Node from volta’s pin, npm’s devEngines, then engines: the first that says one wins', () => {
    expect(
      toolchainRequirements(
        repo({ 'package.json': JSON.stringify({ volta: { node: '22.3.0' }, engines: { node: '>=18' } }, null, 2) }),
      ),
    ).toEqual([{ tool: 'node', wants: '22.3.0', kind: 'pin', file: 'package.json', line: 2 }]);
    expect(
      toolchainRequirements(
        repo({
          'package.json': JSON.stringify(
            { devEngines: { runtime: { name: 'node', version: '>=22' } }, engines: { node: '>=18' } },
            null,
            2,
          ),
        }),
      ),
    ).toEqual([{ tool: 'node', wants: '>=22', kind: 'range', file: 'package.json', line: 2 }]);
    expect(
      toolchainRequirements(
        repo({
          'package.json': JSON.stringify({
            devEngines: {
              runtime: [
                { name: 'bun', version: '1' },
                { name: 'node', version: '^22' },
              ],
            },
          }),
        }),
      ).map((r) => r.wants),
    ).toEqual(['^22']);
  });

  it('ignores what says nothing: lts aliases, `stable`, `*`, a package.json that is not JSON', () => {
    expect(
      toolchainRequirements(
        repo({ '.nvmrc': 'lts/iron\n', 'rust-toolchain': 'stable\n', 'package.json': '{ not json' }),
      ),
    ).toEqual([]);
    expect(
      toolchainRequirements(
        repo({ 'package.json': '{"engines":{"node":"*"}}', '.tool-versions': 'nodejs 22.3.0\npython 3.12.1\n' }),
      ),
    ).toEqual([
      { tool: 'node', wants: '22.3.0', kind: 'pin', file: '.tool-versions', line: 1 },
      { tool: 'python', wants: '3.12.1', kind: 'pin', file: '.tool-versions', line: 2 },
    ]);
  });
});

describe('comparing with the worker', () => {
  const req = (
    tool: ToolchainRequirement['tool'],
    wants: string,
    kind: ToolchainRequirement['kind'],
  ): ToolchainRequirement => ({ tool, wants, kind, file: 'x', line: 1 });
  it.each([
    ['20.19.0', req('node', '>=18.17', 'range'), 'ok'],
    ['18.19.0', req('node', '>=20', 'range'), 'older'],
    ['20.19.0', req('node', '^18.17.0 || >=20.5.0', 'range'), 'ok'],
    ['16.20.0', req('node', '^18 || ^20', 'range'), 'older'],
    ['22.1.0', req('node', '^18 || ^20', 'range'), 'other'],
    ['20.19.0', req('node', '20', 'pin'), 'ok'],
    ['20.19.0', req('node', '22.3.0', 'pin'), 'older'],
    ['22.3.0', req('node', '20', 'pin'), 'other'],
    ['3.11.2', req('python', '>=3.10 <4', 'range'), 'ok'],
    ['3.11.2', req('python', '~=3.12', 'range'), 'older'],
    ['3.11.2', req('python', '==3.11.*', 'range'), 'ok'],
    ['1.21.5', req('go', '>=1.22', 'min'), 'older'],
    ['1.79.0', req('rust', '1.79', 'pin'), 'ok'],
    ['1.80.0', req('node', '1.0.0 - 2.0.0', 'range'), 'unknown'],
  ])('%s against %j → %s', (have, want, verdict) => {
    expect(compare(have, have, want)).toBe(verdict);
  });

  it('a nightly Rust is asked for by name', () => {
    expect(compare('1.80.0', 'rustc 1.80.0-nightly (abc 2024-05-01)', req('rust', 'nightly-2024-05-01', 'pin'))).toBe(
      'ok',
    );
    expect(compare('1.79.0', 'rustc 1.79.0 (129f3b996 2024-06-10)', req('rust', 'nightly', 'pin'))).toBe('other');
  });
});
