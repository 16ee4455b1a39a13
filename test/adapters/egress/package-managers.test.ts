import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { egressFirewall, egressSettingsFrom } from '../../../src/adapters/egress/egress-policy.ts';
import { BwrapSandbox } from '../../../src/adapters/sandbox/bwrap-sandbox.ts';
import type { SandboxResult } from '../../../src/core/ports.ts';
import { tempDir } from '../../support/app-harness.ts';
import { makeWheel, packFromNodeModules, startStandIn, type StandIn } from '../../support/stand-in.ts';

/**
 * Package managers as setup runs them, through the egress proxy to registries on loopback that
 * the deployment allows by name and port: a stand-in npm registry serving a real package
 * (picocolors, packed from this checkout), a pip mirror (a PEP 503 index), and Maven, whose
 * requests show up as refusals when its central repository is not on the list.
 */
const UID = 61151;
const pkg = packFromNodeModules('picocolors');
const wheel = makeWheel('pwdemo', '1.2.3');
let standIn: StandIn;
let sandbox: BwrapSandbox;
let worktree: string;

beforeAll(async () => {
  standIn = await startStandIn({ npm: [pkg], pypi: [{ project: 'pwdemo', wheel }] });
  const root = tempDir('pw-egress-pm-');
  worktree = path.join(root, 'wt');
  fs.mkdirSync(worktree);
  const settings = egressSettingsFrom({ PATCHWRIGHT_EGRESS_ALLOW: `npm,pypi,localhost:${standIn.httpPort}` });
  sandbox = new BwrapSandbox({
    layout: { worktree, runTmp: path.join(root, 'tmp'), cacheDir: path.join(root, 'cache'), readOnly: [] },
    hostUid: UID,
    egress: egressFirewall(settings),
  });
});
afterAll(async () => {
  await standIn?.close();
});

const setup = (command: string): Promise<SandboxResult> =>
  sandbox.run({
    command,
    cwd: worktree,
    network: true,
    timeoutMs: 180_000,
    outputLimitBytes: 256 * 1024,
    stage: 'setup',
  });
const registry = () => `http://localhost:${standIn.httpPort}/`;

describe('package managers through the egress proxy (bwrap, setup)', () => {
  it('npm install, then npm ci from the lockfile, fetch a real package from a registry on loopback allowed by name and port', async () => {
    fs.writeFileSync(
      path.join(worktree, 'package.json'),
      JSON.stringify({ name: 'demo', version: '1.0.0', private: true, dependencies: { picocolors: pkg.version } }),
    );
    const install = await setup(
      `npm install --registry ${registry()} --no-audit --no-fund 2>&1 && node -e "console.log(require('picocolors').green('ok'))"`,
    );
    expect(install.exitCode, install.stdout + install.stderr).toBe(0);
    expect(install.stdout).toMatch(/added 1 package/);
    expect(fs.existsSync(path.join(worktree, 'package-lock.json'))).toBe(true);
    fs.rmSync(path.join(worktree, 'node_modules'), { recursive: true });
    const ci = await setup(`npm ci --registry ${registry()} --no-audit --no-fund --prefer-online 2>&1`);
    expect(ci.exitCode, ci.stdout + ci.stderr).toBe(0);
    expect(
      JSON.parse(fs.readFileSync(path.join(worktree, 'node_modules', 'picocolors', 'package.json'), 'utf8')).version,
    ).toBe(pkg.version);
    expect(standIn.requests.map((r) => r.url)).toEqual(
      expect.arrayContaining(['/picocolors', `/picocolors/-/picocolors-${pkg.version}.tgz`]),
    );
    expect(install.egressRefused).toBeUndefined();
  });

  it('pip installs from an http mirror on loopback allowed by host and port', async () => {
    const r = await setup(
      `python3 -m venv .venv && .venv/bin/pip install --disable-pip-version-check --no-cache-dir --index-url http://localhost:${standIn.httpPort}/simple/ pwdemo 2>&1 && .venv/bin/python -c 'import pwdemo'`,
    );
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Successfully installed pwdemo-1\.2\.3\n[\s\S]*pwdemo 1\.2\.3/);
    expect(standIn.requests.map((q) => q.url)).toEqual(
      expect.arrayContaining(['/simple/pwdemo/', '/files/pwdemo-1.2.3-py3-none-any.whl']),
    );
  });

  it('npm asking a registry that is not on the list is refused, and the refusal says which', async () => {
    const r = await setup(
      `npm view left-pad version --registry https://registry.example.org/ --fetch-retries=0 2>&1; true`,
    );
    expect(r.egressRefused?.map((x) => `${x.host}:${x.port}`)).toEqual(['registry.example.org:443']);
  });

  it.runIf(fs.existsSync('/usr/bin/mvn'))(
    'Maven uses the proxy (its request to Maven Central is refused when Central is not on the list)',
    async () => {
      fs.writeFileSync(
        path.join(worktree, 'pom.xml'),
        '<project><modelVersion>4.0.0</modelVersion><groupId>x</groupId><artifactId>y</artifactId><version>1</version></project>',
      );
      const r = await setup('mvn -B -q compile 2>&1 | tail -3; true');
      expect(r.egressRefused?.map((x) => `${x.host}:${x.port}`)).toEqual(['repo.maven.apache.org:443']);
    },
  );
});
