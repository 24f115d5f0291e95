#!/bin/sh
# test_filter.sh: a filtering bridge between two namespaces.  The path
# from ixf-a to ixf-b drops telnet with a rule list; TCP to port 23 fails,
# to port 80 works, and the rule counters show the hits.  The other way a
# tcpdump expression lets only ICMP and TCP through.
. "$(dirname "$0")/lib.sh"

FWD_NS=ixf-fwd
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	[ -n "$l23" ] && kill "$l23" "$l80" 2>/dev/null
	# the listeners' nc children too: they hold the test lock's fd
	ip netns pids ixf-b 2>/dev/null | xargs -r kill 2>/dev/null
	for ns in ixf-a ixf-b $FWD_NS; do ip netns del $ns 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 1" INT TERM

need_root filter
[ -x "$IXFWD" ] || { fail filter "$IXFWD not built (make)"; exit 1; }
hugepages 64
for ns in ixf-a ixf-b $FWD_NS; do ip netns del $ns 2>/dev/null; done
ip netns add $FWD_NS
ip netns exec $FWD_NS sysctl -qw net.ipv6.conf.all.disable_ipv6=1
netns_host ixf-a ixf-a0 ixf-a1 198.18.1.1/24
netns_host ixf-b ixf-b0 ixf-b1 198.18.1.2/24

cat >"$WORK/ixfwd.yaml" <<EOT
ports:
  - { name: a, device: emulated, wire: { interface: ixf-a1 }, cpu: 0 }
  - { name: b, device: emulated, wire: { interface: ixf-b1 }, cpu: 0 }
forward:
  - from: a
    to: b
    rules:
      - { action: drop, proto: tcp, dst_port: 23 }
      - { action: pass, proto: tcp, dst_port: 80 }
    default: pass
  - from: b
    to: a
    filter: "icmp or tcp or arp"
$(emulator_cpu_yaml)
EOT
check filter_config_check sh -c "'$IXFWD' -t -c '$WORK/ixfwd.yaml' | grep -qx 'configuration OK'"

ip netns exec $FWD_NS "$IXFWD" -c "$WORK/ixfwd.yaml" >"$WORK/ixfwd.out" 2>"$WORK/ixfwd.log" &
pid=$!
if ! wait_for "$WORK/ixfwd.log" "forwarding:" 30; then
	fail filter_start "$(tail -n 5 "$WORK/ixfwd.log" | tr '\n' ' ')"
	exit 1
fi

ip netns exec ixf-b sh -c 'while :; do echo telnet | nc -l 198.18.1.2 23; done' >/dev/null 2>&1 &
l23=$!
ip netns exec ixf-b sh -c 'while :; do echo http | nc -l 198.18.1.2 80; done' >/dev/null 2>&1 &
l80=$!
sleep 0.5

check filter_ping ip netns exec ixf-a ping -c 3 -i 0.2 -W 3 198.18.1.2
if ip netns exec ixf-a nc -z -w 3 198.18.1.2 80; then pass tcp_port_80_works; else fail tcp_port_80_works "connect to port 80 failed"; fi
if ip netns exec ixf-a nc -z -w 3 198.18.1.2 23; then fail tcp_port_23_dropped "connected to port 23"; else pass tcp_port_23_dropped; fi
# UDP from b to a is not ICMP, TCP or ARP: the tcpdump filter drops it
ip netns exec ixf-b sh -c 'echo x | nc -u -w 1 198.18.1.1 9' 2>/dev/null

report $pid
h1=$(field "rule port=a rule=1" hits)
h2=$(field "rule port=a rule=2" hits)
filt_a=$(counter a drop_filtered)
filt_b=$(counter b drop_filtered)
if [ "${h1:-0}" -ge 1 ] && [ "${h1:-0}" = "$filt_a" ] && [ "${h2:-0}" -ge 1 ]; then
	pass rule_hits
else
	fail rule_hits "rule 1 hits=$h1 rule 2 hits=$h2 a.drop_filtered=$filt_a"
fi
if [ "${filt_b:-0}" -ge 1 ]; then pass tcpdump_filter_drops_udp; else
	fail tcpdump_filter_drops_udp "b.drop_filtered=$filt_b"; fi

kill -TERM $pid; wait $pid; rc=$?; pid=
[ $rc -eq 0 ] && pass filter_sigterm || fail filter_sigterm "exit $rc"
# all received = forwarded + dropped, on both ports
ok=1; why=
for p in a b; do
	q=$([ $p = a ] && echo b || echo a)
	rx=$(counter $p rx_packets); tx=$(counter $q tx_packets)
	d=$(( $(counter $p drop_filtered) + $(counter $p drop_malformed) + $(counter $q drop_tx_full) ))
	[ "$rx" -eq $((tx + d)) ] || { ok=0; why="$why $p.rx=$rx $q.tx=$tx drops=$d"; }
done
[ $ok = 1 ] && pass filter_counters_add_up || fail filter_counters_add_up "$why"
strict_check
exit $failed
