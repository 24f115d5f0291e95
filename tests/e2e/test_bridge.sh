#!/bin/sh
# test_bridge.sh: two hosts in network namespaces, joined only through
# ixfwd bridging two emulated 82599s whose wires are veth interfaces:
#
#   [ns ixd-a] ixd-a0 ==veth== ixd-a1 [ns ixd-fwd: ixfwd] ixd-b1 ==veth== ixd-b0 [ns ixd-b]
#   198.18.0.1/24                                                  198.18.0.2/24
#
# Pings both ways, a TCP transfer whose bytes are verified, then SIGTERM
# and the final counters.  With --demo it is `make demo`: it says what it
# does and shows the traffic.
. "$(dirname "$0")/lib.sh"
[ "$1" = --demo ] && DEMO=1

FWD_NS=ixd-fwd
MB=${MB:-16}
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	for ns in ixd-a ixd-b $FWD_NS; do ip netns del $ns 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 1" INT TERM

need_root bridge
[ -x "$IXFWD" ] || { fail bridge "$IXFWD not built (make)"; exit 1; }
hugepages 64
for ns in ixd-a ixd-b $FWD_NS; do ip netns del $ns 2>/dev/null; done

say "creating namespaces ixd-a (198.18.0.1) and ixd-b (198.18.0.2), joined only through ixfwd"
ip netns add $FWD_NS
ip netns exec $FWD_NS sysctl -qw net.ipv6.conf.all.disable_ipv6=1
netns_host ixd-a ixd-a0 ixd-a1 198.18.0.1/24
netns_host ixd-b ixd-b0 ixd-b1 198.18.0.2/24

conf=$TOP/conf/examples/demo.yaml
check config_check sh -c "'$IXFWD' -t -c '$conf' | grep -qx 'configuration OK'"

say "starting: ixfwd -c conf/examples/demo.yaml (in namespace $FWD_NS)"
ip netns exec $FWD_NS "$IXFWD" -c "$conf" >"$WORK/ixfwd.out" 2>"$WORK/ixfwd.log" &
pid=$!
if ! wait_for "$WORK/ixfwd.log" "forwarding:" 30; then
	fail bridge_start "ixfwd did not start: $(tail -n 5 "$WORK/ixfwd.log" | tr '\n' ' ')"
	exit 1
fi
pass bridge_start
[ "$DEMO" = 1 ] && sed 's/^/   | /' "$WORK/ixfwd.log"

a_rx0=$(ifstat ixd-a ixd-a0 rx_packets)
b_rx0=$(ifstat ixd-b ixd-b0 rx_packets)

say "ping 198.18.0.2 from ixd-a"
if ip netns exec ixd-a ping -c 5 -i 0.2 -W 3 198.18.0.2 >"$WORK/ping1" 2>&1; then
	pass ping_a_to_b
else
	fail ping_a_to_b "$(tail -n 3 "$WORK/ping1" | tr '\n' ' ')"
fi
[ "$DEMO" = 1 ] && sed 's/^/   | /' "$WORK/ping1"

say "ping 198.18.0.1 from ixd-b, full-size frames (1500-byte IP packets, DF set)"
if ip netns exec ixd-b ping -c 5 -i 0.2 -W 3 -s 1472 -M do 198.18.0.1 >"$WORK/ping2" 2>&1; then
	pass ping_b_to_a_full_size
else
	fail ping_b_to_a_full_size "$(tail -n 3 "$WORK/ping2" | tr '\n' ' ')"
fi
[ "$DEMO" = 1 ] && sed 's/^/   | /' "$WORK/ping2"

say "TCP: sending $MB MiB of random bytes from ixd-a to ixd-b and comparing checksums"
head -c $((MB * 1024 * 1024)) /dev/urandom >"$WORK/send"
ip netns exec ixd-b nc -l 198.18.0.2 5001 >"$WORK/recv" 2>"$WORK/nc-l.err" &
ncpid=$!
sleep 0.5
start=$(date +%s.%N)
ip netns exec ixd-a timeout 60 nc -N 198.18.0.2 5001 <"$WORK/send" 2>"$WORK/nc.err"
ncrc=$?
wait $ncpid
end=$(date +%s.%N)
s1=$(sha256sum <"$WORK/send" | cut -d' ' -f1)
s2=$(sha256sum <"$WORK/recv" | cut -d' ' -f1)
if [ $ncrc -eq 0 ] && [ "$s1" = "$s2" ]; then
	pass tcp_transfer
else
	fail tcp_transfer "nc exit $ncrc, sent $(wc -c <"$WORK/send") bytes, received $(wc -c <"$WORK/recv"): $(cat "$WORK/nc.err")"
fi
[ "$DEMO" = 1 ] && awk -v s="$start" -v e="$end" -v mb="$MB" -v h="$s2" \
    'BEGIN { printf "   | %d MiB in %.2f s, sha256 %s on both sides\n", mb, e - s, h }'

a_rx1=$(ifstat ixd-a ixd-a0 rx_packets)
b_rx1=$(ifstat ixd-b ixd-b0 rx_packets)

say "stopping ixfwd with SIGTERM"
kill -TERM $pid
wait $pid
rc=$?
pid=
if [ $rc -eq 0 ]; then pass sigterm_exit_0; else fail sigterm_exit_0 "exit status $rc: $(tail -n 3 "$WORK/ixfwd.log")"; fi
[ "$DEMO" = 1 ] && { echo "== final counters"; sed 's/^/   | /' "$WORK/ixfwd.out"; }

# ixfwd's own counters: every frame received on one port was sent on the
# other or counted as dropped (a TX ring fills when the far side's kernel
# takes frames slower than the near side sends them, as on a real link
# from a fast segment to a slow one); the NICs agree with the pipeline.
ok=1; why=
for p in a b; do
	q=$([ $p = a ] && echo b || echo a)
	rx=$(counter $p rx_packets); tx=$(counter $q tx_packets)
	full=$(counter $q drop_tx_full)
	hwrx=$(counter $p hw_rx_packets); hwtx=$(counter $q hw_tx_packets)
	for k in drop_no_route drop_no_buffer hw_rx_missed hw_rx_errors; do
		v=$(counter $p $k)
		[ "$v" = 0 ] || { ok=0; why="$why $p.$k=$v"; }
	done
	[ -n "$rx" ] && [ "$rx" -eq $((tx + full)) ] ||
	    { ok=0; why="$why $p.rx=$rx $q.tx=$tx $q.drop_tx_full=$full"; }
	[ "$rx" = "$hwrx" ] || { ok=0; why="$why $p.rx=$rx $p.hw_rx=$hwrx"; }
	[ "$tx" = "$hwtx" ] || { ok=0; why="$why $q.tx=$tx $q.hw_tx=$hwtx"; }
done
[ "$(counter a rx_packets)" -gt 10000 ] 2>/dev/null || { ok=0; why="$why a.rx<=10000"; }
if [ $ok = 1 ]; then pass final_counters; else fail final_counters "$why"; fi

# The kernels agree: each namespace received exactly the frames ixfwd's
# NIC on its side sent (nothing was on the links before ixfwd started).
got_a=$((a_rx1 - a_rx0)); got_b=$((b_rx1 - b_rx0))
if [ "$got_a" = "$(counter a hw_tx_packets)" ] && [ "$got_b" = "$(counter b hw_tx_packets)" ]; then
	pass kernel_counters_agree
else
	fail kernel_counters_agree "ixd-a0 received $got_a, port a sent $(counter a hw_tx_packets); ixd-b0 received $got_b, port b sent $(counter b hw_tx_packets)"
fi
strict_check

[ "$DEMO" = 1 ] && { [ $failed = 0 ] && echo "== demo OK" || echo "== demo FAILED (logs in build/test-logs or above)"; }
exit $failed
