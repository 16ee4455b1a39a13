import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { evalCommand } from '../../src/cli/eval-command.ts';
import { evalPage } from '../../src/dashboard/eval-page.ts';
import { EvalReport } from '../../src/protocol/eval.ts';
import { tempDir } from '../support/app-harness.ts';
import { cloneHistory, TOMLI_QUICK_CONFIG } from '../support/real-history.ts';
import { replayScript, type Replay } from '../support/replay-model.ts';
import { startScriptedModel } from '../support/scripted-model.ts';

/**
 * `patchwright eval`'s report on `patchwright dashboard` (a real process on the data dir a real
 * eval wrote), in Debian's chromium: the list, the report with its charts, a run's own page;
 * axe-core on each page, screenshots at 1280 and 360 px in artifacts/dashboard/.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const SHOTS = path.join(ROOT, 'artifacts/dashboard');
const SANDBOX_UID = '61203';
let dataDir: string;
let report: EvalReport;
let url: string;
let child: ChildProcess;
let browser: Browser;

beforeAll(async () => {
  dataDir = tempDir('pw-eval-dash-');
  const repo = cloneHistory('hukkin+tomli', TOMLI_QUICK_CONFIG);
  const models: Record<string, Replay> = { 'gpt-5': 'code', 'gpt-5-mini': 'empty' };
  const model = await startScriptedModel(replayScript(repo, (m) => models[m] ?? 'empty'));
  const out: string[] = [];
  const spy = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((c: string | Uint8Array) => (out.push(String(c)), true));
  const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const env = {
    ...process.env,
    OPENAI_BASE_URL: model.baseURL,
    OPENAI_API_KEY: 'test-key',
    PATCHWRIGHT_MODEL: 'gpt-5',
    PATCHWRIGHT_DATA_DIR: dataDir,
    PATCHWRIGHT_SANDBOX_UID: SANDBOX_UID,
  };
  const code = await evalCommand(
    [repo, '--from-history', '2', '--model', 'gpt-5', '--model', 'gpt-5-mini', '--json'],
    env,
  ).finally(() => (spy.mockRestore(), quiet.mockRestore()));
  await model.close();
  expect(code).toBe(0);
  report = EvalReport.parse(JSON.parse(out.join('')));
  child = spawn(path.join(ROOT, 'node_modules/.bin/node'), ['bin/patchwright.js', 'dashboard', '--port', '0'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  url = await new Promise<string>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)\/dashboard/.exec(err);
      if (m) resolve(m[1]!);
    });
    child.once('exit', () => reject(new Error(err)));
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  child?.kill();
});

async function accessible(page: import('playwright-core').Page): Promise<string[]> {
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

async function shots(page: import('playwright-core').Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
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

describe('the eval report on patchwright dashboard', () => {
  it('the JSON API gives the list and the very report the eval wrote', async () => {
    const list = (await (await fetch(`${url}/dashboard/api/evals`)).json()) as {
      evals: Array<{ key: string; repo: { name: string }; byModel: Array<{ model: string; resolved: number }> }>;
    };
    expect(list.evals).toHaveLength(1);
    expect(list.evals[0]!.byModel.map((m) => [m.model, m.resolved])).toEqual([
      ['gpt-5', 2],
      ['gpt-5-mini', 0],
    ]);
    const one = await (await fetch(`${url}/dashboard/api/evals/${list.evals[0]!.key}`)).json();
    expect(EvalReport.parse(one)).toEqual(report);
    expect((await fetch(`${url}/dashboard/api/evals/no-such-eval`)).status).toBe(404);
    expect((await fetch(`${url}/dashboard/evals/...`)).status).toBe(404);
  });

  it('in chromium: the list, the report’s charts and tables, a run’s own page; accessible, readable on a phone', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${url}/dashboard`);
    await page.getByRole('link', { name: 'Evals' }).click();
    await page.waitForURL(/\/dashboard\/evals$/);
    expect(await accessible(page)).toEqual([]);
    await shots(page, 'evals');
    await page.getByRole('link', { name: report.repo.name }).click();
    await page.waitForURL(/\/dashboard\/evals\/[\w.-]+$/);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toMatch(
      /^Eval of .* at [0-9a-f]{10}$/,
    );
    // The charts: resolved by model, and how the runs ended; each bar segment says what it is.
    const resolved = page.getByRole('img', { name: 'Runs resolved, by model' });
    await expect(resolved.locator('rect title').allTextContents()).resolves.toEqual([
      'gpt-5: 2 resolved',
      'gpt-5-mini: 2 unresolved',
    ]);
    const ended = page.getByRole('img', { name: 'How the runs ended (outcome), by model' });
    await expect(ended.locator('rect title').allTextContents()).resolves.toEqual([
      'gpt-5: 2 tests failing',
      'gpt-5-mini: 2 no changes',
    ]);
    await expect(page.locator('.stats').textContent()).resolves.toMatch(
      /100%\s*resolved by gpt-5 \(2 of 2 runs\)[\s\S]*0%\s*resolved by gpt-5-mini/,
    );
    await expect(
      page.getByRole('table', { name: 'Every run, task by task' }).locator('tbody tr').count(),
    ).resolves.toBe(4);
    expect(await accessible(page)).toEqual([]);
    await shots(page, 'eval-report');
    // A run's outcome links to its own page: the whole transcript of that run.
    await page
      .getByRole('table', { name: 'Every run, task by task' })
      .locator('tbody tr')
      .first()
      .getByRole('link')
      .click();
    await page.waitForURL(/\/dashboard\/runs\/\d+$/);
    await expect(page.locator('main').textContent()).resolves.toContain(
      'TOML 1.1: Make seconds optional in Date-Time and Time',
    );
    await context.close();
  }, 300_000);

  it('text from the history is text on the page', () => {
    const hostile = {
      ...report,
      tasks: report.tasks.map((t) => ({ ...t, subject: '<img src=x onerror=alert(1)>' })),
      candidates: {
        ...report.candidates,
        skipped: [{ sha: 'abc', subject: '<script>x</script>', code: 'no_code', message: '"><b>' }],
      },
    };
    const page = evalPage(hostile).text;
    expect(page).not.toMatch(/<img src=x|<script>x|"><b>/);
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
