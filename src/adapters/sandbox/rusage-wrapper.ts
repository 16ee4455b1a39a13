import fs from 'node:fs';

/** getrusage's and close's syscall numbers where we know them; the bwrap sandbox needs both. */
const SYSCALLS: Partial<Record<NodeJS.Architecture, { getrusage: number; close: number }>> = {
  x64: { getrusage: 98, close: 3 },
  arm64: { getrusage: 165, close: 57 },
};

/**
 * The first program of every sandboxed command. It closes every descriptor it inherited but 0-2
 * and the figures' pipe (a descriptor of a host file, folder or pipe left open in the app must
 * never reach the command), runs the command as a child, waits for it, then asks the kernel for
 * RUSAGE_CHILDREN: the CPU time of the whole process tree it waited for, and the peak resident
 * size of its largest process, written to the pipe the app reads (no file: nothing the sandbox
 * could swap for a link). The command itself does not inherit that pipe. Written in Perl, which
 * every Debian system has (perl-base is essential), without modules (each costs milliseconds per
 * command); the command's exit status or signal is passed on unchanged.
 */
const SCRIPT = `
my $fig = shift @ARGV;
my @fds;
if (opendir(my $d, "/proc/self/fd")) { @fds = grep { /^\\d+$/ && $_ > 2 && $_ != $fig } readdir($d); closedir($d); }
syscall(CLOSE, $_ + 0) for @fds;
my $pid = fork();
die "fork: $!\\n" unless defined $pid;
if ($pid == 0) { syscall(CLOSE, $fig + 0); exec { $ARGV[0] } @ARGV; print STDERR "$ARGV[0]: $!\\n"; exit 127; }
1 while waitpid($pid, 0) == -1 && $!{EINTR};
my $st = $?;
my $buf = "\\0" x 256;
if (syscall(RUSAGE, -1, $buf) == 0 && open(my $f, ">&=", $fig)) {
  my @r = unpack("q5", $buf);
  syswrite($f, sprintf("%d %d\\n", ($r[0] * 1e6 + $r[1] + $r[2] * 1e6 + $r[3]) / 1000, $r[4]));
  close $f;
}
if ($st & 127) { my $sig = $st & 127; $SIG{$_} = "DEFAULT" for keys %SIG; kill $sig, $$; sleep 1; exit 128 + $sig; }
exit($st >> 8);
`;

export interface MeasuredUsage {
  cpuMs: number;
  peakRssKb: number;
}

export function perlAvailable(): boolean {
  return SYSCALLS[process.arch] !== undefined && fs.existsSync('/usr/bin/perl');
}

export class WrapperUnavailableError extends Error {
  readonly code = 'sandbox_unavailable';
}

/** The argv prefix that runs a command with only fds 0-2 and measures it; its figures go to descriptor `fd`. */
export function rusageWrapper(fd: number): string[] {
  const nr = SYSCALLS[process.arch];
  if (!nr || !perlAvailable())
    throw new WrapperUnavailableError(
      `the bwrap sandbox needs /usr/bin/perl (Debian's perl-base) and an x64 or arm64 machine; use PATCHWRIGHT_SANDBOX=docker here`,
    );
  return [
    'perl',
    '-e',
    SCRIPT.replace('RUSAGE', String(nr.getrusage)).replaceAll('CLOSE', String(nr.close)),
    String(fd),
  ];
}

/** The figures the wrapper wrote, or null (killed with its wrapper, or anything else on the pipe). */
export function parseRusage(text: string): MeasuredUsage | null {
  const m = /^(\d+) (\d+)\n?$/.exec(text);
  return m ? { cpuMs: Number(m[1]), peakRssKb: Number(m[2]) } : null;
}
