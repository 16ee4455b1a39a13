import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readSettings } from '../../src/adapters/env/read-settings.ts';
import { runCommand } from '../../src/cli/run-command.ts';
import type { RunEvent } from '../../src/protocol/run-event.ts';
import { tempDir } from '../support/app-harness.ts';
import { fixtureRepo } from '../support/fixture-repo.ts';
import { startScriptedModel, type ScriptedModel, type Step } from '../support/scripted-model.ts';

/**
 * A deployment behind a package mirror, with a private registry token: the mirror's variables
 * reach every sandboxed command when the deployment names them, the token reaches setup only.
 * This machine reaches no PyPI: pip installs only through the local mirror pip's own user config
 * names, which the sandbox does not see. That is exactly the case. The mirror lives under /opt,
 * which the sandbox does not see either unless the deployment names those folders
 * (`PATCHWRIGHT_SANDBOX_PATHS`): /opt is not a system folder of the sandbox's.
 */
const MIRROR = fs.existsSync('/opt/pypi/simple')
  ? {
      PIP_INDEX_URL: 'file:///opt/pypi/simple',
      PIP_FIND_LINKS: '/opt/wheels',
      PATCHWRIGHT_SANDBOX_PATHS: '/opt/pypi,/opt/wheels',
    }
  : null;

let model: ScriptedModel;
let out: string[];
beforeEach(() => {
  out = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await model?.close();
});

const python = {
  'pyproject.toml':
    '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "calc"\nversion = "0.1.0"\n',
  'calc/__init__.py': 'def add(a, b):\n    return a - b\n',
  'tests/test_calc.py':
    'import unittest\n\nfrom calc import add\n\n\nclass AddTest(unittest.TestCase):\n    def test_add(self):\n        self.assertEqual(add(2, 3), 5)\n',
  '.gitignore': '.venv/\n*.egg-info/\n',
  '.github/agent.yml':
    'setup:\n  - python3 -m venv .venv\n  - .venv/bin/pip install -e .\ntest: .venv/bin/python -m unittest discover -s tests\n',
};
const fix: Step = {
  calls: [
    {
      name: 'apply_patch',
      arguments: {
        input:
          '*** Begin Patch\n*** Update File: calc/__init__.py\n-    return a - b\n+    return a + b\n*** End Patch',
      },
    },
  ],
};

async function run(files: Record<string, string>, script: Step[], env: Record<string, string>) {
  model = await startScriptedModel(script, { titles: () => 'Make add return the sum' });
  const repo = fixtureRepo(files);
  const code = await runCommand(['--repo', repo, '--task', 'Fix add', '--json'], {
    PATH: process.env.PATH,
    HOME: tempDir('pw-home-'),
    OPENAI_BASE_URL: model.baseURL,
    OPENAI_API_KEY: 'test-key',
    PATCHWRIGHT_MODEL: 'gpt-5',
    PATCHWRIGHT_DATA_DIR: tempDir('pw-data-'),
    PIP_RETRIES: '0',
    PIP_DEFAULT_TIMEOUT: '3',
    ...env,
  });
  const events = out
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as RunEvent);
  return {
    code,
    events,
    done: events.find((e) => e.type === 'run.completed') as Extract<RunEvent, { type: 'run.completed' }>,
    repo,
  };
}
const outputs = (events: RunEvent[]) =>
  events.flatMap((e) =>
    e.type === 'item.completed' && e.item.kind === 'command_execution' ? [`${e.item.command}\n${e.item.output}`] : [],
  );

describe.runIf(MIRROR)('a deployment behind a package mirror', () => {
  it('pip install -e . succeeds in the sandbox when PATCHWRIGHT_SANDBOX_ENV names the mirror variables', async () => {
    const { done, code } = await run(python, [fix, { text: 'Fixed add.' }], {
      ...MIRROR!,
      PATCHWRIGHT_SANDBOX_ENV: 'PIP_INDEX_URL,PIP_FIND_LINKS,PIP_RETRIES,PIP_DEFAULT_TIMEOUT',
    });
    // The harness's own virtual environment comes first; the repository's `python3 -m venv .venv` then finds it made.
    expect(done.evidence.setupCommands).toEqual([
      "python3 -m venv .venv && echo '*' > .venv/.gitignore",
      'python3 -m venv .venv',
      '.venv/bin/pip install -e .',
    ]);
    expect(done.outcome).toBe('succeeded');
    expect(done.evidence.baseline).toMatchObject({ failed: 1 });
    expect(done.evidence.final).toMatchObject({ exitCode: 0, passed: 1 });
    expect(code).toBe(0);
  }, 120_000);

  it('without the mirror folders named, the sandbox does not see /opt: setup fails and says which step', async () => {
    const { done } = await run(python, [], {
      ...MIRROR!,
      PATCHWRIGHT_SANDBOX_PATHS: '',
      PATCHWRIGHT_SANDBOX_ENV: 'PIP_INDEX_URL,PIP_FIND_LINKS,PIP_RETRIES,PIP_DEFAULT_TIMEOUT',
    });
    expect(done.outcome).toBe('setup_failed');
    expect(done.summary).toMatch(/setup step `\.venv\/bin\/pip install -e \.` failed/);
  }, 120_000);

  it('without them, setup fails and says which step', async () => {
    const { done } = await run(python, [], { ...MIRROR!, PATCHWRIGHT_SANDBOX_ENV: 'PIP_RETRIES,PIP_DEFAULT_TIMEOUT' });
    expect(done.outcome).toBe('setup_failed');
    expect(done.summary).toMatch(/setup step `\.venv\/bin\/pip install -e \.` failed/);
  }, 120_000);
});

describe('setup-only secrets', () => {
  it('a name in PATCHWRIGHT_SETUP_SECRETS reaches setup, not the agent’s commands, the tests, the model or the output', async () => {
    const token = `npm_${'s3cr3t'.repeat(6)}`;
    const files = {
      'package.json': '{"name":"x","version":"1.0.0","scripts":{"test":"node --test"}}\n',
      'test/a.test.js':
        "const test = require('node:test');\ntest('token absent', () => { if (process.env.REGISTRY_TOKEN) throw new Error('token visible to tests'); });\n",
      '.github/agent.yml':
        'setup:\n  - \'test -n "$REGISTRY_TOKEN" && echo "setup sees a token of ${#REGISTRY_TOKEN} characters: $REGISTRY_TOKEN"\'\n',
    };
    const { done, events } = await run(
      files,
      [
        {
          calls: [
            {
              name: 'shell',
              arguments: {
                command: ['bash', '-c', 'echo "agent sees [$REGISTRY_TOKEN]"; env | grep -c REGISTRY || true'],
              },
            },
          ],
        },
        { text: 'Nothing to change.' },
      ],
      {
        REGISTRY_TOKEN: token,
        PATCHWRIGHT_SETUP_SECRETS: 'REGISTRY_TOKEN',
      },
    );
    const [setup, agent] = outputs(events);
    expect(setup).toMatch(/setup sees a token of 40 characters: \[REDACTED\]/);
    expect(agent).toMatch(/agent sees \[\]\n0/);
    expect(done.evidence.baseline).toMatchObject({ exitCode: 0, failed: 0 });
    expect(out.join('')).not.toContain(token);
    expect(JSON.stringify(model.requests)).not.toContain(token);
  }, 60_000);

  it('the app’s own secrets cannot be named, and repositories cannot add names', () => {
    expect(() => readSettings({ PATCHWRIGHT_SANDBOX_ENV: 'OPENAI_API_KEY' })).toThrow(
      /OPENAI_API_KEY is one of the app's own secrets/,
    );
    expect(() => readSettings({ PATCHWRIGHT_SETUP_SECRETS: 'PRIVATE_KEY' })).toThrow(/own secrets/);
    expect(() => readSettings({ PATCHWRIGHT_SANDBOX_ENV: 'NOT A NAME' })).toThrow(/not a variable name/);
    // Only the environment sets them: the per-repository config has no such key.
    expect(fs.readFileSync('src/protocol/repo-config.ts', 'utf8')).not.toMatch(
      /sandboxEnv|setupSecrets|SANDBOX_ENV|SETUP_SECRETS/,
    );
  });
});
