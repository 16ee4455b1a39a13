import { describe, expect, it } from 'vitest';
import { classifySubject } from '../../src/repo/conventions/classify-subject.ts';
import { detectCommitStyle } from '../../src/repo/conventions/commit-style.ts';
import { loadHistory } from './title-corpus.ts';

// Copied from shared/data/commit-subjects (real public histories, taken 2026-11-23): see title-corpus.ts.

/** Our reading of each real history (see the data's README); the target is >= 90% right. */
const EXPECTED: Record<string, string> = {
  'git+git': 'component-prefix',
  'golang+tools': 'component-prefix',
  'renovatebot+renovate': 'conventional',
  'vercel+ai': 'conventional',
  'probot+probot': 'conventional',
  'jestjs+jest': 'conventional',
  'reduxjs+redux-toolkit': 'conventional',
  'jekyll+jekyll': 'conventional',
  'fastapi+fastapi': 'gitmoji',
  'prettier+prettier': 'plain',
  'square+okhttp': 'plain',
  'ReactiveX+RxJava': 'plain',
  'sinatra+sinatra': 'plain',
  'rubocop+rubocop': 'plain',
  'pytest-dev+pytest': 'plain',
  'redis+redis': 'plain',
};

const load = loadHistory;

describe('commit style on real histories', () => {
  it('is right for at least 90% of the repositories', () => {
    const results = Object.entries(EXPECTED).map(([name, kind]) => ({
      name,
      expected: kind,
      got: detectCommitStyle(load(name))?.kind,
    }));
    const wrong = results.filter((r) => r.got !== r.expected);
    expect(wrong.length / results.length, JSON.stringify(wrong)).toBeLessThanOrEqual(0.1);
  });

  it('judges a repo that switched style lately by its present, but not a mixed repo by a lucky streak', () => {
    expect(detectCommitStyle(load('jekyll+jekyll'))?.kind).toBe('conventional');
    const plain = [
      'Fix the parser',
      'Add a flag',
      'Update docs',
      'Remove dead code',
      'Speed up startup',
      'Handle empty input',
      'Tidy tests',
    ];
    const streak = ['fix: a', 'docs: b', 'feat: c', ...plain, ...plain, ...plain].map((subject) => ({
      subject,
      bot: false,
    }));
    expect(detectCommitStyle(streak)?.kind).toBe('plain');
  });

  it('reports the types and scopes a conventional repo really uses', () => {
    const style = detectCommitStyle(load('renovatebot+renovate'))!;
    expect(style.types?.slice(0, 4)).toEqual(expect.arrayContaining(['fix', 'feat']));
    expect(style.scopes?.length).toBeGreaterThan(2);
  });
});

describe('classifySubject', () => {
  it.each([
    ['feat(api)!: drop v1', 'conventional'],
    ['fix: handle nulls', 'conventional'],
    ['net/http: fix header parsing', 'component-prefix'],
    ['mailmap: map addresses', 'component-prefix'],
    ['✨ Add frontend', 'gitmoji'],
    [':bug: Fix crash', 'gitmoji'],
    ['[ABC-123] Add login', 'ticket-prefix'],
    ['ABC-123: Add login', 'ticket-prefix'],
    ['[Fix #15590] Fix an infinite loop', 'ticket-prefix'],
    ['Fix the thing', 'plain'],
    ['Note: this is plain too', 'component-prefix'],
  ])('%s → %s', (subject, kind) => {
    expect(classifySubject(subject).kind).toBe(kind);
  });
});
