import type { Subject } from '../../repo/conventions/commit-style.ts';
import { git } from './run-git.ts';

const BOT = /\[bot\]|dependabot|renovate|github-actions|gopherbot|greenkeeper|snyk-bot|pre-commit-ci|allcontributors/i;

/** The newest non-merge commit subjects of `ref`, with bot authors marked. Empty when there is no history. */
export async function readHistory(dir: string, ref = 'HEAD', count = 300): Promise<Subject[]> {
  const out = await git(dir)
    .raw(['log', '-n', String(count), '--no-merges', '--format=%an%x09%ae%x09%s', ref])
    .catch(() => '');
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name = '', email = '', ...rest] = line.split('\t');
      return { subject: rest.join('\t'), bot: BOT.test(name) || BOT.test(email) };
    });
}
