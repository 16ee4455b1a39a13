import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readLocalConfig } from '../run/local-config.ts';
import { readHistory } from '../adapters/git/read-history.ts';
import { detectConventions } from '../repo/conventions/detect-conventions.ts';
import { inspectRepo, type InspectResult } from '../repo/inspect.ts';
import { prefixLabel, titleProblem } from '../repo/conventions/title-style.ts';
import { titleReport } from '../repo/conventions/title-report.ts';
import type { RepoConfig } from '../protocol/repo-config.ts';
import type { CommitStyle } from '../repo/conventions/commit-style.ts';

/**
 * `patchwright inspect [DIR] [--json]`: what Patchwright will run in a checkout, and why.
 * `--check-title "TEXT"`: whether TEXT fits the repository's PR title style (exit 0) or why not (exit 1).
 * `--title-report`: how the check treats the team's own newest titles, now and when each was new.
 */
export async function inspectCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' }, 'check-title': { type: 'string' }, 'title-report': { type: 'boolean' } },
    allowPositionals: true,
  });
  const dir = path.resolve(positionals[0] ?? '.');
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    process.stderr.write(
      `patchwright inspect: ${dir} is not a directory (give a checkout: patchwright inspect [DIR])\n`,
    );
    return 2;
  }
  const local = readLocalConfig(dir);
  if ('error' in local) {
    process.stderr.write(`${local.error}\n`);
    return 2;
  }
  const { config } = local;
  if (values['check-title'] !== undefined) return checkTitle(dir, values['check-title'], config, values.json === true);
  if (values['title-report']) return reportTitles(dir, config, values.json === true);
  const overrides = { setup: config.setup, test: config.test, lint: config.lint };
  let result: InspectResult;
  try {
    result = inspectRepo(dir, overrides);
  } catch (error) {
    process.stderr.write(`patchwright inspect: ${(error as Error).message}\n`);
    return 2;
  }
  const { template: _full, ...conventions } = detectConventions(
    dir,
    await readHistory(dir, 'HEAD', 300, { mergedPulls: true }),
    [],
    config.branch,
    'other',
    config.conventions,
  );
  const full = { ...result, conventions };
  process.stdout.write(
    values.json ? `${JSON.stringify(full, null, 2)}\n` : render(dir, result) + renderConventions(conventions),
  );
  return 0;
}

async function checkTitle(dir: string, title: string, config: RepoConfig, json: boolean): Promise<number> {
  const { prTitleStyle: style, prTitleSource: source } = detectConventions(
    dir,
    await readHistory(dir, 'HEAD', 300, { mergedPulls: true }),
    [],
    config.branch,
    'other',
    config.conventions,
  );
  const problem = titleProblem(style, title);
  const styleText = style ? `${style.kind} (${source})` : 'no clear style';
  if (json)
    process.stdout.write(
      `${JSON.stringify({ title, fits: problem === null, problem, style: style?.kind ?? null, source, tolerance: style?.tolerance ?? null }, null, 2)}\n`,
    );
  else
    process.stdout.write(
      problem === null
        ? `fits: ${styleText}\n`
        : `does not fit: ${problem}\nstyle: ${styleText}\n${describeTolerance(style)}`,
    );
  return problem === null ? 0 : 1;
}

/** The team's own newest titles through the check: the ones it refuses, today and when each was new. */
async function reportTitles(dir: string, config: RepoConfig, json: boolean): Promise<number> {
  const history = await readHistory(dir, 'HEAD', 300, { mergedPulls: true });
  const conventions = (h: typeof history) => detectConventions(dir, h, [], config.branch, 'other', config.conventions);
  const report = titleReport(history, (h) => conventions(h).prTitleStyle);
  const { prTitleStyle: style, prTitleSource: source } = conventions(history);
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ style: style?.kind ?? null, styleSource: source, ...report }, null, 2)}\n`,
    );
    return 0;
  }
  const n = report.titles.length;
  if (!n) {
    process.stdout.write(
      'no titles to report: the history has no commits by people (not a git checkout, an empty one, or only bot commits)\n',
    );
    return 0;
  }
  const fits = (k: 'now' | 'before') => report.titles.filter((t) => t[k] === null).length;
  const refused = (k: 'now' | 'before') =>
    report.titles.filter((t) => t[k] !== null).map((t) => `  ${t.title}\n    ${t[k]}\n`);
  const what =
    report.source === 'squash-merges'
      ? 'merged PR titles'
      : 'commit subjects (too few merged PR titles in the history)';
  process.stdout.write(
    [
      `PR title style: ${style ? `${style.kind} (${source})` : 'no clear style'}\n`,
      `the newest ${n} ${what}: ${fits('now')} fit the check today; ${fits('before')} fit the check of the history before each\n`,
      ...(fits('now') < n ? ['refused today:\n', ...refused('now')] : []),
      ...(fits('before') < n ? ['refused when new (judged by the history before it):\n', ...refused('before')] : []),
    ].join(''),
  );
  return 0;
}

/** What else the history lets through, and the rules it holds, in words: so a maintainer can see what the checker thinks. */
function describeTolerance(style: CommitStyle | null): string {
  const tol = style?.tolerance;
  if (!style || !tol) return '';
  const kinds = tol.kinds.filter((k) => k !== style.kind);
  // A habit's titles keep the casing they agree on: `docs:` (lower-case).
  const cased = (key: string, label: string) =>
    tol.casingByPrefix?.[key]
      ? `${label} (${tol.casingByPrefix[key] === 'upper' ? 'capitalised' : 'lower-case'})`
      : label;
  const also = [
    ...kinds.map((k) => (k === 'plain' ? cased('', 'plain sentences') : `any ${k} title`)),
    ...(tol.prefixes.length
      ? [
          `titles starting ${tol.prefixes
            .slice(0, 12)
            .map((p) => cased(p, prefixLabel(p)))
            .join(', ')}`,
        ]
      : []),
  ];
  const casing = tol.casingByKind[style.kind];
  const rules = [
    ...(casing ? [`descriptions start ${casing === 'upper' ? 'with a capital letter' : 'lower-case'}`] : []),
    ...(tol.imperative ? ['the imperative mood'] : []),
    `at most ${tol.maxLength} characters`,
  ];
  return `${also.length ? `also fits (the team's own habits): ${also.join('; ')}\n` : ''}rules the history keeps without exception: ${rules.join('; ')}\n`;
}

function renderConventions(c: Omit<ReturnType<typeof detectConventions>, 'template'>): string {
  const describe = (style: typeof c.commitStyle) =>
    style
      ? `${style.kind}${style.types?.length ? ` (${style.types.slice(0, 5).join(', ')})` : ''}, ${style.source === 'config' ? 'stated by config' : `${Math.round(style.confidence * 100)}% of ${style.sample} recent subjects`}`
      : 'unknown (too little history)';
  const branchWhy =
    c.branchSource === 'config'
      ? 'from .github/agent.yml'
      : c.branchSource === 'merged-prs'
        ? 'as recent merged PRs'
        : 'default; merged PRs are read by the app, not here';
  return [
    `Commits:    ${describe(c.commitStyle)}`,
    `PR titles:  ${describe(c.prTitleStyle)}${c.prTitleSource === 'squash-merges' ? ', read from merged PR titles in the history' : ''}`,
    ...describeTolerance(c.prTitleStyle)
      .split('\n')
      .filter(Boolean)
      .map((l) => `            ${l}`),
    `PR template: ${c.prTemplate ? `${c.prTemplate.path} (${c.prTemplate.headings.length} headings)` : 'none'}`,
    `Issue link: ${c.prBody.closingKeyword} #N`,
    `Branches:   ${c.branchPattern} (${branchWhy})`,
    '',
  ].join('\n');
}

/** The test commands considered and not taken, with why (the whole list is in `--json`). */
function setAside(r: InspectResult): string[] {
  const aside = r.candidates.filter((c) => c.setAside);
  if (!aside.length) return [];
  const shown = aside.slice(0, 8).map((c) => `  - ${c.command}  (${c.file}:${c.line}): ${c.setAside}`);
  return [
    'Set aside:',
    ...shown,
    ...(aside.length > shown.length ? [`  ... and ${aside.length - shown.length} more (--json lists them all)`] : []),
  ];
}

function render(dir: string, r: InspectResult): string {
  const ev = (e: { file: string; line: number } | null) => (e ? `  (${e.file}:${e.line})` : '');
  const lines = [
    `Repository: ${dir}`,
    `Languages:  ${r.languages.join(', ') || 'none found'}`,
    `Packages:   ${r.packageManager ?? 'none'}`,
    `Setup:      ${r.setup.length ? r.setup.map((s, i) => `${s}${ev(r.evidence.setup[i] ?? null)}`).join('\n            ') : 'nothing'}`,
    `Test:       ${r.test ? `${r.test}${ev('file' in r.evidence.test ? r.evidence.test : null)}` : `none: ${'reason' in r.evidence.test ? r.evidence.test.reason : ''}`}`,
    ...('why' in r.evidence.test ? [`            because ${r.evidence.test.why}`] : []),
    ...setAside(r),
    `Lint:       ${r.lint ? `${r.lint}${ev(r.evidence.lint)}` : 'none'}`,
    `Toolchain:  ${r.toolchain.length ? r.toolchain.map((t) => `${t.tool} ${t.wants} (${t.file}:${t.line})`).join(', ') : 'no version asked for'}`,
    ...(r.environment.python
      ? [
          `Environment: a virtual environment in ${r.environment.python.venv}, made before setup (${r.environment.python.manager}; ${r.environment.python.file})`,
        ]
      : []),
    `Instructions: ${r.instructions.join(', ') || 'none'}`,
    ...r.warnings.map((w) => `Warning: ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}
