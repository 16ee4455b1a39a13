export interface ResourceLimits {
  cpuSeconds: number;
  processes: number;
  fileSizeBytes: number;
  memoryBytes: number;
}

export const defaultLimits: ResourceLimits = {
  cpuSeconds: 1800,
  processes: 4096,
  fileSizeBytes: 2 * 1024 ** 3,
  memoryBytes: 8 * 1024 ** 3,
};

/** The size of each tmpfs a sandbox has (`PATCHWRIGHT_SANDBOX_TMPFS_MB`): /dev/shm, the one it can write, and /run and /var/tmp. */
export const DEFAULT_TMPFS_BYTES = 512 * 1024 ** 2;

/** util-linux `prlimit` arguments that put the limits on the command it then execs. */
export function prlimitArgs(l: ResourceLimits): string[] {
  return [
    'prlimit',
    `--cpu=${l.cpuSeconds}`,
    `--nproc=${l.processes}`,
    `--fsize=${l.fileSizeBytes}`,
    `--data=${l.memoryBytes}`,
    '--',
  ];
}

export function toArgv(command: string[] | string): string[] {
  return typeof command === 'string' ? ['sh', '-c', command] : command;
}
