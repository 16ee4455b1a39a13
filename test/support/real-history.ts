import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './app-harness.ts';

/**
 * A checkout of a real repository's few commits kept in `fixtures/real-history/` (see its
 * README), with `.github/agent.yml` in the working copy when given (a user's own settings: not
 * committed, so not part of the history an eval reads).
 */
export function cloneHistory(name: string, agentYml?: string): string {
  const dir = path.join(tempDir('pw-history-'), name.replace('+', '-'));
  execFileSync('git', ['clone', '-q', path.resolve(`fixtures/real-history/${name}.bundle`), dir], { stdio: 'ignore' });
  if (agentYml) {
    fs.mkdirSync(path.join(dir, '.github'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.github', 'agent.yml'), agentYml);
  }
  return dir;
}

/** The commit of the first-parent line whose subject (or merged branch's subject) matches. */
export function shaOf(dir: string, subject: RegExp): string {
  const git = (...a: string[]) => execFileSync('git', a, { cwd: dir, encoding: 'utf8' });
  for (const sha of git('rev-list', '--first-parent', 'HEAD').split('\n').filter(Boolean)) {
    const text = git('log', '-1', '--format=%B', sha) + git('log', '--format=%s', `${sha}^1..${sha}`);
    if (subject.test(text)) return sha;
  }
  throw new Error(`no commit of ${dir} matches ${subject}`);
}

/** tomli's tests need only its `src/` on the path; nothing to install. */
export const TOMLI_CONFIG = 'setup: []\ntest: "PYTHONPATH=src python -m unittest"\n';
/** The same, without verification rounds: a right fix fails tomli's old tests, so each round only reruns them (for tests about other things). */
export const TOMLI_QUICK_CONFIG = `${TOMLI_CONFIG}verificationRounds: 0\n`;
/** more-itertools' tests import the package from the checkout; nothing to install. */
export const MORE_ITERTOOLS_CONFIG = 'setup: []\n';
