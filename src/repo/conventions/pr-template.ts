import type { RepoFiles } from '../repo-files.ts';

export interface PrTemplate {
  path: string;
  headings: string[];
  text: string;
}

const NAME = /^pull_request_template\.(md|markdown|txt)$/i;

/**
 * The PR template from any standard place (`.github/`, root, `docs/`, any casing), or from a
 * `PULL_REQUEST_TEMPLATE/` folder: the one named for the kind of change, else a default one,
 * else the first.
 */
export function findPrTemplate(
  repo: RepoFiles,
  kind: 'fix' | 'feature' | 'docs' | 'other' = 'other',
): PrTemplate | null {
  for (const dir of ['.github', '.', 'docs']) {
    const name = repo.list(dir).find((f) => NAME.test(f));
    if (name) return read(repo, dir === '.' ? name : `${dir}/${name}`);
  }
  for (const dir of ['.github', '.', 'docs']) {
    const folder = repo.list(dir).find((f) => /^pull_request_template$/i.test(f));
    if (!folder) continue;
    const base = dir === '.' ? folder : `${dir}/${folder}`;
    const files = repo.list(base).filter((f) => /\.(md|markdown)$/i.test(f));
    const wanted: Record<string, RegExp> = { fix: /bug|fix/i, feature: /feat|enhancement/i, docs: /doc/i, other: /^$/ };
    const pick =
      files.find((f) => wanted[kind]!.test(f)) ??
      files.find((f) => /default|pull_request_template/i.test(f)) ??
      files[0];
    if (pick) return read(repo, `${base}/${pick}`);
  }
  return null;
}

function read(repo: RepoFiles, path: string): PrTemplate | null {
  const text = repo.read(path, 64 * 1024);
  if (text === undefined) return null;
  const headings = text
    .replace(/<!--[\s\S]*?-->/g, '')
    .split('\n')
    .filter((l) => /^#{1,6}\s+\S/.test(l))
    .map((l) => l.trim());
  return { path, headings, text };
}
