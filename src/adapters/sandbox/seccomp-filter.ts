/**
 * A classic-BPF seccomp program for bwrap's `--seccomp FD`: the calls that change mounts,
 * namespaces, keys, kernel modules or other processes fail with EPERM; a foreign ABI (x32,
 * i386 on x86_64) is refused outright. Written here as bytes because a compiled helper
 * (libseccomp bindings) would be a native addon.
 */
const BLOCKED: Record<string, Record<string, number>> = {
  x64: {
    ptrace: 101,
    mount: 165,
    umount2: 166,
    swapon: 167,
    swapoff: 168,
    reboot: 169,
    sethostname: 170,
    setdomainname: 171,
    iopl: 172,
    ioperm: 173,
    init_module: 175,
    delete_module: 176,
    quotactl: 179,
    pivot_root: 155,
    chroot: 161,
    acct: 163,
    settimeofday: 164,
    kexec_load: 246,
    add_key: 248,
    request_key: 249,
    keyctl: 250,
    unshare: 272,
    perf_event_open: 298,
    name_to_handle_at: 303,
    open_by_handle_at: 304,
    setns: 308,
    process_vm_readv: 310,
    process_vm_writev: 311,
    finit_module: 313,
    kexec_file_load: 320,
    bpf: 321,
    userfaultfd: 323,
    io_uring_setup: 425,
    io_uring_enter: 426,
    io_uring_register: 427,
    open_tree: 428,
    move_mount: 429,
    fsopen: 430,
    fsconfig: 431,
    fsmount: 432,
    fspick: 433,
    mount_setattr: 442,
  },
  arm64: {
    ptrace: 117,
    mount: 40,
    umount2: 39,
    pivot_root: 41,
    chroot: 51,
    acct: 89,
    unshare: 97,
    kexec_load: 104,
    init_module: 105,
    delete_module: 106,
    reboot: 142,
    sethostname: 161,
    setdomainname: 162,
    quotactl: 60,
    add_key: 217,
    request_key: 218,
    keyctl: 219,
    swapon: 224,
    swapoff: 225,
    perf_event_open: 241,
    name_to_handle_at: 264,
    open_by_handle_at: 265,
    setns: 268,
    process_vm_readv: 270,
    process_vm_writev: 271,
    finit_module: 273,
    bpf: 280,
    userfaultfd: 282,
    kexec_file_load: 294,
    io_uring_setup: 425,
    io_uring_enter: 426,
    io_uring_register: 427,
    open_tree: 428,
    move_mount: 429,
    fsopen: 430,
    fsconfig: 431,
    fsmount: 432,
    fspick: 433,
    mount_setattr: 442,
  },
};

const AUDIT_ARCH: Record<string, number> = { x64: 0xc000003e, arm64: 0xc00000b7 };
/** `clone` may not make namespaces (a user namespace would hand back capabilities); `clone3` hides its flags, so it reports ENOSYS and libc falls back to `clone`. */
const CLONE: Record<string, number> = { x64: 56, arm64: 220 };
const CLONE3 = 435;
const CLONE_NEW_ANY = 0x7e020000;
const JSET_K = 0x45;
const RET_ENOSYS = 0x00050000 | 38;
const X32_BIT = 0x40000000;

const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const RET_K = 0x06;
const RET_ALLOW = 0x7fff0000;
const RET_KILL_PROCESS = 0x80000000;
const RET_EPERM = 0x00050000 | 1;

export class SeccompUnsupportedError extends Error {
  readonly code = 'seccomp_unsupported';
}

/** The names of the calls the filter refuses on this machine's architecture. */
export function blockedSyscalls(arch = process.arch): string[] {
  return Object.keys(BLOCKED[arch] ?? {});
}

/** The filter program as the kernel reads it: `struct sock_filter[]`, little-endian. */
export function seccompProgram(arch = process.arch): Buffer {
  const table = BLOCKED[arch];
  const audit = AUDIT_ARCH[arch];
  if (!table || audit === undefined)
    throw new SeccompUnsupportedError(`no seccomp filter for ${arch}; use the docker sandbox there`);
  const numbers = [...new Set(Object.values(table))].sort((a, b) => a - b);
  const ins: Array<[number, number, number, number]> = [];
  ins.push([LD_W_ABS, 0, 0, 4]); // seccomp_data.arch
  ins.push([JEQ_K, 1, 0, audit]);
  ins.push([RET_K, 0, 0, RET_KILL_PROCESS]);
  ins.push([LD_W_ABS, 0, 0, 0]); // seccomp_data.nr
  // After this: [x32 check], the blocked numbers, clone, clone3, ALLOW, EPERM, then clone's flag
  // test (load flags, test, ALLOW, EPERM) and ENOSYS. Jumps count from the next instruction.
  const n = numbers.length;
  if (arch === 'x64') ins.push([JGE_K, n + 3, 0, X32_BIT]); // -> EPERM
  numbers.forEach((nr, i) => ins.push([JEQ_K, n - i + 2, 0, nr])); // -> EPERM
  ins.push([JEQ_K, 3, 0, CLONE[arch]!]); // -> the flag test
  ins.push([JEQ_K, 6, 0, CLONE3]); // -> ENOSYS
  ins.push([RET_K, 0, 0, RET_ALLOW]);
  ins.push([RET_K, 0, 0, RET_EPERM]);
  ins.push([LD_W_ABS, 0, 0, 16]); // the low half of args[0]: clone's flags
  ins.push([JSET_K, 1, 0, CLONE_NEW_ANY]); // a namespace flag -> EPERM
  ins.push([RET_K, 0, 0, RET_ALLOW]);
  ins.push([RET_K, 0, 0, RET_EPERM]);
  ins.push([RET_K, 0, 0, RET_ENOSYS]);
  const buf = Buffer.alloc(ins.length * 8);
  ins.forEach(([code, jt, jf, k], i) => {
    buf.writeUInt16LE(code, i * 8);
    buf.writeUInt8(jt, i * 8 + 2);
    buf.writeUInt8(jf, i * 8 + 3);
    buf.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  return buf;
}

let cached: Buffer | undefined;

/** The program for this machine, made once per process: bwrap reads it from a pipe (no file to swap). */
export function seccompBytes(): Buffer {
  cached ??= seccompProgram();
  return cached;
}
