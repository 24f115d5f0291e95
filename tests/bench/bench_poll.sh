#!/bin/sh
# tests/bench/bench_poll.sh: what poll: adaptive saves and costs against
# poll: busy on an idle or lightly loaded ixfwd (`make bench`, as root).
#
#	bench_poll.sh IXFWD SLEEPCOST SECONDS PINGS
#
# A two-port bridge of emulated 82599s, one worker on cpu 0, the
# emulator on cpu 1, each port's wire a veth pair to a namespace with a
# host in it.  For each mode, busy first and adaptive second:
#
#   idle	the daemon's CPU (user + system, every thread, from
#		/proc/PID/stat) over SECONDS with no traffic, in percent of
#		one core;
#   ping	PINGS pings at 0.1 s from one host to the other through
#		the bridge: median, 99th percentile (nearest rank) and
#		largest round-trip time.  At 10 packets a second an adaptive
#		worker is asleep when each one comes: the added latency is
#		its wake-up.
#
# and what a loop of 100 us timed sleeps costs here (tests/tools/
# sleepcost.c), the floor of an idle adaptive worker.  Prints bench:
# lines only; the namespaces are its own (ixb-*), not the tests'.

IXFWD=$1 SLEEPCOST=$2 SECS=${3:-10} PINGS=${4:-50}
HZ=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/ixfwd-bench-poll.XXXXXX) || exit 1
FWD_NS=ixb-fwd
pid=

cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	for ns in ixb-a ixb-b $FWD_NS; do ip netns del $ns 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 1" INT TERM

if [ "$(id -u)" -ne 0 ]; then
	echo "bench: poll skipped (needs root: network namespaces)"
	exit 0
fi
for t in ip ping; do
	command -v $t >/dev/null 2>&1 ||
	    { echo "bench: poll skipped ($t is not installed)"; exit 0; }
done
[ -x "$IXFWD" ] || { echo "bench: poll skipped ($IXFWD not built)"; exit 0; }

# netns_host NS IF PEER ADDR
. "$(dirname "$0")/../e2e/netns.sh"

for ns in ixb-a ixb-b $FWD_NS; do ip netns del $ns 2>/dev/null; done
ip netns add $FWD_NS || { echo "bench: poll skipped (ip netns add failed)"; exit 0; }
ip netns exec $FWD_NS sysctl -qw net.ipv6.conf.all.disable_ipv6=1
netns_host ixb-a ixb-a0 ixb-a1 198.18.5.1/24
netns_host ixb-b ixb-b0 ixb-b1 198.18.5.2/24

start() {
	cat >"$WORK/$1.yaml" <<EOT
ports:
  - { name: a, device: emulated, wire: { interface: ixb-a1 }, cpu: 0 }
  - { name: b, device: emulated, wire: { interface: ixb-b1 }, cpu: 0 }
bridge: { ports: [a, b], learning: true }
link_timeout: 2
emulator: { cpu: 1 }
poll: { mode: $1 }
EOT
	ip netns exec $FWD_NS "$IXFWD" -c "$WORK/$1.yaml" >"$WORK/$1.out" \
	    2>"$WORK/$1.log" &
	pid=$!
	i=0
	while ! grep -q "forwarding:" "$WORK/$1.log" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 "$pid" 2>/dev/null; then
			echo "bench: poll failed (ixfwd did not start: $(tail -n 1 "$WORK/$1.log"))"
			return 1
		fi
		sleep 0.1
	done
}

stop() {
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"
	pid=
}

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

cost=$("$SLEEPCOST" 100 3 2>/dev/null | sed -n 's/^cpu_percent=\([0-9.]*\).*/\1/p')
[ -n "$cost" ] && echo "bench: poll sleepcost sleep_us=100 cpu_percent=$cost"

for mode in busy adaptive; do
	start $mode || exit 0
	# learn both stations, then leave it idle
	ip netns exec ixb-a ping -c 3 -i 0.2 -W 2 198.18.5.2 >/dev/null 2>&1
	sleep 1
	t0=$(ticks "$pid")
	sleep "$SECS"
	t1=$(ticks "$pid")
	echo "$t0 $t1" | awk -v s="$SECS" -v hz="$HZ" -v m=$mode -v l="$(cut -d' ' -f1 /proc/loadavg)" '{
	    printf "bench: poll idle mode=%s seconds=%s cpu_percent=%.2f loadavg=%s\n",
	    m, s, 100 * ($2 - $1) / (s * hz), l }'
	ip netns exec ixb-a ping -c "$PINGS" -i 0.1 -W 2 198.18.5.2 >"$WORK/ping.$mode" 2>&1
	sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' "$WORK/ping.$mode" | sort -n |
	    awk -v m=$mode -v sent="$PINGS" '{ v[++n] = $1 } END {
		if (n == 0) { printf "bench: poll ping mode=%s failed (no reply)\n", m; exit }
		med = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		k = int(0.99 * n); if (k < 0.99 * n) k++
		printf "bench: poll ping mode=%s pings=%d replies=%d median_ms=%.3f p99_ms=%.3f max_ms=%.3f min_ms=%.3f\n",
		    m, sent, n, med, v[k], v[n], v[1] }'
	stop
done
