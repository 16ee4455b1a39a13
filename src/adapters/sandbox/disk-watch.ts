import fs from 'node:fs';

export const DEFAULT_MIN_FREE_BYTES = 1024 ** 3;
export const DEFAULT_MIN_FREE_INODES = 100_000;

export interface DiskFloor {
  bytes: number;
  inodes: number;
}

/**
 * Why a command must stop because a disk it writes to (the worktree's, the run's temp dir's, the
 * cache's in setup) is nearly full, in bytes or in inodes, or null. A file system that does not
 * count inodes (btrfs says 0) is held to bytes only.
 */
export function diskTooFull(dirs: string[], floor: DiskFloor): string | null {
  for (const dir of dirs) {
    let s: fs.StatsFs;
    try {
      s = fs.statfsSync(dir);
    } catch {
      continue;
    }
    const free = s.bavail * s.bsize;
    if (free < floor.bytes)
      return `the disk has ${Math.round(free / 1024 ** 2)} MB free, below the ${Math.round(floor.bytes / 1024 ** 2)} MB the host keeps`;
    if (s.files > 0 && s.ffree < floor.inodes)
      return `the disk has ${s.ffree} inodes free, below the ${floor.inodes} the host keeps`;
  }
  return null;
}
