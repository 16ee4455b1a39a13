import fs from 'node:fs';
import type { Mount } from './mount-table.ts';
import { HostOnlyError, openNoFollow } from './host-only.ts';

/** What a child gets on fd 3, 4, ...: content written into a pipe, an open descriptor, or a pipe the app reads. */
export type ExtraFd = { data: Uint8Array } | { fd: number } | { read: true };

export interface Rendered {
  args: string[];
  /** Descriptors from `first` on, in order. */
  fds: ExtraFd[];
  /** The descriptors this render opened: closed once the child has them. */
  opened: number[];
}

/**
 * bwrap arguments for a mount table. Sources marked `fd` are opened now, without following a link,
 * and mounted by descriptor (`--bind-fd`): what bwrap mounts is what was checked, whatever happens
 * to the path afterwards (bwrap 0.8 does resolve the descriptor's path once more: see SECURITY.md),
 * and a writable one must belong to one of `owners`. `data` travels through a pipe (`--ro-bind-data`).
 */
export function renderMounts(mounts: Mount[], first: number, owners?: number[]): Rendered {
  const args: string[] = [];
  const fds: ExtraFd[] = [];
  const opened: number[] = [];
  const next = (x: ExtraFd) => (fds.push(x), String(first + fds.length - 1));
  try {
    for (const m of mounts) {
      switch (m.op) {
        case 'bind':
        case 'ro-bind': {
          if (m.via === 'path') {
            args.push(`--${m.op}${m.optional ? '-try' : ''}`, m.source, m.dest);
            break;
          }
          if (m.optional && !fs.existsSync(m.source)) break;
          const fd = openNoFollow(m.source, m.type);
          opened.push(fd);
          // What a command writes, and the /etc it is given, belong to root, the app or the sandbox's own user.
          const owner = fs.fstatSync(fd).uid;
          if (owners && (m.op === 'bind' || m.dest === '/etc') && !owners.includes(owner))
            throw new HostOnlyError(
              `${m.source} belongs to uid ${owner}, not to the app or its sandbox user: it is not mounted`,
            );
          args.push(`--${m.op}-fd`, next({ fd }), m.dest);
          break;
        }
        case 'data':
          args.push('--perms', '0444', '--ro-bind-data', next({ data: Buffer.from(m.data) }), m.dest);
          break;
        case 'tmpfs':
          args.push('--perms', m.perms, '--size', String(m.bytes), '--tmpfs', m.dest);
          break;
        case 'dir':
          args.push('--perms', '0755', '--dir', m.dest);
          break;
        case 'symlink':
          args.push('--symlink', m.target, m.dest);
          break;
        default:
          args.push(`--${m.op}`, m.dest);
      }
    }
  } catch (error) {
    for (const fd of opened) fs.closeSync(fd);
    throw error;
  }
  return { args, fds, opened };
}
