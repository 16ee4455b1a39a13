/**
 * The bridge inside a sandbox's network namespace: it listens on 127.0.0.1:PORT there and
 * carries each connection to the egress proxy's unix socket (bind-mounted in). Perl, because
 * every Debian system has perl-base; only Perl's built-in socket calls are used (no modules),
 * so it starts in a few milliseconds.
 *
 * `perl -e SCRIPT SOCKET PORT -- COMMAND...`: the listener is bound before the command starts
 * (no race), the relay is detached (a double fork: it is not a child the command could wait
 * for, and holds none of its output), and the command is exec'ed in its place, keeping its pid,
 * arguments and exit status. The relay ends within half a second of the command (it watches its
 * pid), and with the sandbox in any case (bwrap's PID namespace, the container). With `--serve`
 * instead of `--`, it only relays (the docker backend's namespace, ended by the app).
 */
export const BRIDGE_SCRIPT = String.raw`

my ($path, $port, $mode) = splice(@ARGV, 0, 3);
socket(my $l, 2, 1, 0) or die "egress bridge: socket: $!\n";
setsockopt($l, 1, 2, pack("i", 1));
bind($l, pack("S n a4 x8", 2, $port, "\x7f\0\0\1")) or die "egress bridge: cannot listen on 127.0.0.1:$port: $!\n";
listen($l, 128) or die "egress bridge: listen: $!\n";
sub alive { my ($pid) = @_; return !$pid || kill(0, $pid) || $! == 1; }
sub relay {
  my ($c, $watch) = @_;
  socket(my $u, 1, 1, 0) or return;
  connect($u, pack("S a108", 1, $path)) or return;
  my @open = (1, 1);
  my @pair = ([$c, $u], [$u, $c]);
  while ($open[0] || $open[1]) {
    my $rin = "";
    vec($rin, fileno($pair[$_][0]), 1) = 1 for grep { $open[$_] } 0, 1;
    my $n = select(my $rout = $rin, undef, undef, 5);
    next if $n < 0 && $! == 4;
    return if $n < 0 || ($n == 0 && !alive($watch));
    for my $i (grep { $open[$_] && vec($rout, fileno($pair[$_][0]), 1) } 0, 1) {
      my ($from, $to) = @{$pair[$i]};
      my $got = sysread($from, my $buf, 65536);
      if (!$got) { $open[$i] = 0; shutdown($to, 1); next; }
      for (my $off = 0; $off < $got;) { my $w = syswrite($to, $buf, $got - $off, $off); return unless $w; $off += $w; }
    }
  }
}
sub serve {
  my ($watch) = @_;
  $SIG{CHLD} = "IGNORE";
  for (;;) {
    # The command gone, the relay goes too (not only when its namespace does).
    exit 0 unless alive($watch);
    my $rin = "";
    vec($rin, fileno($l), 1) = 1;
    next unless select(my $rout = $rin, undef, undef, 0.5) > 0;
    accept(my $c, $l) or do { select(undef, undef, undef, 0.05); next; };
    my $k = fork();
    if (defined $k && $k == 0) { close $l; relay($c, $watch); exit 0; }
    close $c;
  }
}
if ($mode eq "--serve") { $| = 1; print "ready $$\n"; open(STDOUT, ">", "/dev/null"); serve(0); }
my $cmd = $$;
my $pid = fork();
die "egress bridge: fork: $!\n" unless defined $pid;
if ($pid == 0) {
  my $k = fork();
  exit(defined $k ? 0 : 1) if !defined $k || $k;
  open(STDIN, "<", "/dev/null"); open(STDOUT, ">", "/dev/null"); open(STDERR, ">", "/dev/null");
  serve($cmd);
}
waitpid($pid, 0);
close $l;
exec { $ARGV[0] } @ARGV or do { print STDERR "$ARGV[0]: $!\n"; exit 127; };
`;

/** The port the bridge listens on inside the namespace, where nothing of the host is. */
export const BRIDGE_PORT = 3128;

/** Where the proxy's socket is mounted inside a sandbox (under its own /run tmpfs). */
export const INSIDE_SOCKET = '/run/patchwright-egress/proxy.sock';

/** The argv prefix that starts the bridge and then runs the rest of the argv. */
export function bridgeArgv(socketPath: string = INSIDE_SOCKET, port: number = BRIDGE_PORT): string[] {
  return ['perl', '-e', BRIDGE_SCRIPT, socketPath, String(port), '--'];
}
