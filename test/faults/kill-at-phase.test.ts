import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultPhase } from '../../src/adapters/env/fault-point.ts';
import { deliver, tempDir } from '../support/app-harness.ts';
import { nodeBuggy, nodeFix } from '../support/fixture-repo.ts';
import { startGithubFake, type FakeGithub } from '../support/github-fake.ts';
import { makeRemoteRepo, startGitServer, type GitServer } from '../support/git-http-server.ts';
import { payload } from '../support/payloads.ts';
import { startScriptedModel, type ScriptedModel } from '../support/scripted-model.ts';
import { startServerProcess, waitFor } from './server-process.ts';

const TOKEN = `ghs_${crypto.randomBytes(16).toString('hex')}`;
let git: GitServer;
let github: FakeGithub;
let model: ScriptedModel;
let root: string;

/** A model that fixes the bug when it has not yet, and says so once it has: any attempt, any restart. */
const fixer = (body: Record<string, unknown>) => {
  const items = JSON.stringify(body.input ?? body.messages ?? '');
  return /Success\.|Done!|apply_patch/.test(items) && /function_call_output|"role":"tool"/.test(items)
    ? { text: 'Fixed add.' }
    : { calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] };
};

beforeAll(async () => {
  root = tempDir('pw-faults-');
  git = await startGitServer(root, TOKEN);
  github = await startGithubFake({ token: TOKEN });
  model = await startScriptedModel(
    Array.from({ length: 200 }, () => fixer),
    { titles: () => 'Make add return the sum' },
  );
});

afterAll(async () => {
  await Promise.all([git?.close(), github?.close(), model?.close()]);
});

const PHASES: FaultPhase[] = ['clone', 'setup', 'test', 'model', 'commit', 'push', 'pr', 'check_run'];

describe('the server process is killed at each phase of a run, then started again', () => {
  it.each(PHASES.map((p, i) => [p, 40 + i] as const))(
    'SIGKILL during %s: the job runs again once, one PR, no half-made commit, and the issue says so',
    async (phase, number) => {
      const repo = `kill-${phase.replace('_', '-')}`;
      const remote = makeRemoteRepo(root, repo, nodeBuggy);
      const dataDir = tempDir('pw-faults-data-');
      const marker = path.join(dataDir, 'paused-at');
      const label = payload('issues', 'labeled', {
        label: { name: 'agent' },
        issue: { number, title: 'add is broken', body: 'add subtracts', pull_request: undefined },
        repository: { name: repo, full_name: `octo/${repo}`, clone_url: `${git.url}/${repo}.git` },
      });

      const first = await startServerProcess({
        githubUrl: github.url,
        modelUrl: model.baseURL,
        dataDir,
        extraEnv: { PATCHWRIGHT_FAULT_PAUSE: phase, PATCHWRIGHT_FAULT_MARKER: marker },
      });
      try {
        expect((await deliver(first.url, 'issues', label)).status).toBeLessThan(300);
        await waitFor(`the run to reach ${phase}`, () => fs.existsSync(marker));
      } finally {
        await first.kill();
      }
      const pushedByFirst = remoteBranches(remote);

      const second = await startServerProcess({ githubUrl: github.url, modelUrl: model.baseURL, dataDir });
      try {
        const tracking = await waitFor(
          'the run to finish after the restart',
          () => {
            const c = [...github.comments.values()].filter((x) => x.issue === number);
            return c.length && /succeeded/.test(c.at(-1)!.body) ? c : null;
            // A hang guard, not a speed check: a whole second run on a loaded machine.
          },
          130_000,
        );
        expect(tracking).toHaveLength(1);
        expect(tracking[0]!.body).toMatch(/This was attempt 2: the app stopped while an earlier attempt was running/);
        const prs = github.pulls.filter((p) => p.body.includes(`#${number}`));
        expect(prs).toHaveLength(1);
        // The branch on the remote holds one whole commit on top of main: the fix, made by the second attempt.
        const branch = prs[0]!.head;
        expect(remoteBranches(remote)).toEqual(['main', branch].sort());
        const log = execFileSync('git', ['--git-dir', remote, 'log', '--format=%s', `main..${branch}`], {
          encoding: 'utf8',
        })
          .trim()
          .split('\n');
        expect(log).toEqual(['Make add return the sum']);
        expect(execFileSync('git', ['--git-dir', remote, 'show', `${branch}:math.js`], { encoding: 'utf8' })).toContain(
          'a + b',
        );
        expect(pushedByFirst.length).toBeLessThanOrEqual(2);
      } finally {
        expect(await second.stop()).toBe(0);
      }
    },
  );
});

function remoteBranches(gitDir: string): string[] {
  return execFileSync('git', ['--git-dir', gitDir, 'for-each-ref', '--format=%(refname:short)', 'refs/heads'], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .filter(Boolean)
    .sort();
}
