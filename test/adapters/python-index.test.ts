import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonIndex, readPipConfig } from '../../src/adapters/env/python-index.ts';
import { readSettings } from '../../src/adapters/env/read-settings.ts';
import { buildSandboxEnv } from '../../src/adapters/sandbox/sandbox-env.ts';
import { tempDir } from '../support/app-harness.ts';
import { pipMirror } from '../support/pip-mirror.ts';

function write(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe("the deployment's pip settings, for the sandbox", () => {
  it('reads [global] then [install] of each file, later files winning, continuation lines joined, as pip does', () => {
    const dir = tempDir('pw-pipconf-');
    const a = write(
      dir,
      'global.conf',
      '# the machine\n[global]\nindex-url = https://mirror.example/simple\nextra-index-url =\n    https://one.example/simple\n    https://two.example/simple\n; comment\n[install]\ntrusted-host: mirror.example\n',
    );
    expect(readPipConfig(a)).toEqual([
      ['index-url', 'https://mirror.example/simple'],
      ['extra-index-url', 'https://one.example/simple https://two.example/simple'],
      ['trusted-host', 'mirror.example'],
    ]);
    const b = write(
      dir,
      'user.conf',
      '[global]\nindex-url = https://user.example/simple\ntarget = /usr/lib/somewhere\nlog = /var/log/pip.log\n',
    );
    const index = pythonIndex([a, b], {}, [], path.join(dir, 'copies'));
    expect(index.values).toMatchObject({
      PIP_INDEX_URL: 'https://user.example/simple',
      PIP_EXTRA_INDEX_URL: 'https://one.example/simple https://two.example/simple',
      PIP_TRUSTED_HOST: 'mirror.example',
    });
    // Install targets and logs would write outside the project's environment: not passed, and said so.
    expect(Object.keys(index.values)).not.toContain('PIP_TARGET');
    expect(Object.keys(index.values)).not.toContain('PIP_LOG');
    expect(index.ignored).toEqual([`\`target\` in ${b}`, `\`log\` in ${b}`]);
  });

  it('uv gets the same index in its own names (it reads no pip config), unless the deployment names its own', () => {
    const dir = tempDir('pw-pipconf-');
    const conf = write(
      dir,
      'pip.conf',
      '[global]\nindex-url = https://mirror.example/simple\nextra-index-url = https://more.example/simple\nfind-links = /srv/wheels /srv/more-wheels\ntrusted-host = mirror.example\nno-index = false\n',
    );
    expect(pythonIndex([conf], {}, [], dir).values).toEqual({
      PIP_INDEX_URL: 'https://mirror.example/simple',
      PIP_EXTRA_INDEX_URL: 'https://more.example/simple',
      PIP_FIND_LINKS: '/srv/wheels /srv/more-wheels',
      PIP_TRUSTED_HOST: 'mirror.example',
      PIP_NO_INDEX: 'false',
      UV_INDEX_URL: 'https://mirror.example/simple',
      UV_EXTRA_INDEX_URL: 'https://more.example/simple',
      UV_FIND_LINKS: '/srv/wheels,/srv/more-wheels',
      UV_INSECURE_HOST: 'mirror.example',
      UV_INDEX_STRATEGY: 'unsafe-best-match',
    });
    const own = pythonIndex([conf], { UV_INDEX_URL: 'https://uv.example/simple' }, ['UV_INDEX_URL'], dir).values;
    expect(own.UV_INDEX_URL).toBeUndefined();
  });

  it('PIP_* names the deployment passes win over its files (pip’s environment does), and get uv equivalents too', () => {
    const dir = tempDir('pw-pipconf-');
    const conf = write(dir, 'pip.conf', '[global]\nindex-url = https://file.example/simple\n');
    const index = pythonIndex(
      [conf],
      { PIP_INDEX_URL: 'https://env.example/simple', PIP_RETRIES: '0', OTHER: 'x' },
      ['PIP_INDEX_URL', 'PIP_RETRIES', 'OTHER'],
      dir,
    );
    expect(index.values).toEqual({
      PIP_INDEX_URL: 'https://env.example/simple',
      PIP_RETRIES: '0',
      UV_INDEX_URL: 'https://env.example/simple',
    });
  });

  it('a file a setting names (constraints, certificate) is copied into the app’s own read-only folder: the sandbox’s /etc is the app’s copy', () => {
    const dir = tempDir('pw-pipconf-');
    const constraints = write(dir, 'constraints.txt', 'torch<=2.14.1\n');
    const conf = write(
      dir,
      'pip.conf',
      `[global]\nconstraint = ${constraints}\ncert = ${write(dir, 'ca.pem', 'PEM')}\n`,
    );
    const copies = path.join(dir, 'toolchains', 'files');
    const { values } = pythonIndex([conf], {}, [], copies);
    expect(path.dirname(values.PIP_CONSTRAINT!)).toBe(copies);
    expect(fs.readFileSync(values.PIP_CONSTRAINT!, 'utf8')).toBe('torch<=2.14.1\n');
    expect(fs.statSync(values.PIP_CONSTRAINT!).mode & 0o777).toBe(0o644);
    expect(values.UV_CONSTRAINT).toBe(values.PIP_CONSTRAINT);
    expect(values.SSL_CERT_FILE).toBe(values.PIP_CERT);
    // The same content is the same copy; a change is a new one.
    expect(pythonIndex([conf], {}, [], copies).values.PIP_CONSTRAINT).toBe(values.PIP_CONSTRAINT);
    fs.writeFileSync(constraints, 'torch<=2.15\n');
    expect(pythonIndex([conf], {}, [], copies).values.PIP_CONSTRAINT).not.toBe(values.PIP_CONSTRAINT);
  });

  it('local folders the settings name are what the sandbox must see, the files a simple index links to included', () => {
    const mirror = pipMirror(['iniconfig-2.3.0'], 'find-links = /srv/wheels\n');
    const index = pythonIndex([mirror.config], {}, [], tempDir('pw-copies-'));
    expect(index.needs).toEqual([
      { path: mirror.simple, why: `pip's index-url (${mirror.config})` },
      { path: path.join(mirror.root, 'files'), why: `pip's index-url (${mirror.config})` },
      { path: '/srv/wheels', why: `pip's find-links (${mirror.config})` },
    ]);
  });

  it('a password in an index URL is a secret: redacted wherever the app writes, as the app’s own are', () => {
    const dir = tempDir('pw-pipconf-');
    const conf = write(dir, 'pip.conf', '[global]\nindex-url = https://ci:s3cr%40t-pw@mirror.example/simple\n');
    expect(pythonIndex([conf], {}, [], dir).secrets).toEqual(['s3cr%40t-pw', 's3cr@t-pw']);
  });

  it('the values reach every command after the deployment’s own names, and the app’s secrets never', () => {
    const env = buildSandboxEnv({
      home: '/h',
      tmp: '/t',
      cache: '/c',
      parent: { PIP_CONSTRAINT: '/etc/x/constraints.txt' },
      deployment: ['PIP_CONSTRAINT'],
      values: { PIP_CONSTRAINT: '/data/toolchains/files/ab-constraints.txt', OPENAI_API_KEY: 'x' },
    });
    expect(env.PIP_CONSTRAINT).toBe('/data/toolchains/files/ab-constraints.txt');
    expect(env.OPENAI_API_KEY).toBeUndefined();
  });

  it('PATCHWRIGHT_PIP_CONFIG names files: a missing one is refused at start with what to do', () => {
    expect(() => readSettings({ PATCHWRIGHT_PIP_CONFIG: '/nonexistent/pip.conf' })).toThrow(
      /PATCHWRIGHT_PIP_CONFIG: \/nonexistent\/pip\.conf is not a file; name the deployment's pip config files \(pip config list -v/,
    );
    expect(() => readSettings({ PATCHWRIGHT_PIP_CONFIG: 'pip.conf' })).toThrow(/is not an absolute path/);
    const dir = tempDir('pw-pipconf-');
    const conf = write(dir, 'pip.conf', '[global]\n');
    expect(readSettings({ PATCHWRIGHT_PIP_CONFIG: ` ${conf} ,` }).pipConfig).toEqual([conf]);
  });
});
