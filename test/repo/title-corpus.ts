import fs from 'node:fs';
import path from 'node:path';
import type { Subject } from '../../src/repo/conventions/commit-style.ts';

/** Real commit-subject histories, newest first: the shared set (fixtures/commit-subjects) and a wider one (fixtures/commit-subjects-wide). */
export const CORPUS_DIR = path.resolve('fixtures/commit-subjects');
export const WIDE_CORPUS_DIR = path.resolve('fixtures/commit-subjects-wide');

export function loadHistory(name: string, dir = CORPUS_DIR): Subject[] {
  return fs
    .readFileSync(path.join(dir, `${name}.tsv`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [who, ...rest] = l.split('\t');
      return { bot: who === 'bot', subject: rest.join('\t') };
    });
}

export function corpusNames(dir = CORPUS_DIR): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.tsv'))
    .map((f) => f.replace(/\.tsv$/, ''))
    .sort();
}

/** The team's own recent PR titles: human squash-merged subjects (`... (#123)`), newest 30, suffix removed. */
export function squashTitles(history: Subject[], n = 30): string[] {
  return history
    .filter((s) => !s.bot && /\(#\d+\)\s*$/.test(s.subject))
    .map((s) => s.subject.replace(/\s*\(#\d+\)\s*$/, ''))
    .slice(0, n);
}
