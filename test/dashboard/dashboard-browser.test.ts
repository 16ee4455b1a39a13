import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.ts';
import { deliver, tempDir } from '../support/app-harness.ts';
import { startAppWithWorker } from '../support/app-with-worker.ts';
import { nodeBuggy, nodeFix } from '../support/fixture-repo.ts';
import { makeRemoteRepo, startGitServer, type GitServer } from '../support/git-http-server.ts';
import { startGithubFake, type FakeGithub } from '../support/github-fake.ts';
import { startOAuthFake } from '../support/oauth-fake.ts';
import { payload } from '../support/payloads.ts';
import { startScriptedModel, type ScriptedModel } from '../support/scripted-model.ts';

/**
 * The dashboard in a real browser (Debian's chromium through playwright-core): sign in through
 * GitHub's OAuth flow (a local stand-in), see only permitted repositories, watch a running run's
 * steps arrive, stop it and see the thread get the comment, retry, approve a plan, view the diff.
 * Every page is checked with axe-core and kept as screenshots at 1280 and 360 px.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const SHOTS = path.join(ROOT, 'artifacts/dashboard');
const TOKEN = `ghs_${crypto.randomBytes(16).toString('hex')}`;
const DASH_TOKEN = `dash_${crypto.randomBytes(16).toString('hex')}`;
const CLIENT = { id: 'Iv1.test-client', secret: `secret_${crypto.randomBytes(16).toString('hex')}` };

let git: GitServer;
let github: FakeGithub;
let model: ScriptedModel;
let server: RunningServer;
let oauth: Awaited<ReturnType<typeof startOAuthFake>>;
let browser: Browser;
const gates: Array<() => void> = [];
const reached: Array<Promise<void>> = [];
/** A model step that waits until the test opens the gate (the n-th `pause`). */
function pause(then: Record<string, unknown>) {
  let hit: () => void = () => {};
  reached.push(new Promise((r) => (hit = r)));
  return () => {
    hit();
    return new Promise<never>((resolve) => gates.push(() => resolve(then as never)));
  };
}

beforeAll(async () => {
  const root = tempDir('pw-dash-');
  makeRemoteRepo(root, 'widgets', nodeBuggy);
  git = await startGitServer(root, TOKEN);
  github = await startGithubFake({ token: TOKEN });
  github.permissions.set('octo-org/widgets:alice', 'write');
  github.permissions.set('octo-org/widgets:bob', 'read');
  github.permissions.set('octo-org/hidden:alice', 'none');
  github.permissions.set('octo-org/hidden:bob', 'none');
  github.permissions.set('carol', 'none');
  oauth = await startOAuthFake(CLIENT);
  model = await startScriptedModel(
    [
      // Run 1 (#7): a plan, a look, then it thinks until the test lets it fix the bug.
      {
        calls: [
          {
            name: 'update_plan',
            arguments: {
              plan: [
                { step: 'Read math.js', status: 'completed' },
                { step: 'Fix add', status: 'in_progress' },
              ],
            },
          },
        ],
      },
      { text: 'Reading math.js.', calls: [{ name: 'shell', arguments: { command: ['cat', 'math.js'] } }] },
      pause({ calls: [{ name: 'apply_patch', arguments: { input: nodeFix } }] }),
      { text: 'Fixed add: it returns the sum now.' },
      // Run 2 (#8): never gets past its first question: the test stops it from the dashboard.
      pause({ text: 'never sent' }),
      // Run 3 (#8, the retry): asks before working, so its plan waits for approval.
      { calls: [{ name: 'ask', arguments: { question: 'Should mul use repeated addition or the * operator?' } }] },
      // Run 4 (#8, approved): done.
      { text: 'Nothing else to change.' },
      { text: 'Nothing else to change.' },
    ],
    { titles: () => 'Make add return the sum' },
  );
  server = await startAppWithWorker(github.url, model.baseURL, undefined, {
    token: DASH_TOKEN,
    oauth: { clientId: CLIENT.id, clientSecret: CLIENT.secret, webUrl: oauth.url, apiUrl: oauth.url },
    viewPermission: 'read',
    energy: { whPerCpuHour: 12, whPerThousandTokens: 0.3 },
    webUrl: 'https://github.example',
    secureCookies: false,
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
}, 60_000);

afterAll(async () => {
  if (process.env.PW_DEBUG) console.error('AFTERALL', Date.now());
  await browser?.close();
  for (const g of gates) g();
  await server?.close();
  await Promise.all([git?.close(), github?.close(), model?.close(), oauth?.close()]);
});

const label = (number: number, title: string) =>
  payload('issues', 'labeled', {
    label: { name: 'agent' },
    issue: { number, title, body: 'Please fix.', pull_request: undefined },
    repository: { clone_url: `${git.url}/widgets.git` },
  });

async function signIn(login: string): Promise<{ context: BrowserContext; page: Page }> {
  // axe-core is injected by the test: the dashboard's own CSP forbids scripts it did not serve.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  oauth.signInAs(login);
  await page.goto(`${server.url}/dashboard`);
  expect(page.url()).toMatch(/\/dashboard\/signin$/);
  await page.getByRole('link', { name: 'Sign in with GitHub' }).click();
  await page.waitForURL(/\/dashboard$/);
  return { context, page };
}

/** axe-core in the page: no serious or critical violation. */
async function accessible(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: path.join(ROOT, 'node_modules/axe-core/axe.min.js') });
  const violations = await page.evaluate(
    async () =>
      (
        await (
          globalThis as unknown as {
            axe: { run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> };
          }
        ).axe.run()
      ).violations,
  );
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${JSON.stringify(v.nodes).slice(0, 400)}`);
}

/** Screenshots at 1280 and 360 px, the page checked for text overflowing the window at 360. */
async function shots(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: path.join(SHOTS, `${name}-1280.png`), fullPage: true, timeout: 20_000 });
  await page.setViewportSize({ width: 360, height: 740 });
  await page.screenshot({ path: path.join(SHOTS, `${name}-360.png`), fullPage: true, timeout: 20_000 });
  const overflow = await page.evaluate(() => {
    const g = globalThis as unknown as { document: { documentElement: { scrollWidth: number } }; innerWidth: number };
    return g.document.documentElement.scrollWidth - g.innerWidth;
  });
  expect(overflow, `${name} is wider than a 360 px screen`).toBeLessThanOrEqual(0);
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe('the dashboard in a browser', () => {
  it('signs in with GitHub, shows permitted runs only, streams a run live, stops, retries and approves from the page', async () => {
    // A run in a repository alice may not see.
    server.jobs.enqueue('hidden-1', {
      action: 'start',
      repo: { owner: 'octo-org', name: 'hidden', cloneUrl: `${git.url}/hidden.git`, defaultBranch: 'main' },
      installationId: 1,
      number: 3,
      isPullRequest: false,
      title: 'Secret work',
      body: '',
      instructions: '',
      requester: 'dave',
      trigger: { kind: 'label', label: 'agent' },
    });
    server.pool.notify();
    await server.pool.idle();
    expect((await deliver(server.url, 'issues', label(7, 'Fix add'))).status).toBe(200);
    await reached[0];

    const signedIn = await signIn('alice');
    let page = signedIn.page;
    await expect.poll(() => page.locator('table.runs tbody tr').count()).toBe(1);
    const list = await page.locator('table.runs').innerText();
    expect(list).toContain('octo-org/widgets');
    expect(list).not.toContain('hidden');
    expect(await accessible(page)).toEqual([]);
    await shots(page, '1-runs');

    // The running run: what it did so far, then each step as it happens.
    await page.getByRole('link', { name: '#2' }).click();
    await page.getByText('Reading math.js.').waitFor();
    expect(await page.locator('ul.plan').innerText()).toMatch(/Read math\.js[\s\S]*Fix add/);
    expect(await page.locator('.phases [aria-current="step"]').innerText()).toBe('working');
    expect(await accessible(page)).toEqual([]);
    await shots(page, '2-run-live');
    // The runs list in another tab, open while the run works: it updates by itself.
    const listTab = await signedIn.context.newPage();
    await listTab.goto(`${server.url}/dashboard`);
    expect(await listTab.locator('table.runs tbody').innerText()).toContain('running');
    gates.shift()!();
    // Arrives live (then the page reloads itself when the run ends).
    await page.getByText('Fixed add: it returns the sum now.').first().waitFor({ timeout: 60_000 });
    await page.getByRole('heading', { name: 'Result' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('#diff').innerText()).toMatch(/exports\.add = \(a, b\) => a \+ b/);
    await page.getByRole('link', { name: 'Show side by side' }).click();
    expect(await page.locator('table.diff.split').count()).toBe(1);
    expect(await page.locator('table.diff.split td.code.add').count()).toBe(1);
    expect(await page.locator('table.diff.split td.code.del').count()).toBe(1);
    expect(await accessible(page)).toEqual([]);
    await shots(page, '3-run-diff');
    await server.pool.idle();
    expect(github.pulls).toHaveLength(1);
    await expect
      .poll(() => listTab.locator('table.runs tbody').innerText(), { timeout: 30_000 })
      .toContain('succeeded');
    await listTab.close();
    // The page reloads itself when the job ends, which is after the PR is noted: on a loaded machine that takes a moment.
    await expect.poll(() => page.locator('.meta').innerText(), { timeout: 30_000 }).toContain('pull request');
    // What it burned, measured by the kernel and estimated from stated factors: on the page and in the PR.
    expect(await page.locator('#h-cost').locator('..').innerText()).toMatch(
      /Compute: [\d.]+ CPU-seconds over \d+ sandboxed commands, peak \d+ MB; energy ≈ [\d.]+ Wh \(12 Wh per CPU-hour, 0\.3 Wh per 1,000 model tokens/,
    );
    expect(github.pulls[0]!.body).toMatch(
      /compute: [\d.]+ CPU-seconds over \d+ sandboxed commands, peak \d+ MB; energy ≈/,
    );

    // Run 2: stopped from the dashboard.
    expect((await deliver(server.url, 'issues', label(8, 'Add mul'))).status).toBe(200);
    await reached[1];
    const run2 = server.jobs.list().find((j) => j.number === 8)!;
    await page.goto(`${server.url}/dashboard/runs/${run2.id}`);
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => server.jobs.get(run2.id)!.state, { timeout: 30_000 }).toBe('cancelled');
    expect([...github.comments.values()].map((c) => c.body)).toContainEqual(
      expect.stringMatching(/^`\/agent stop` — stopped from the dashboard by `@alice`$/),
    );

    // Retry: a new run, said on the thread; it asks a question, so its plan waits.
    // (A fresh tab: the stopped run's page reloads itself when the run ends.)
    await page.close();
    page = await signedIn.context.newPage();
    await page.goto(`${server.url}/dashboard/runs/${run2.id}`);
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.waitForURL(/\/dashboard\/runs\/\d+$/);
    const run3 = Number(/runs\/(\d+)$/.exec(page.url())![1]);
    expect(run3).toBeGreaterThan(run2.id);
    expect([...github.comments.values()].map((c) => c.body)).toContainEqual(
      '`/agent retry` — retried from the dashboard by `@alice`',
    );
    await expect
      .poll(() => server.jobs.get(run3)!.state, {
        timeout: 60_000,
        message: JSON.stringify(server.jobs.list().map((j) => [j.id, j.action, j.state, j.outcome, j.reason])),
      })
      .toBe('done');
    expect(server.jobs.get(run3)!.outcome).toBe('needs_input');
    // The page reloads itself when the run ends: the button comes with the final state.
    await page.getByRole('button', { name: 'Approve plan' }).waitFor({ timeout: 30_000 });
    await page.waitForLoadState('load');
    await page.getByRole('button', { name: 'Approve plan' }).click();
    await page.waitForURL(/\/dashboard\/runs\/\d+$/);
    expect([...github.comments.values()].map((c) => c.body)).toContainEqual(
      '`/agent approve` — plan approved from the dashboard by `@alice`',
    );
    const run4 = server.jobs.get(Number(/runs\/(\d+)$/.exec(page.url())![1]))!;
    expect(run4.task).toMatchObject({ action: 'approve', requester: 'alice' });
    await expect.poll(() => server.jobs.get(run4.id)!.state, { timeout: 60_000 }).not.toMatch(/queued|running/);

    await page.goto(`${server.url}/dashboard/overview`);
    expect(await page.locator('.stats').innerText()).toMatch(/runs finished/);
    expect(await page.locator('svg').count()).toBeGreaterThanOrEqual(4);
    expect(await accessible(page)).toEqual([]);
    await shots(page, '4-overview');
    await page.goto(`${server.url}/dashboard/runs/${run3}`);
    await shots(page, '5-run-needs-input');

    const signin = await browser.newPage({ bypassCSP: true });
    await signin.goto(`${server.url}/dashboard/signin`);
    expect(await accessible(signin)).toEqual([]);
    await shots(signin, '0-signin');
    await signin.close();
    if (process.env.PW_DEBUG) console.error('BODY END', Date.now());
  }, 240_000);

  it('someone without permission gets 404 for the page and 403 for the buttons; cross-site posts are refused; no secret in any page or API answer', async () => {
    const runId = server.jobs.list().find((j) => j.number === 7)!.id;
    const hiddenId = server.jobs.list().find((j) => j.repo === 'octo-org/hidden')!.id;
    const { context: bob, page: bobPage } = await signIn('bob');
    // bob may read widgets: he sees the run, but its buttons are not his to press.
    expect((await bobPage.goto(`${server.url}/dashboard/runs/${runId}`))!.status()).toBe(200);
    expect(await bobPage.getByRole('button', { name: 'Retry' }).count()).toBe(0);
    const bobCsrf =
      (await bobPage
        .locator('input[name=csrf]')
        .first()
        .inputValue()
        .catch(() => '')) || 'none';
    const asBob = await bob.request.post(`${server.url}/dashboard/runs/${runId}/retry`, {
      form: { csrf: bobCsrf },
      headers: { origin: server.url },
    });
    expect(asBob.status()).toBe(403);
    expect((await bobPage.goto(`${server.url}/dashboard/runs/${hiddenId}`))!.status()).toBe(404);

    const { context: carol, page: carolPage } = await signIn('carol');
    expect(await carolPage.locator('table.runs tbody tr').count()).toBe(0);
    expect((await carolPage.goto(`${server.url}/dashboard/runs/${runId}`))!.status()).toBe(404);
    expect(
      (
        await carol.request.post(`${server.url}/dashboard/runs/${runId}/stop`, {
          form: { csrf: 'x' },
          headers: { origin: server.url },
        })
      ).status(),
    ).toBe(403);
    expect((await carol.request.get(`${server.url}/dashboard/api/runs/${runId}`)).status()).toBe(404);

    // A form on another site, with alice's cookies: refused, and nothing happened.
    const { context: alice, page: alicePage } = await signIn('alice');
    const before = server.jobs.list().length;
    await alicePage.goto(`${server.url}/dashboard/runs/${runId}`);
    const csrf = await alicePage.locator('input[name=csrf]').first().inputValue();
    expect(
      (
        await alice.request.post(`${server.url}/dashboard/runs/${runId}/retry`, {
          form: { csrf },
          headers: { origin: 'https://evil.example' },
        })
      ).status(),
    ).toBe(403);
    expect(
      (
        await alice.request.post(`${server.url}/dashboard/runs/${runId}/retry`, {
          form: { csrf: 'wrong' },
          headers: { origin: server.url },
        })
      ).status(),
    ).toBe(403);
    expect(server.jobs.list().length).toBe(before);

    // The token works for the JSON API; without it or a session, 401.
    expect((await fetch(`${server.url}/dashboard/api/runs`)).status).toBe(401);
    const api = await fetch(`${server.url}/dashboard/api/runs`, { headers: { authorization: `Bearer ${DASH_TOKEN}` } });
    const runs = (await api.json()) as {
      runs: Array<{
        id: number;
        repo: string;
        costUsd: number | null;
        compute: { cpuSeconds: number; commands: number } | null;
        energyWh: number | null;
      }>;
      total: number;
    };
    expect(runs.runs.map((r) => r.repo)).toContain('octo-org/hidden');
    const first = runs.runs.find((r) => r.id === runId)!;
    expect(first.compute!.commands).toBeGreaterThan(3);
    expect(first.energyWh).toBeGreaterThan(0);
    const detail = await (
      await fetch(`${server.url}/dashboard/api/runs/${runId}`, { headers: { authorization: `Bearer ${DASH_TOKEN}` } })
    ).text();

    const seen = [detail, JSON.stringify(runs)];
    for (const p of ['/dashboard', `/dashboard/runs/${runId}`, '/dashboard/overview', '/dashboard/signin'])
      seen.push(await (await alicePage.goto(`${server.url}${p}`))!.text());
    for (const text of seen)
      for (const secret of [TOKEN, DASH_TOKEN, CLIENT.secret, 'test-key']) expect(text).not.toContain(secret);
    await Promise.all([bob.close(), carol.close(), alice.close()]);
  }, 120_000);
});
