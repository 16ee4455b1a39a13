import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { classifySubject } from '../../src/repo/conventions/classify-subject.ts';
import { detectCommitStyle } from '../../src/repo/conventions/commit-style.ts';
import { detectConventions } from '../../src/repo/conventions/detect-conventions.ts';
import { titleProblem } from '../../src/repo/conventions/title-style.ts';
import { corpusNames, loadHistory, squashTitles } from './title-corpus.ts';

/**
 * The title check on real histories (fixtures/commit-subjects): each team's own newest 30
 * squash-merged titles against the PR title style `inspect` reports, and other teams' titles
 * where the two styles differ. The figures go into the README.
 */
const repos = corpusNames().map((name) => {
  const history = loadHistory(name);
  return { name, style: detectConventions(os.tmpdir(), history).prTitleStyle, titles: squashTitles(history) };
});

describe('the title check on real histories', () => {
  it('accepts the teams’ own squash-merged titles and rejects other styles’ (figures for the README)', () => {
    let own = 0;
    let ownN = 0;
    let other = 0;
    let otherN = 0;
    let otherOwnStyle = 0;
    let otherOwnStyleN = 0;
    const rows: string[] = [];
    for (const a of repos) {
      if (!a.titles.length) continue;
      const ok = a.titles.filter((t) => titleProblem(a.style, t) === null).length;
      own += ok;
      ownN += a.titles.length;
      let rej = 0;
      let n = 0;
      for (const b of repos) {
        if (b === a || !b.style || !a.style || b.style.kind === a.style.kind) continue;
        for (const t of b.titles) {
          const r = titleProblem(a.style, t) !== null;
          n++;
          if (r) rej++;
          if (classifySubject(t).kind === b.style.kind) {
            otherOwnStyleN++;
            if (r) otherOwnStyle++;
          }
        }
      }
      other += rej;
      otherN += n;
      rows.push(`| ${a.name.replace('+', '/')} | ${a.style?.kind ?? '—'} | ${ok}/${a.titles.length} | ${n ? `${Math.round((100 * rej) / n)}%` : '—'} |`);
      // Every team keeps most of its own titles, whatever its mix.
      expect(ok / a.titles.length, a.name).toBeGreaterThanOrEqual(0.85);
    }
    const pct = (x: number, n: number) => `${((100 * x) / n).toFixed(1)}%`;
    console.log(`title check: own titles accepted ${own}/${ownN} (${pct(own, ownN)}); other styles rejected ${other}/${otherN} (${pct(other, otherN)}), ${pct(otherOwnStyle, otherOwnStyleN)} of those written in their own repo's main style\n${rows.join('\n')}`);
    expect(own / ownN).toBeGreaterThanOrEqual(0.95);
    // Below the 95% hoped for: mixed repositories (redux-toolkit writes 42% plain titles) accept what they write themselves.
    expect(other / otherN).toBeGreaterThanOrEqual(0.8);
  });

  it('commit-style detection is unchanged by the title tolerance: the same 16 styles', () => {
    const styles = Object.fromEntries(corpusNames().map((n) => [n, detectCommitStyle(loadHistory(n))?.kind]));
    expect(styles).toMatchObject({ 'jekyll+jekyll': 'conventional', 'golang+tools': 'component-prefix', 'fastapi+fastapi': 'gitmoji', 'prettier+prettier': 'plain' });
  });
});

describe('tolerance learned from history', () => {
  const team = (subjects: string[]) => detectCommitStyle(subjects.map((subject) => ({ subject, bot: false })), 100, { followSwitch: false });
  const mixedCase = Array.from({ length: 20 }, (_, i) => (i % 3 === 0 ? `feat: Add thing ${i}` : `fix: handle case ${i}`));

  it('casing is enforced only where the team is consistent', () => {
    expect(titleProblem(team(mixedCase), 'feat: Add a parser')).toBeNull();
    expect(titleProblem(team(mixedCase), 'fix: add a parser')).toBeNull();
    const lower = team(Array.from({ length: 20 }, (_, i) => `fix: handle case ${i}`));
    expect(titleProblem(lower, 'fix: Handle a case')).toMatch(/lower-case/);
  });

  it('the length limit is the team’s own longest title, not a fixed 100', () => {
    const long = team([...Array.from({ length: 15 }, (_, i) => `Make the scheduler handle case number ${i}`), `Make the scheduler ${'handle a very long case '.repeat(4)}`]);
    expect(titleProblem(long, `Make the parser ${'cope with long input '.repeat(4)}`.trim())).toBeNull();
    expect(titleProblem(long, 'x'.repeat(140))).toMatch(/stay under/);
  });

  it('reverts, releases and dependency bumps pass in any style; whitespace noise does not count', () => {
    const cc = team(Array.from({ length: 20 }, (_, i) => `fix(core): handle case ${i}`));
    for (const t of ['Revert "fix(core): handle case 3"', 'release parser v1.2.3', 'chore: prepare cli v2.7.2', 'Bump lodash from 4.17.20 to 4.17.21', ' fix(core): handle a case', 'fix(core):  handle  a case']) {
      expect(titleProblem(cc, t), t).toBeNull();
    }
  });

  it('a prefix the team used twice passes in a plain repository; one it never used does not', () => {
    const plain = team([...Array.from({ length: 18 }, (_, i) => `Handle case ${i}`), 'docs: fix a link', 'docs: explain options']);
    expect(titleProblem(plain, 'docs: add an example')).toBeNull();
    expect(titleProblem(plain, 'feat(api): add an endpoint')).toMatch(/plain sentences/);
  });
});
