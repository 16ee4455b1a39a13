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
my $out = shift @ARGV;
my $pid = fork();
die "fork: $!\\n" unless defined $pid;
if ($pid == 0) { exec { $ARGV[0] } @ARGV; print STDERR "$ARGV[0]: $!\\n"; exit 127; }
1 while waitpid($pid, 0) == -1 && $!{EINTR};
my $st = $?;
my $buf = "\\0" x 256;
if (syscall(NR, -1, $buf) == 0) {
  my @r = unpack("q5", $buf);
  if (open(my $f, ">", $out)) { printf $f "%d %d\\n", ($r[0] * 1e6 + $r[1] + $r[2] * 1e6 + $r[3]) / 1000, $r[4]; close $f; }
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

/** Reads and removes the figures; null when the command left none (killed with its wrapper, or tampered with). */
export function readRusage(hostFile: string): MeasuredUsage | null {
  try {
    const m = /^(\d+) (\d+)\n?$/.exec(fs.readFileSync(hostFile, 'utf8'));
    return m ? { cpuMs: Number(m[1]), peakRssKb: Number(m[2]) } : null;
  } catch {
    return null;
  } finally {
    fs.rmSync(hostFile, { force: true });
  }
}
