import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.ts';
import type { RunEvent } from '../../src/protocol/run-event.ts';
import { BOT_LOGIN, deliver, tempDir } from '../support/app-harness.ts';
import { startAppWithWorker } from '../support/app-with-worker.ts';
import { nodeBuggy, nodeFix } from '../support/fixture-repo.ts';
import { startGithubFake, type FakeGithub } from '../support/github-fake.ts';
import { makeRemoteRepo, startGitServer, type GitServer } from '../support/git-http-server.ts';
import { payload } from '../support/payloads.ts';
import { startScriptedModel, type ScriptedModel } from '../support/scripted-model.ts';

/**
 * Caches cannot carry code between runs, through the whole app. A model's first run adds a
 * `postinstall` script to the branch; the follow-up on that branch runs it in setup (`npm ci`),
 * which plants something in every place a package manager runs or reads config from: cargo's
 * config.toml and bin/, Gradle's init.d, corepack's shims, npm's cache, built wheels, Go's
 * extracted sources, bundler's gems. A later base run (a new issue, whose setup has the setup
 * secrets and the network) then looks in each and runs what is executable there.
 */
const TOKEN = `ghs_${crypto.randomBytes(16).toString('hex')}`;
const TAG = `PLANTED-${crypto.randomBytes(6).toString('hex')}`;
const PLACES = [
  ['cargo config', '$CARGO_HOME/config.toml'],
  ['cargo bin', '$CARGO_HOME/bin/cargo-evil'],
  ['gradle init.d', '$GRADLE_USER_HOME/init.d/evil.gradle'],
  ['corepack shim', '$COREPACK_HOME/v1/pnpm/9.0.0/bin/pnpm.js'],
  ['npm cache', '$npm_config_cache/_cacache/evil'],
  ['yarn cache', '$YARN_CACHE_FOLDER/evil'],
  ['pip wheel', '$PIP_CACHE_DIR/wheels/evil-1.0-py3-none-any.whl'],
  ['go sources', '$GOMODCACHE/evil.test/evil@v1.0.0/evil.go'],
  ['bundler gems', '$BUNDLE_PATH/ruby/3.1.0/bin/evil'],
];
const plant = PLACES.map(
  ([what, file]) =>
    `f="${file}"; mkdir -p "$(dirname "$f")" && printf '#!/bin/sh\\necho RAN-${TAG}\\n# ${TAG}\\n' > "$f" && chmod +x "$f" && echo "${TAG} written: ${what}"`,
).join('\n');
const probe = `sh -c 'for d in "$CARGO_HOME" "$GRADLE_USER_HOME" "$COREPACK_HOME" "$npm_config_cache" "$YARN_CACHE_FOLDER" "$PIP_CACHE_DIR" "$GOPATH" "$BUNDLE_PATH"; do grep -rl ${TAG} "$d" 2>/dev/null | sed "s/^/SEEN /"; find "$d" -type f -perm -u+x 2>/dev/null | while read f; do "$f"; done; done; true'`;

let git: GitServer;
let github: FakeGithub;
let model: ScriptedModel;
let server: RunningServer;
let dataDir: string;
const repository = () => ({ name: 'cached', full_name: 'octo-org/cached', clone_url: `${git.url}/cached.git` });

beforeAll(async () => {
  const root = tempDir('pw-cache-');
  makeRemoteRepo(root, 'cached', nodeBuggy);
  git = await startGitServer(root, TOKEN);
  const tmpRoot = `awk '{ if ($5 == "/tmp") print "TMP-ROOT", $4 }' /proc/self/mountinfo`;
  github = await startGithubFake({
    token: TOKEN,
    files: {
      '.github/agent.yml': `setup:\n  - npm ci\n  - ${JSON.stringify(probe)}\n  - ${JSON.stringify(tmpRoot)}\ntest: npm test\n`,
    },
  });
  const withPostinstall = `*** Begin Patch\n*** Update File: package.json\n   "scripts": {\n+    "postinstall": "sh plant.sh",\n*** Add File: plant.sh\n${plant
    .split('\n')
    .map((l) => `+${l}`)
    .join('\n')}\n*** End Patch`;
  // The verdict refuses the first run's change (it adds an install hook), and asks again: how often is the harness's
  // business, so each answer is chosen from the conversation, not from its place in a queue.
  let firstTasks = 0;
  const answer = (body: Record<string, unknown>) => {
    const said = JSON.stringify(body.input ?? body.messages);
    if (said.includes('check the install once more')) return { text: 'Nothing more to change.' };
    if (said.includes('function_call_output')) return { text: 'Fixed add.' };
    firstTasks++;
    return firstTasks === 1
      ? {
          calls: [
            { name: 'apply_patch', arguments: { input: nodeFix } },
            { name: 'apply_patch', arguments: { input: withPostinstall } },
          ],
        }
      : { calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] };
  };
  model = await startScriptedModel(
    Array.from({ length: 40 }, () => answer),
    { titles: () => 'Make add return the sum' },
  );
  dataDir = tempDir('pw-cache-data-');
  server = await startAppWithWorker(github.url, model.baseURL, undefined, undefined, {
    dataDir,
    env: { PATCHWRIGHT_SANDBOX_UID: '61162' },
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await Promise.all([git?.close(), github?.close(), model?.close()]);
});

const outputs = (jobId: number) =>
  (server.db.prepare('SELECT data FROM run_events WHERE job_id = ? ORDER BY seq').all(jobId) as Array<{ data: string }>)
    .map((r) => JSON.parse(r.data) as RunEvent)
    .flatMap((e) =>
      e.type === 'item.completed' && e.item.kind === 'command_execution'
        ? [`$ ${e.item.command}\n${e.item.output}`]
        : [],
    )
    .join('\n');

describe('a follow-up cannot plant code in the caches a later base run uses', () => {
  it('plants in every kind of place in its own setup, and the next base run neither sees nor runs any of it', async () => {
    const label = (n: number) =>
      payload('issues', 'labeled', {
        label: { name: 'agent' },
        issue: { number: n, title: 'Fix add', body: 'add(2, 3) returns -1', pull_request: undefined },
        repository: repository(),
      });
    expect((await deliver(server.url, 'issues', label(41))).status).toBe(200);
    await server.pool.idle();
    const pr = github.pulls[0]!;
    expect(pr).toBeDefined();
    const followUp = payload('issue_comment', 'created', {
      comment: { id: 4101, body: '/agent check the install once more', user: { login: 'maintainer', type: 'User' } },
      issue: {
        number: pr.number,
        title: pr.title,
        body: pr.body,
        state: 'open',
        pull_request: { url: `https://api.github.test/pulls/${pr.number}` },
        user: { login: BOT_LOGIN, type: 'Bot' },
      },
      repository: repository(),
    });
    expect((await deliver(server.url, 'issue_comment', followUp)).status).toBe(200);
    await server.pool.idle();
    expect((await deliver(server.url, 'issues', label(42))).status).toBe(200);
    await server.pool.idle();
    const [first, second, third] = server.jobs.list().sort((a, b) => a.id - b.id);
    // A change that adds an install hook is no accepted fix: setup runs it before the tests.
    expect(first!.outcome).not.toBe('succeeded');
    // Not vacuous: the follow-up's setup really ran the planted script, and wrote every kind.
    const planted = outputs(second!.id);
    for (const [what] of PLACES) expect(planted).toContain(`${TAG} written: ${what}`);
    // The first run's clean verdict ran the model's postinstall too, in a throwaway sandbox with a cache of its own:
    // what it wrote must be gone as well (checked below, with the repository's cache on disk).
    const later = outputs(third!.id);
    expect(later).toContain('$ sh -c');
    expect(later).not.toMatch(/^SEEN /m);
    expect(later).not.toMatch(new RegExp(`^RAN-${TAG}`, 'm'));
    // Each run's /tmp is a folder of its own on the data disk (not the host's /tmp).
    for (const job of [first, second, third])
      expect(outputs(job!.id)).toMatch(
        new RegExp(`^TMP-ROOT ${path.join(fs.realpathSync(dataDir), 'runs')}/job-${job!.id}-\\w+/tmp$`, 'm'),
      );
    // Nor is anything of it left where base runs read: the repository's cache on disk.
    const cacheRoot = path.join(dataDir, 'cache');
    const found = fs
      .readdirSync(cacheRoot, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && fs.readFileSync(path.join(e.parentPath, e.name), 'utf8').includes(TAG));
    expect(found.map((e) => path.join(e.parentPath, e.name))).toEqual([]);
  }, 240_000);
});
