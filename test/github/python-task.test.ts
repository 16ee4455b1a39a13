import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.ts';
import { deliver, tempDir } from '../support/app-harness.ts';
import { startAppWithWorker } from '../support/app-with-worker.ts';
import { makeRemoteRepo, startGitServer, type GitServer } from '../support/git-http-server.ts';
import { startGithubFake, type FakeGithub } from '../support/github-fake.ts';
import { payload } from '../support/payloads.ts';
import { pipMirror, PYTEST_WHEELS } from '../support/pip-mirror.ts';
import { startScriptedModel, type ScriptedModel } from '../support/scripted-model.ts';

/**
 * A Python task through the whole app as deployed on a plain Debian worker behind a package
 * mirror: a labelled issue, the GitHub fake, the real sandbox (Debian's externally managed
 * python3), pip through the mirror the deployment names. It opens its PR; a second run is
 * stopped with `/agent stop` while a Python process of the model's runs.
 */
const TOKEN = `ghs_${crypto.randomBytes(16).toString('hex')}`;
let git: GitServer;
let github: FakeGithub;
let model: ScriptedModel;
let server: RunningServer;
let remote: string;

const project = {
  'pyproject.toml':
    '[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "pycalc"\nversion = "0.1.0"\n\n[project.optional-dependencies]\ntest = ["pytest"]\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
  'src/pycalc/__init__.py': 'def add(a, b):\n    return a - b\n',
  'tests/test_add.py':
    'from pycalc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\ndef test_zero():\n    assert add(0, 0) == 0\n',
  '.gitignore': '*.egg-info/\n',
};

beforeAll(async () => {
  const root = tempDir('pw-py-e2e-');
  remote = makeRemoteRepo(root, 'pycalc', project);
  git = await startGitServer(root, TOKEN);
  github = await startGithubFake({ token: TOKEN });
  const mirror = pipMirror(PYTEST_WHEELS);
  model = await startScriptedModel(
    [
      {
        calls: [
          {
            name: 'apply_patch',
            arguments: {
              input:
                '*** Begin Patch\n*** Update File: src/pycalc/__init__.py\n-    return a - b\n+    return a + b\n*** End Patch',
            },
          },
        ],
      },
      { text: 'add now adds.' },
      {
        calls: [
          {
            name: 'shell',
            arguments: { command: ['python', '-c', 'import time; print("working", flush=True); time.sleep(120)'] },
          },
        ],
      },
    ],
    { titles: () => 'Make add return the sum' },
  );
  // This suite's own host users when root (see AGENTS.md): 61190 for jobs, 61191 for app-server turns.
  server = await startAppWithWorker(github.url, model.baseURL, undefined, undefined, {
    env: {
      PATCHWRIGHT_SANDBOX_UID: '61190',
      PATCHWRIGHT_PIP_CONFIG: mirror.config,
      PATCHWRIGHT_SANDBOX_PATHS: mirror.root,
    },
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await Promise.all([git?.close(), github?.close(), model?.close()]);
});

const issue = (number: number, title: string) => ({
  number,
  title,
  body: 'add(2, 3) returns -1.',
  pull_request: undefined,
  user: { login: 'maintainer', type: 'User' },
});
const repository = () => ({ clone_url: `${git.url}/pycalc.git` });

it('a labelled issue on a Python package → setup in a virtual environment through the mirror, tests fixed, one PR', async () => {
  expect(
    (
      await deliver(
        server.url,
        'issues',
        payload('issues', 'labeled', {
          label: { name: 'agent' },
          issue: issue(7, 'Fix add'),
          repository: repository(),
        }),
      )
    ).status,
  ).toBe(200);
  await server.pool.idle();
  const [job] = server.jobs.list();
  expect([job?.state, job?.outcome]).toEqual(['done', 'succeeded']);
  expect(github.pulls).toHaveLength(1);
  const pr = github.pulls[0]!;
  expect(pr).toMatchObject({ head: 'agent/7-fix-add', draft: false });
  expect(pr.body).toContain(
    "Setup: `python3 -m venv .venv && echo '*' > .venv/.gitignore`, `python -m pip install -e .[test]`",
  );
  expect(pr.body).toContain('Test command: `python -m pytest`');
  expect(pr.body).toMatch(/Before the change: passed 1, failed 1/);
  expect(pr.body).toMatch(/After the change: passed 2, failed 0/);
  // What was pushed is the fix: no virtual environment, no build leftovers.
  expect(
    execFileSync('git', ['diff', '--name-only', 'main', 'agent/7-fix-add'], { cwd: remote, encoding: 'utf8' }).trim(),
  ).toBe('src/pycalc/__init__.py');
  expect(github.checkRuns.at(-1)).toMatchObject({ conclusion: 'success' });
}, 240_000);

it('/agent stop while the model’s Python process runs → cancelled within seconds, nothing pushed, the thread says who stopped it', async () => {
  const requestsBefore = model.requests.length;
  expect(
    (
      await deliver(
        server.url,
        'issues',
        payload('issues', 'labeled', {
          label: { name: 'agent' },
          issue: issue(12, 'Slow thing'),
          repository: repository(),
        }),
      )
    ).status,
  ).toBe(200);
  // The model's first request comes after setup and the baseline: the run is at its Python process then.
  await vi.waitFor(() => expect(model.requests.length).toBeGreaterThan(requestsBefore), {
    timeout: 180_000,
    interval: 100,
  });
  await new Promise((r) => setTimeout(r, 500));
  const stop = payload('issue_comment', 'created', {
    comment: { id: 7212, body: '/agent stop', user: { login: 'maintainer', type: 'User' } },
    issue: issue(12, 'Slow thing'),
    repository: repository(),
  });
  const t = Date.now();
  expect((await deliver(server.url, 'issue_comment', stop)).status).toBe(200);
  await server.pool.idle();
  expect(Date.now() - t).toBeLessThan(20_000);
  expect(
    server.jobs
      .list()
      .filter((j) => j.number === 12)
      .map((j) => [j.state, j.outcome]),
  ).toEqual([['cancelled', 'cancelled']]);
  expect(() =>
    execFileSync('git', ['rev-parse', '--verify', 'agent/12-slow-thing'], { cwd: remote, stdio: 'pipe' }),
  ).toThrow();
  const tracking = [...github.comments.values()].filter((c) => c.issue === 12);
  expect(tracking).toHaveLength(1);
  expect(tracking[0]!.body).toMatch(/cancelled[\s\S]*stopped by `?@maintainer/);
  expect(github.pulls).toHaveLength(1);
}, 240_000);
