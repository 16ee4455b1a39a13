import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** getrusage's syscall number where we know it; elsewhere commands run unmeasured. */
const SYS_GETRUSAGE: Partial<Record<NodeJS.Architecture, number>> = { x64: 98, arm64: 165 };

/**
 * Runs the command as a child, waits for it, then asks the kernel for RUSAGE_CHILDREN: the CPU
 * time of the whole process tree it waited for, and the peak resident size of its largest
 * process. Written with Perl, which every Debian system has (perl-base is essential); the
 * command's exit status or signal is passed on unchanged.
 */
const SCRIPT = `
use Fcntl;
my $out = shift @ARGV;
my $pid = fork();
die "fork: $!\\n" unless defined $pid;
if ($pid == 0) { exec { $ARGV[0] } @ARGV; print STDERR "$ARGV[0]: $!\\n"; exit 127; }
1 while waitpid($pid, 0) == -1 && $!{EINTR};
my $st = $?;
my $buf = "\\0" x 256;
if (syscall(NR, -1, $buf) == 0) {
  my @r = unpack("q5", $buf);
  if (sysopen(my $f, $out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600)) { printf $f "%d %d\\n", ($r[0] * 1e6 + $r[1] + $r[2] * 1e6 + $r[3]) / 1000, $r[4]; close $f; }
}
if ($st & 127) { my $sig = $st & 127; $SIG{$_} = "DEFAULT" for keys %SIG; kill $sig, $$; sleep 1; exit 128 + $sig; }
exit($st >> 8);
`;

export interface MeasuredUsage {
  cpuMs: number;
  peakRssKb: number;
}

export function perlAvailable(): boolean {
  return SYS_GETRUSAGE[process.arch] !== undefined && fs.existsSync('/usr/bin/perl');
}

/** The argv prefix that measures a command, and where its figures land (inside and outside the sandbox). */
export function rusageWrapper(insideTmp: string, hostTmp: string): { argv: string[]; hostFile: string } | null {
  const nr = SYS_GETRUSAGE[process.arch];
  if (nr === undefined || !perlAvailable()) return null;
  const name = `.pw-rusage-${crypto.randomBytes(6).toString('hex')}`;
  return { argv: ['perl', '-e', SCRIPT.replace('NR', String(nr)), path.posix.join(insideTmp, name)], hostFile: path.join(hostTmp, name) };
}

/**
 * Reads and removes the figures; null when the command left none (killed with its wrapper) or
 * left something else there. The sandbox can write its /tmp and read the file's name from the
 * wrapper's command line: a link (to a host file), a FIFO (that would block this read forever) or a
 * huge file planted at that path is refused unread.
 */
export function readRusage(hostFile: string): MeasuredUsage | null {
  let fd: number | null = null;
  try {
    fd = fs.openSync(hostFile, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size > 64) return null;
    const buf = Buffer.alloc(64);
    const n = fs.readSync(fd, buf, 0, 64, 0);
    const m = /^(\d+) (\d+)\n?$/.exec(buf.subarray(0, n).toString('utf8'));
    return m ? { cpuMs: Number(m[1]), peakRssKb: Number(m[2]) } : null;
  } catch {
    return null;
  } finally {
    if (fd !== null) fs.closeSync(fd);
    fs.rmSync(hostFile, { force: true, recursive: true });
  }
}
