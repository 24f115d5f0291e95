#!/bin/sh
# test_poll.sh: poll: adaptive against poll: busy on a two-port bridge of
# emulated 82599s (wires: veth pairs to two namespaces), one worker.
#
# An idle adaptive worker sleeps; what a sleep costs in CPU depends on
# the machine (about 2 us a wake-up on bare metal, ten times that in
# some virtual machines), so the idle daemon is held to 1.5 times what
# a bare loop of the same sleeps costs here, measured in the same run
# (tests/tools/sleepcost.c), plus 2% of a core for the emulator and the
# control thread.  With max_sleep 10 ms it must stay under 5% of a core
# outright, and a busy-polling worker must not pass the idle bound (so
# the test tells the two modes apart).  Traffic after an idle spell is
# forwarded, and the stats say which mode each worker runs and how much
# it slept.
. "$(dirname "$0")/lib.sh"

FWD_NS=ixp-fwd
CTL=${IXFWDCTL:-$BUILD/ixfwdctl}
SLEEPCOST=${SLEEPCOST:-$BUILD/tools/sleepcost}
HZ=$(getconf CLK_TCK)
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	for ns in ixp-a ixp-b $FWD_NS; do ip netns del $ns 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 1" INT TERM

need_root poll
[ -x "$IXFWD" ] || { fail poll "$IXFWD not built (make)"; exit 1; }
[ -x "$SLEEPCOST" ] || { fail poll "$SLEEPCOST not built (make tests)"; exit 1; }
hugepages 64
for ns in ixp-a ixp-b $FWD_NS; do ip netns del $ns 2>/dev/null; done
ip netns add $FWD_NS
ip netns exec $FWD_NS sysctl -qw net.ipv6.conf.all.disable_ipv6=1
netns_host ixp-a ixp-a0 ixp-a1 198.18.4.1/24
netns_host ixp-b ixp-b0 ixp-b1 198.18.4.2/24
S=$WORK/ctl.sock

# start NAME POLL_YAML: ixfwd with that poll: section
start() {
	cat >"$WORK/$1.yaml" <<EOT
ports:
  - { name: a, device: emulated, wire: { interface: ixp-a1 }, cpu: 0 }
  - { name: b, device: emulated, wire: { interface: ixp-b1 }, cpu: 0 }
forward:
  - { from: a, to: b }
  - { from: b, to: a }
control: { socket: "$S" }
link_timeout: 5
$(emulator_cpu_yaml)
$2
EOT
	ip netns exec $FWD_NS "$IXFWD" -c "$WORK/$1.yaml" >"$WORK/$1.out" \
	    2>"$WORK/$1.log" &
	pid=$!
	if ! wait_for "$WORK/$1.log" "forwarding:" 30; then
		fail "${1}_start" "$(tail -n 5 "$WORK/$1.log" | tr '\n' ' ')"
		exit 1
	fi
}

stop() {
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"
	pid=
}

# cpu_ticks PID: user + system clock ticks of every thread so far
cpu_ticks() {
	awk '{print $14 + $15}' "/proc/$1/stat"
}

# idle_cpu SECONDS: percent of a core the daemon used over SECONDS
idle_cpu() {
	t0=$(cpu_ticks "$pid")
	sleep "$1"
	t1=$(cpu_ticks "$pid")
	echo "$t0 $t1 $1 $HZ" | awk '{printf "%.2f", 100 * ($2 - $1) / ($3 * $4)}'
}

# worker FIELD: that field of worker 0 in ixfwdctl stats --json
worker() {
	"$CTL" -s "$S" stats --json | python3 -c "import json, sys
print(json.load(sys.stdin)['workers'][0]['$1'])"
}

# rx PORT: packets the daemon received on PORT
rx() {
	"$CTL" -s "$S" stats --json | python3 -c "import json, sys
print([p for p in json.load(sys.stdin)['ports'] if p['name'] == '$1'][0]['rx_packets'])"
}

le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

cost=$("$SLEEPCOST" 100 3 | sed -n 's/^cpu_percent=\([0-9.]*\).*/\1/p')
bound=$(awk -v c="$cost" 'BEGIN { printf "%.2f", 1.5 * c + 2 }')
echo "a loop of 100 us sleeps costs $cost% of a core here: idle bound $bound%"

# --- poll: adaptive (the default), max_sleep 100 us -----------------------
start adaptive ""
ip netns exec ixp-a ping -c 2 -i 0.2 -W 2 198.18.4.2 >/dev/null 2>&1
sleep 2
idle=$(idle_cpu 5)
echo "adaptive, idle: $idle% of a core"
if le "$idle" "$bound"; then
	pass adaptive_idle_cpu
else
	fail adaptive_idle_cpu "idle daemon used $idle% of a core, bound $bound% (sleeps cost $cost%)"
fi
mode=$(worker poll)
slept=$(worker sleep)
if [ "$mode" = adaptive ] && le 0.5 "$slept"; then
	pass adaptive_stats
else
	fail adaptive_stats "worker 0: poll $mode, asleep $slept of the last second"
fi
before=$(rx a)
if ip netns exec ixp-a ping -c 5 -i 0.2 -W 2 198.18.4.2 >"$WORK/ping" 2>&1; then
	pass adaptive_traffic_after_idle
else
	fail adaptive_traffic_after_idle "$(tail -n 2 "$WORK/ping" | tr '\n' ' ')"
fi
after=$(rx a)
if [ $((after - before)) -ge 5 ]; then
	pass adaptive_counted
else
	fail adaptive_counted "port a received $((after - before)) packets for 5 pings"
fi
stop

# --- max_sleep 10 ms: under 5% of a core on any machine -------------------
start longsleep "poll: { mode: adaptive, max_sleep: 10000 }"
ip netns exec ixp-a ping -c 2 -i 0.2 -W 2 198.18.4.2 >/dev/null 2>&1
sleep 2
idle=$(idle_cpu 5)
echo "adaptive, max_sleep 10 ms, idle: $idle% of a core"
if le "$idle" 5; then
	pass long_sleep_idle_under_5pct
else
	fail long_sleep_idle_under_5pct "idle daemon used $idle% of a core"
fi
if ip netns exec ixp-b ping -c 3 -i 0.2 -W 2 198.18.4.1 >"$WORK/ping" 2>&1; then
	pass long_sleep_traffic_after_idle
else
	fail long_sleep_traffic_after_idle "$(tail -n 2 "$WORK/ping" | tr '\n' ' ')"
fi
stop

# --- poll: busy: spins, so it must not pass the idle bound ----------------
start busy "poll: { mode: busy }"
sleep 1
busy=$(idle_cpu 3)
echo "busy, idle: $busy% of a core"
mode=$(worker poll)
if [ "$mode" = busy ] && ! le "$busy" "$bound" &&
    [ "$(worker sleep_us)" = 0 ]; then
	pass busy_spins
else
	fail busy_spins "poll $mode used $busy% of a core idle (bound $bound%), slept $(worker sleep_us) us"
fi
stop

strict_check
exit $failed
