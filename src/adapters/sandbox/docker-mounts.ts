import fs from 'node:fs';
import path from 'node:path';
import { maskedGitConfig } from './git-config-mask.ts';
import {
  checkHostOnlyFile,
  ensureHostOnlyDir,
  HostOnlyError,
  openNoFollow,
  processHostDir,
  writeHostOnlyFile,
} from './host-only.ts';
import { inside, UnsafeMountError } from './mount-table.ts';
import { realOrResolved, SANDBOX_TMP, writablePaths, type SandboxLayout } from './sandbox-layout.ts';

/** One `--mount type=bind`: the engine resolves `source` on the host, so it must be a path no sandbox can write. */
export interface DockerMount {
  source: string;
  dest: string;
  readOnly: boolean;
}

/**
 * The docker backend's mounts. The engine takes paths, not descriptors, so what bwrap gets as
 * content (the masked git configs, the worktree's `.git` file) is written once into a host-only
 * folder of this sandbox's and checked unchanged before each command. The runtime itself (runc)
 * resolves destinations inside the container's root, so a link the container left in /tmp or in
 * the worktree cannot send a mount point onto the host.
 */
export function dockerMounts(
  layout: SandboxLayout,
  hostDir?: string,
): { forCommand: (stage: 'setup' | 'agent', readOnly: boolean) => DockerMount[] } {
  const own = fs.mkdtempSync(path.join(ensureHostOnlyDir(hostDir ?? processHostDir()), 'docker-'));
  ensureHostOnlyDir(own);
  const worktree = path.resolve(layout.worktree);
  const dotGitPath = path.join(worktree, '.git');
  const files: Array<{ file: string; content: string; dest: string }> = [];
  layout.readOnly.forEach((dir, n) => {
    const mask = maskedGitConfig(dir);
    if (mask)
      files.push({ file: writeHostOnlyFile(own, `config-${n}`, mask.data), content: mask.data, dest: mask.dest });
  });
  const gitLink = layout.gitLink ?? readGitFile(dotGitPath);
  if (gitLink !== null)
    files.push({ file: writeHostOnlyFile(own, 'dot-git', gitLink), content: gitLink, dest: dotGitPath });
  const gitDir = gitLink === null && fs.lstatSync(dotGitPath, { throwIfNoEntry: false })?.isDirectory();
  const writable = writablePaths(layout);
  return {
    forCommand(stage, readOnly) {
      for (const f of files) checkHostOnlyFile(f.file, f.content);
      // A checkout's own `.git` folder (the app server on a person's checkout): a real folder, checked before each command.
      if (gitDir) fs.closeSync(openNoFollow(dotGitPath, 'dir'));
      const cache = layout.privateCache ?? layout.cacheDir;
      const out: DockerMount[] = [
        { source: realOrResolved(worktree), dest: worktree, readOnly },
        ...(gitDir ? [{ source: dotGitPath, dest: dotGitPath, readOnly: true }] : []),
        { source: realOrResolved(layout.runTmp), dest: SANDBOX_TMP, readOnly: false },
        { source: realOrResolved(cache), dest: path.resolve(cache), readOnly: stage !== 'setup' },
        ...layout.readOnly
          .filter((p) => fs.existsSync(p) && path.resolve(p) !== dotGitPath)
          .map((p) => ({ source: realOrResolved(p), dest: path.resolve(p), readOnly: true })),
        ...files.map((f) => ({ source: f.file, dest: f.dest, readOnly: true })),
      ];
      for (const m of out) {
        const under = writable.find((w) => inside(m.source, w));
        if (under && m.source !== dotGitPath)
          throw new UnsafeMountError(
            `${m.source} is inside ${under}, which a sandbox can write: it cannot be a mount source`,
          );
      }
      return out;
    },
  };
}

/** A checkout's `.git` file as it is before any command ran (a linked worktree the app did not make). */
function readGitFile(p: string): string | null {
  const st = fs.lstatSync(p, { throwIfNoEntry: false });
  if (!st?.isFile() || st.size > 4096) return null;
  const fd = openNoFollow(p, 'file');
  try {
    return fs.readFileSync(fd, 'utf8');
  } catch (error) {
    throw new HostOnlyError(`cannot read ${p}: ${(error as Error).message}`);
  } finally {
    fs.closeSync(fd);
  }
}
