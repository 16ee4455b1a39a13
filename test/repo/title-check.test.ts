import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifySubject, isRoutine } from '../../src/repo/conventions/classify-subject.ts';
import { detectCommitStyle, type CommitStyle, type Subject } from '../../src/repo/conventions/commit-style.ts';
import { detectConventions } from '../../src/repo/conventions/detect-conventions.ts';
import { titleProblem } from '../../src/repo/conventions/title-style.ts';
import { titleBrief } from '../../src/repo/conventions/title-brief.ts';
import { titleReport } from '../../src/repo/conventions/title-report.ts';
import { CORPUS_DIR, corpusNames, loadHistory, squashTitles, WIDE_CORPUS_DIR } from './title-corpus.ts';

/**
 * The title check on real histories: each team's own newest 30 squash-merged titles against the
 * PR title style `inspect` reports, and other teams' titles where the two main styles differ, on
 * the shared set (fixtures/commit-subjects) and a wider one (fixtures/commit-subjects-wide, 82 more
 * repositories). The figures go into the README.
 */
interface Team {
  name: string;
  style: CommitStyle | null;
  titles: string[];
  history: Subject[];
}

/** A checkout with no files: the style comes from the history alone. */
const EMPTY_CHECKOUT = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-title-check-'));
const prTitleStyle = (history: Subject[]) => detectConventions(EMPTY_CHECKOUT, history).prTitleStyle;

const teamsOf = (dir: string): Team[] =>
  corpusNames(dir)
    .map((name) => {
      const history = loadHistory(name, dir);
      return { name, style: prTitleStyle(history), titles: squashTitles(history), history };
    })
    .filter((t) => t.titles.length >= 20);

/**
 * The team's next title, as the check meets it in use: each of the newest 30 squash-merged titles
 * judged by the style of the history before it (the other figures judge them by a history that
 * includes them).
 */
function nextTitles(teams: Team[]): { ok: number; n: number; under: number } {
  let ok = 0;
  let n = 0;
  let under = 0;
  for (const team of teams) {
    const { titles } = titleReport(team.history, prTitleStyle);
    const teamOk = titles.filter((t) => t.before === null).length;
    ok += teamOk;
    n += titles.length;
    if (teamOk / titles.length < 0.95) under++;
  }
  return { ok, n, under };
}

/** Single: the team writes one kind of title; prefixes: other kinds only with the prefixes it used; mixed: another kind passes whole. */
const habitsOf = (s: CommitStyle): 'single' | 'prefixes' | 'mixed' =>
  s.tolerance!.kinds.length > 1 ? 'mixed' : s.tolerance!.prefixes.length ? 'prefixes' : 'single';

function score(teams: Team[]) {
  const fits = (style: CommitStyle | null, t: string) => titleProblem(style, t) === null;
  const own = teams.map((a) => ({
    name: a.name,
    ok: a.titles.filter((t) => fits(a.style, t)).length,
    n: a.titles.length,
  }));
  // Titles of another team written in that team's main style (not its reverts or releases), where the two main styles differ.
  const other = { single: { rejected: 0, n: 0 }, prefixes: { rejected: 0, n: 0 }, mixed: { rejected: 0, n: 0 } };
  let allRejected = 0;
  let allN = 0;
  for (const a of teams) {
    for (const b of teams) {
      if (b === a || !a.style || !b.style || a.style.kind === b.style.kind) continue;
      for (const t of b.titles) {
        allN++;
        if (!fits(a.style, t)) allRejected++;
        if (classifySubject(t).kind !== b.style.kind || isRoutine(t)) continue;
        const g = other[habitsOf(a.style)];
        g.n++;
        if (!fits(a.style, t)) g.rejected++;
      }
    }
  }
  const groups = Object.values(other);
  const rejected = groups.reduce((x, g) => x + g.rejected, 0) / groups.reduce((x, g) => x + g.n, 0);
  return { own, other, rejected, allRejected: allRejected / allN };
}

/**
 * A yardstick, not a checker: an oracle that knows each team's scored titles and accepts only its
 * main kind and the types, components or emoji that occur at least twice among them (plain
 * sentences as one key): about the least any kind-and-prefix rule must accept to keep every team
 * at 29 of 30 or better. What it rejects of other teams' main-style titles bounds such rules.
 */
function oracleRejects(teams: Team[]): number {
  const key = (t: string) => {
    const c = classifySubject(t);
    return c.kind === 'conventional'
      ? `cc:${c.type}`
      : c.kind === 'plain'
        ? 'plain'
        : `${c.kind}:${(c.prefix ?? '').toLowerCase()}`;
  };
  let rejected = 0;
  let n = 0;
  for (const a of teams) {
    const counts = new Map<string, number>();
    for (const t of a.titles) if (!isRoutine(t)) counts.set(key(t), (counts.get(key(t)) ?? 0) + 1);
    const accepted = new Set([...counts].filter(([, c]) => c >= 2).map(([k]) => k));
    for (const b of teams) {
      if (b === a || !a.style || !b.style || a.style.kind === b.style.kind) continue;
      for (const t of b.titles) {
        const c = classifySubject(t);
        if (c.kind !== b.style.kind || isRoutine(t)) continue;
        n++;
        if (c.kind !== a.style.kind && !accepted.has(key(t))) rejected++;
      }
    }
  }
  return rejected / n;
}

describe('the title check on real histories', () => {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  // The floors are regression guards under today's figures (README), not the 95% aimed for: see the README for why.
  for (const [label, dir, floor] of [
    ['shared set', CORPUS_DIR, 0.86],
    ['wider set', WIDE_CORPUS_DIR, 0.7],
  ] as const) {
    it(`${label}: every team keeps at least 95% of its own titles; other styles are rejected (figures for the README)`, () => {
      const teams = teamsOf(dir);
      const { own, other, rejected, allRejected } = score(teams);
      const next = nextTitles(teams);
      const ok = own.reduce((n, o) => n + o.ok, 0);
      const n = own.reduce((m, o) => m + o.n, 0);
      const count = (g: 'single' | 'prefixes' | 'mixed') =>
        teams.filter((t) => t.style && habitsOf(t.style) === g).length;
      const row = (g: 'single' | 'prefixes' | 'mixed') =>
        `${count(g)} teams, ${pct(other[g].rejected / other[g].n)} of ${other[g].n}`;
      console.log(
        `title check, ${label} (${teams.length} teams): own titles accepted ${ok}/${n} (${pct(ok / n)}), lowest team ${pct(Math.min(...own.map((o) => o.ok / o.n)))}; ` +
          `titles in another team's main style rejected ${pct(rejected)} (single style: ${row('single')}; other kinds only with their prefixes: ${row('prefixes')}; another kind whole: ${row('mixed')}); ` +
          `all of another team's titles rejected ${pct(allRejected)}; the oracle bound: ${pct(oracleRejects(teams))}; ` +
          `each title judged by the history before it: ${next.ok}/${next.n} accepted (${pct(next.ok / next.n)}), ${next.under} teams under 95%`,
      );
      for (const o of own) expect(o.ok / o.n, o.name).toBeGreaterThanOrEqual(0.95);
      // A team that writes one kind of title rejects every title in another style (tolerance never leaks there).
      expect(other.single.rejected / other.single.n).toBeGreaterThanOrEqual(0.99);
      // Teams whose other habits pass only with the prefixes they used still reject most other styles.
      expect(other.prefixes.rejected / other.prefixes.n).toBeGreaterThanOrEqual(0.75);
      expect(rejected).toBeGreaterThanOrEqual(floor);
      // The next title is judged by a history without it: a guard under today's 93.5-94.4%.
      expect(next.ok / next.n).toBeGreaterThanOrEqual(0.93);
    });
  }

  it('commit-style detection is unchanged by the title tolerance: the same 16 styles', () => {
    const styles = Object.fromEntries(corpusNames().map((n) => [n, detectCommitStyle(loadHistory(n))?.kind]));
    expect(styles).toMatchObject({
      'jekyll+jekyll': 'conventional',
      'golang+tools': 'component-prefix',
      'fastapi+fastapi': 'gitmoji',
      'prettier+prettier': 'plain',
    });
  });
});

describe('tolerance learned from history', () => {
  const team = (subjects: string[]) =>
    detectCommitStyle(
      subjects.map((subject) => ({ subject, bot: false })),
      100,
      { followSwitch: false },
    );
  const mixedCase = Array.from({ length: 20 }, (_, i) =>
    i % 3 === 0 ? `feat: Add thing ${i}` : `fix: handle case ${i}`,
  );

  it('casing is enforced only where the team is consistent', () => {
    expect(titleProblem(team(mixedCase), 'feat: Add a parser')).toBeNull();
    expect(titleProblem(team(mixedCase), 'fix: add a parser')).toBeNull();
    const lower = team(Array.from({ length: 20 }, (_, i) => `fix: handle case ${i}`));
    expect(titleProblem(lower, 'fix: Handle a case')).toMatch(/lower-case/);
  });

  it('the length limit is the team’s own longest title with a margin, not a fixed 100', () => {
    const long = team([
      ...Array.from({ length: 15 }, (_, i) => `Make the scheduler handle case number ${i}`),
      `Make the scheduler ${'handle a very long case '.repeat(4)}`,
    ]);
    // The longest is 114 characters: 15% more is 132.
    expect(long?.tolerance?.maxLength).toBe(132);
    expect(titleProblem(long, `Make the parser ${'cope with long input '.repeat(5)}`.trim())).toBeNull();
    expect(titleProblem(long, 'x'.repeat(140))).toMatch(/stay under 132/);
    const short = team(Array.from({ length: 15 }, (_, i) => `Handle case ${i}`));
    expect(short?.tolerance?.maxLength).toBe(83);
  });

  it('a habit keeps the casing its titles agree on; the main style needs 12 examples for a rule', () => {
    const plain = team([
      ...Array.from({ length: 18 }, (_, i) => `Handle case ${i}`),
      'docs: fix a link',
      'docs: explain options',
      'ci: Pin actions',
      'ci: run on arm',
    ]);
    expect(titleProblem(plain, 'docs: add an example')).toBeNull();
    expect(titleProblem(plain, 'docs: Add an example')).toBe(
      "start the description with a lower-case letter, as this repository's `docs:` titles do",
    );
    // Titles that disagree make no rule.
    expect(titleProblem(plain, 'ci: Cache the build')).toBeNull();
    expect(titleProblem(plain, 'ci: cache the build')).toBeNull();
    // Plain sentences in a Conventional repository: their casing too.
    const cc = team([
      ...Array.from({ length: 18 }, (_, i) => `fix(core): handle case ${i}`),
      'Modernize the CI',
      'Tidy the examples',
    ]);
    expect(titleProblem(cc, 'Add a parser option')).toBeNull();
    expect(titleProblem(cc, 'add a parser option')).toMatch(/capital letter, as this repository's plain sentences do/);
    // Five main-style titles all capitalised are not yet a rule.
    const few = team(Array.from({ length: 5 }, (_, i) => `Handle case ${i}`));
    expect(titleProblem(few, 'handle a case')).toBeNull();
  });

  it('the imperative rule knows words that only look like past tenses or gerunds', () => {
    const strict = team(Array.from({ length: 20 }, (_, i) => `Handle case ${i}`));
    for (const t of [
      'Codespeed macro integration',
      'Need a flag for X',
      'Embed the font',
      'Bring back the cache',
      'String helpers for paths',
    ])
      expect(titleProblem(strict, t), t).toBeNull();
    for (const t of ['Fixed a crash', 'Adding a flag', 'Updated the guide'])
      expect(titleProblem(strict, t), t).toMatch(/imperative/);
  });

  it('reverts, releases and dependency bumps pass in any style; whitespace noise does not count', () => {
    const cc = team(Array.from({ length: 20 }, (_, i) => `fix(core): handle case ${i}`));
    for (const t of [
      'Revert "fix(core): handle case 3"',
      'release parser v1.2.3',
      'chore: prepare cli v2.7.2',
      'Bump lodash from 4.17.20 to 4.17.21',
      ' fix(core): handle a case',
      'fix(core):  handle  a case',
    ]) {
      expect(titleProblem(cc, t), t).toBeNull();
    }
  });

  it('a rule the team breaks even once in its recent titles is no rule', () => {
    const once = team([...Array.from({ length: 19 }, (_, i) => `fix: handle case ${i}`), 'fix: Handle the odd one']);
    expect(titleProblem(once, 'fix: Handle a case')).toBeNull();
    const moods = team([...Array.from({ length: 19 }, (_, i) => `Handle case ${i}`), 'Updated the guide']);
    expect(titleProblem(moods, 'Fixed a crash')).toBeNull();
    const strict = team(Array.from({ length: 20 }, (_, i) => `Handle case ${i}`));
    expect(titleProblem(strict, 'Fixed a crash')).toMatch(/imperative/);
  });

  it('another kind of title is a habit from two on: one stray `feat:` in a plain history is not', () => {
    const plain = (extra: string[]) => team([...Array.from({ length: 20 }, (_, i) => `Handle case ${i}`), ...extra]);
    expect(titleProblem(plain(['feat: add a flag']), 'feat: add an option')).toMatch(/plain sentences/);
    expect(titleProblem(plain(['feat: add a flag', 'fix: handle a case']), 'feat: add an option')).toBeNull();
    // Only with the prefixes the team used, and `fix:` is not `fix(scope):`.
    expect(titleProblem(plain(['feat: add a flag', 'fix: handle a case']), 'docs: explain it')).toMatch(
      /plain sentences/,
    );
    expect(titleProblem(plain(['feat: add a flag', 'fix: handle a case']), 'fix(api): handle it')).toMatch(
      /plain sentences/,
    );
    // Plain sentences have no prefix to match: in a Conventional repository two of them make the habit.
    const cc = (extra: string[]) =>
      team([...Array.from({ length: 20 }, (_, i) => `fix(core): handle case ${i}`), ...extra]);
    expect(titleProblem(cc(['Modernize the CI']), 'Add a parser option')).toMatch(/Conventional Commits/);
    expect(titleProblem(cc(['Modernize the CI', 'Tidy the examples']), 'Add a parser option')).toBeNull();
  });

  it('ticket repositories: a ticket; a plain sentence only when the issue names none; not another style', () => {
    const arrow = team(Array.from({ length: 20 }, (_, i) => `GH-${100 + i}: [C++] Handle case ${i}`));
    expect(arrow?.kind).toBe('ticket-prefix');
    expect(titleProblem(arrow, 'GH-7: [Python] Add a flag')).toBeNull();
    expect(titleProblem(arrow, 'feat(python): add a flag')).toMatch(/ticket reference/);
    expect(titleProblem(arrow, 'Add a flag')).toMatch(/a plain sentence only when the issue names no ticket/);
    // `GH-N` is the GitHub issue itself: the brief names this issue's; elsewhere, no ticket means a plain sentence.
    const brief = titleBrief({ style: arrow, recent: [], issueTitle: 'Flags', kind: 'feature', issueNumber: 42 });
    expect(brief.guidance).toMatch(/ticket is GH-42: start with `GH-42: `/);
    expect(brief.problem('Add a flag')).toMatch(/start with the ticket/);
    expect(brief.repair('Add a flag', [])).toBe('GH-42: Add a flag');
    const jira = team(Array.from({ length: 20 }, (_, i) => `PAY-${100 + i}: Handle case ${i}`));
    expect(
      titleBrief({ style: jira, recent: [], issueTitle: 'Flags', kind: 'feature', issueNumber: 42 }).problem(
        'Add a flag',
      ),
    ).toBeNull();
  });

  it('the squash suffix is not part of the title; a routine title may be long, never longer than GitHub shows', () => {
    const plain = team(Array.from({ length: 20 }, (_, i) => `Handle case ${i}`));
    expect(titleProblem(plain, 'Handle a case (#123)')).toBeNull();
    expect(titleProblem(plain, `Bump rdoc to 7.2 and ${'handle more things '.repeat(4)}`)).toBeNull();
    expect(titleProblem(plain, `Bump rdoc to 7.2 and ${'handle more things '.repeat(14)}`)).toMatch(/under 256/);
  });

  it('a prefix the team used twice passes in a plain repository; one it never used does not', () => {
    const plain = team([
      ...Array.from({ length: 18 }, (_, i) => `Handle case ${i}`),
      'docs: fix a link',
      'docs: explain options',
    ]);
    expect(titleProblem(plain, 'docs: add an example')).toBeNull();
    expect(titleProblem(plain, 'feat(api): add an endpoint')).toMatch(/plain sentences/);
  });
});

describe('what a refusal says', () => {
  const team = (subjects: string[]) =>
    detectCommitStyle(
      subjects.map((subject) => ({ subject, bot: false })),
      100,
      { followSwitch: false },
    );

  it('names the other habits the team has, so a repair can use them', () => {
    const plain = team([
      ...Array.from({ length: 18 }, (_, i) => `Handle case ${i}`),
      'docs: fix a link',
      'docs: explain options',
    ]);
    expect(titleProblem(plain, 'feat(api): add an endpoint')).toBe(
      'this repository writes titles as plain sentences, without a type, emoji or component prefix (the team also writes titles starting `docs:`)',
    );
    const cc = team([
      ...Array.from({ length: 18 }, (_, i) => `fix(core): handle case ${i}`),
      '[cli] Add a flag',
      '[core] Tidy up',
    ]);
    expect(titleProblem(cc, 'Add an endpoint')).toMatch(
      /Conventional Commits.*\(the team also writes titles starting `\[component\] `\)$/,
    );
    expect(titleProblem(cc, '[api] Add an endpoint')).toBeNull();
  });
});
