import path from 'node:path';
import type { RepoFiles } from './repo-files.ts';

const OTHER_FILES = ['CLAUDE.md', '.github/copilot-instructions.md'];

/**
 * Agent-instruction files, root first. In each directory AGENTS.override.md replaces AGENTS.md;
 * deeper files apply to their subtree and win over shallower ones (nearest wins).
 */
export function instructionFiles(repo: RepoFiles, files: string[]): string[] {
  const dirs = new Set<string>();
  for (const f of files) {
    const base = path.posix.basename(f);
    if (base === 'AGENTS.md' || base === 'AGENTS.override.md') dirs.add(path.posix.dirname(f));
  }
  const chain = [...dirs]
    .sort((a, b) => depth(a) - depth(b) || a.localeCompare(b))
    .map((d) => {
      const prefix = d === '.' ? '' : `${d}/`;
      return repo.exists(`${prefix}AGENTS.override.md`) ? `${prefix}AGENTS.override.md` : `${prefix}AGENTS.md`;
    });
  return [...chain, ...OTHER_FILES.filter((f) => repo.exists(f))];
}

/** The chain that applies to one path: root to nearest. */
export function instructionsFor(all: string[], filePath: string): string[] {
  const dir = path.posix.dirname(filePath);
  return all.filter((f) => {
    const d = path.posix.dirname(f);
    if (f.startsWith('.github/') || !/AGENTS/.test(f)) return true;
    return d === '.' || dir === d || dir.startsWith(`${d}/`);
  });
}

function depth(d: string): number {
  return d === '.' ? 0 : d.split('/').length;
}
