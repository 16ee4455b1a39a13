import fs from 'node:fs';
import path from 'node:path';
import type { Subject } from '../../src/repo/conventions/commit-style.ts';

/** Real commit-subject histories (fixtures/commit-subjects), newest first. */
export const CORPUS_DIR = path.resolve('fixtures/commit-subjects');

export function loadHistory(name: string): Subject[] {
  return fs
    .readFileSync(path.join(CORPUS_DIR, `${name}.tsv`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [who, ...rest] = l.split('\t');
      return { bot: who === 'bot', subject: rest.join('\t') };
    });
}

export function corpusNames(): string[] {
  return fs.readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.tsv')).map((f) => f.replace(/\.tsv$/, '')).sort();
}

/** The team's own recent PR titles: human squash-merged subjects (`... (#123)`), newest 30, suffix removed. */
export function squashTitles(history: Subject[], n = 30): string[] {
  return history
    .filter((s) => !s.bot && /\(#\d+\)\s*$/.test(s.subject))
    .map((s) => s.subject.replace(/\s*\(#\d+\)\s*$/, ''))
    .slice(0, n);
}
