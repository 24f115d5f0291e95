#!/bin/sh
# test_learning_bridge.sh: three hosts in network namespaces on a 3-port
# learning bridge of emulated 82599s.  After a ping has taught the bridge
# where h1 and h2 are, unicast between them goes only to the learned port
# (h3's port sends nothing, nothing is flooded); entries age out; a
# station that moves to another port is learned again at once; one that
# flaps between two ports is warned of.
. "$(dirname "$0")/lib.sh"

FWD_NS=ixl-fwd
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	for ns in ixl-h1 ixl-h2 ixl-h3 $FWD_NS; do ip netns del $ns 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 1" INT TERM

need_root learning_bridge
[ -x "$IXFWD" ] || { fail learning_bridge "$IXFWD not built (make)"; exit 1; }
hugepages 64
for ns in ixl-h1 ixl-h2 ixl-h3 $FWD_NS; do ip netns del $ns 2>/dev/null; done
ip netns add $FWD_NS
ip netns exec $FWD_NS sysctl -qw net.ipv6.conf.all.disable_ipv6=1
for i in 1 2 3; do
	netns_host ixl-h$i ixl-h${i}0 ixl-p$i 198.18.2.$i/24
done
# Static neighbours: no ARP at all, so every frame on the bridge is one
# the test sent, and a silent station really is silent.
for i in 1 2 3; do
	for j in 1 2 3; do
		[ $i = $j ] && continue
		mac=$(ip netns exec ixl-h$j cat /sys/class/net/ixl-h${j}0/address)
		ip netns exec ixl-h$i ip neigh replace 198.18.2.$j lladdr "$mac" \
		    nud permanent dev ixl-h${i}0
	done
done

AGING=3
cat >"$WORK/ixfwd.yaml" <<EOT
ports:
  - { name: p1, device: emulated, wire: { interface: ixl-p1 }, cpu: 0 }
  - { name: p2, device: emulated, wire: { interface: ixl-p2 }, cpu: 0 }
  - { name: p3, device: emulated, wire: { interface: ixl-p3 }, cpu: 0 }
bridge:
  ports: [p1, p2, p3]
  learning: true
  aging: $AGING
$(emulator_cpu_yaml)
EOT
check bridge_config_check sh -c "'$IXFWD' -t -c '$WORK/ixfwd.yaml' | grep -qx 'configuration OK'"

ip netns exec $FWD_NS "$IXFWD" -c "$WORK/ixfwd.yaml" >"$WORK/ixfwd.out" 2>"$WORK/ixfwd.log" &
pid=$!
if ! wait_for "$WORK/ixfwd.log" "forwarding:" 30; then
	fail bridge_start "$(tail -n 5 "$WORK/ixfwd.log" | tr '\n' ' ')"
	exit 1
fi

# The first ping goes to a station the bridge does not know yet: flooded;
# the reply teaches the bridge where both are.
check bridge_ping_h1_h2 ip netns exec ixl-h1 ping -c 2 -i 0.2 -W 3 198.18.2.2
report $pid
p3_tx0=$(counter p3 tx_packets); fl0=$(( $(counter p1 flooded) + $(counter p2 flooded) ))
learned=$(field bridge entries)

# Now 50 unicast pings: none may reach p3, none may be flooded.
ip netns exec ixl-h1 ping -c 50 -i 0.01 -W 3 198.18.2.2 >"$WORK/ping" 2>&1
prc=$?
report $pid
p3_tx1=$(counter p3 tx_packets); fl1=$(( $(counter p1 flooded) + $(counter p2 flooded) ))
p2_tx=$(counter p2 tx_packets)
if [ $prc -eq 0 ] && [ "$p3_tx1" = "$p3_tx0" ] && [ "$fl1" = "$fl0" ] && [ "$p2_tx" -ge 52 ]; then
	pass unicast_not_flooded
else
	fail unicast_not_flooded "ping rc $prc; p3 sent $p3_tx0 then $p3_tx1; flooded $fl0 then $fl1; p2 sent $p2_tx; $learned entries"
fi

# Aging: with no traffic, the entries go after $AGING seconds.
sleep $((AGING + 2))
report $pid
e=$(field bridge entries); aged=$(field bridge aged)
if [ "$e" = 0 ] && [ "${aged:-0}" -ge 2 ]; then pass entries_age_out; else
	fail entries_age_out "entries=$e aged=$aged after $((AGING + 2)) s"; fi

# A station moves: h2's address and MAC now live behind p3.
mac2=$(ip netns exec ixl-h2 cat /sys/class/net/ixl-h20/address)
ip netns exec ixl-h1 ping -c 1 -W 3 198.18.2.2 >/dev/null 2>&1	# relearn h2 on p2
ip netns exec ixl-h2 ip link set ixl-h20 down
ip netns exec ixl-h3 ip addr flush dev ixl-h30
ip netns exec ixl-h3 ip link set ixl-h30 address "$mac2"
ip netns exec ixl-h3 ip addr add 198.18.2.2/24 dev ixl-h30
report $pid
moved0=$(field bridge moved)
# h3 (now "h2") speaks first, as a moved station does
ip netns exec ixl-h3 ping -c 1 -W 1 198.18.2.1 >/dev/null 2>&1
if ip netns exec ixl-h1 ping -c 3 -i 0.2 -W 3 198.18.2.2 >"$WORK/ping2" 2>&1; then
	report $pid
	moved1=$(field bridge moved)
	if [ "${moved1:-0}" -gt "${moved0:-0}" ]; then pass station_move_relearned; else
		fail station_move_relearned "moved counter $moved0 -> $moved1"; fi
else
	fail station_move_relearned "ping to the moved station failed: $(tail -n 2 "$WORK/ping2" | tr '\n' ' ')"
fi

# One move is not flapping: no warning.  Then h2 comes back with the
# same MAC as h3, and both send: the station flaps between p2 and p3 on
# every frame, and the daemon says so (once, naming both ports).
sleep 1.5
grep -q 'station moves' "$WORK/ixfwd.log" &&
    fail single_move_no_warning "$(grep 'station moves' "$WORK/ixfwd.log")" ||
    pass single_move_no_warning
# p2's link went down with h2's interface: wait until h2 reaches h1
# through the bridge again (its datagrams would otherwise wait in its
# own queue, not flap anything)
ip netns exec ixl-h2 ip link set ixl-h20 up
_w=0
until ip netns exec ixl-h2 ping -c 1 -W 1 198.18.2.1 >/dev/null 2>&1 || [ $_w -ge 15 ]; do
	_w=$((_w + 1)); sleep 0.2
done
ip netns exec ixl-h2 python3 "$(dirname "$0")/udpseq.py" send \
    198.18.2.1 9 2000 3 "$WORK/udp2" &
f2=$!
ip netns exec ixl-h3 python3 "$(dirname "$0")/udpseq.py" send \
    198.18.2.1 9 2000 3 "$WORK/udp3" &
f3=$!
wait $f2 $f3
if wait_for "$WORK/ixfwd.log" "station moves" 5; then
	line=$(grep 'station moves' "$WORK/ixfwd.log")
	n=$(echo "$line" | wc -l)
	case "$line" in
	*"onto p2 ("*"p3 ("*"stations heard on two ports at once"*)
		[ "$n" = 1 ] && pass flapping_warned_once ||
		    fail flapping_warned_once "$n lines: $line" ;;
	*) fail flapping_warned_once "$line" ;;
	esac
else
	report $pid
	fail flapping_warned_once "no warning; moved=$(field bridge moved), received on p2 $(counter p2 rx_packets), on p3 $(counter p3 rx_packets); h2 $(cat "$WORK/udp2"), h3 $(cat "$WORK/udp3")"
fi

kill -TERM $pid; wait $pid; rc=$?; pid=
[ $rc -eq 0 ] && pass bridge_sigterm || fail bridge_sigterm "exit $rc"
strict_check
exit $failed
