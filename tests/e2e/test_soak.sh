#!/bin/sh
# test_soak.sh: ixfwd under steady mixed traffic for SOAK_SECONDS (60 in
# `make test', 600 in `make soak').  Two hosts in network namespaces on a
# learning bridge of two emulated 82599s, with a rule dropping telnet and
# a capture sampling 1 in 100 into rotated files:
#
#   [ns ixs-h1] ixs-h10 ==veth== ixs-p1 [ns ixs-fwd: ixfwd] ixs-p2 ==veth== ixs-h20 [ns ixs-h2]
#   198.18.6.1/24                                                     198.18.6.2/24
#
# TCP (2 MiB transfers in a loop, each checked by sha256, and connection
# attempts to port 23 that the rule drops), UDP (numbered datagrams, 500
# a second) and ICMP (ping every 10 ms) run the whole time.  Every 10 s:
# ixfwd's resident memory, open files and threads, and its counters
# against the kernel's.  At the end: every frame each host sent was
# received by ixfwd, forwarded or counted by a drop counter, and received
# by the other host; each protocol's losses are within the drops;
# memory, files and threads stayed flat; no datasheet rule was broken.
. "$(dirname "$0")/lib.sh"

SOAK_SECONDS=${SOAK_SECONDS:-60}
# Bounds on what may move after the first 10 s (the warm-up: pools,
# stdio buffers, the first capture file): nothing is allocated per
# packet, so resident memory moves only by what libc and the capture
# writer's file rotations touch, far below what one leaked byte per
# packet would add (well over 1 MiB in 60 s); a leaked descriptor or
# thread shows as one more.
RSS_SLACK_KB=512
FWD_NS=ixs-fwd
H1=ixs-h1 H2=ixs-h2
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	for ns in $H1 $H2; do
		ip netns pids $ns 2>/dev/null | xargs -r kill 2>/dev/null
	done
	for ns in $H1 $H2 $FWD_NS; do ip netns del $ns 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 1" INT TERM

need_root soak
[ -x "$IXFWD" ] || { fail soak "$IXFWD not built (make)"; exit 1; }
for tool in python3 tcpdump sha256sum; do
	command -v $tool >/dev/null || { skip soak "$tool is not installed (make deps)"; exit 0; }
done
hugepages 64
for ns in $H1 $H2 $FWD_NS; do ip netns del $ns 2>/dev/null; done
ip netns add $FWD_NS
ip netns exec $FWD_NS sysctl -qw net.ipv6.conf.all.disable_ipv6=1
netns_host $H1 ixs-h10 ixs-p1 198.18.6.1/24
netns_host $H2 ixs-h20 ixs-p2 198.18.6.2/24
# No segmentation offloads: the kernel's packet counters then count the
# frames on the wire, not TCP super-packets the veth carries whole.
for x in "$H1 ixs-h10" "$H2 ixs-h20" "$FWD_NS ixs-p1" "$FWD_NS ixs-p2"; do
	set -- $x
	ip netns exec $1 ethtool -K $2 tso off gso off gro off >/dev/null 2>&1
done
# Static neighbours: no ARP, so every frame on the bridge is the test's.
m1=$(ip netns exec $H1 cat /sys/class/net/ixs-h10/address)
m2=$(ip netns exec $H2 cat /sys/class/net/ixs-h20/address)
ip netns exec $H1 ip neigh replace 198.18.6.2 lladdr "$m2" nud permanent dev ixs-h10
ip netns exec $H2 ip neigh replace 198.18.6.1 lladdr "$m1" nud permanent dev ixs-h20

mkdir "$WORK/cap"
cat >"$WORK/ixfwd.yaml" <<EOT
ports:
  - { name: p1, device: emulated, tx_ring: 2048, wire: { interface: ixs-p1 } }
  - { name: p2, device: emulated, tx_ring: 2048, wire: { interface: ixs-p2 } }
bridge:
  ports: [p1, p2]
  learning: true
  rules:
    - { action: drop, proto: tcp, dst_port: 23 }
  default: pass
capture:
  - { name: s, port: p1, direction: both, sample: 100, snaplen: 128,
      file: "$WORK/cap/s-%H%M%S.pcap", rotate: { size: 64K, count: 4 } }
$(emulator_cpu_yaml)
EOT
check soak_config_check sh -c "'$IXFWD' -t -c '$WORK/ixfwd.yaml' | grep -qx 'configuration OK'"

# Under ASan the resident set grows for minutes for ASan's own reasons:
# every freed block waits in a quarantine of up to 256 MiB before it is
# reused, and detect_stack_use_after_return hands out stack frames round
# the per-thread fake stacks, touching new pages of them until each has
# been used once.  Without both, flat means flat (leaks are
# LeakSanitizer's to report at exit).
[ -n "$IXFWD_SANITIZE" ] && [ -n "$ASAN_OPTIONS" ] &&
    ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=0:thread_local_quarantine_size_kb=0:detect_stack_use_after_return=0"
ip netns exec $FWD_NS "$IXFWD" -c "$WORK/ixfwd.yaml" >"$WORK/ixfwd.out" 2>"$WORK/ixfwd.log" &
pid=$!
wait_for "$WORK/ixfwd.log" "forwarding:" 30 ||
    { fail soak_start "$(tail -n 5 "$WORK/ixfwd.log" | tr '\n' ' ')"; exit 1; }
sleep 0.5

# Counters now, before any traffic: the baseline of both sides.
report $pid
cp "$WORK/ixfwd.out" "$WORK/base.out"
k() { ifstat "$1" "$2" "$3"; }
h1tx0=$(k $H1 ixs-h10 tx_packets) h1rx0=$(k $H1 ixs-h10 rx_packets)
h2tx0=$(k $H2 ixs-h20 tx_packets) h2rx0=$(k $H2 ixs-h20 rx_packets)
# udp_drops: datagrams h2's kernel received but dropped (a full socket
# buffer: InErrors, which counts RcvbufErrors; no socket: NoPorts)
udp_drops() {
	ip netns exec $H2 awk '/^Udp:/ { n++; if (n == 1) for (i = 2; i <= NF; i++) k[$i] = i
	    else print $k["InErrors"] + $k["NoPorts"] }' /proc/net/snmp
}
udp0=$(udp_drops)
# d FIELD PORT: ixfwd's counter since the baseline
d() { echo $(( $(counter "$2" "$1") - $(field "port=$2" "$1" "$WORK/base.out") )); }

# --- the traffic --------------------------------------------------------
end=$(( $(date +%s) + SOAK_SECONDS ))
head -c $((2 * 1024 * 1024)) /dev/urandom >"$WORK/tcp.send"
sum=$(sha256sum <"$WORK/tcp.send" | cut -d' ' -f1)
(
	ok=0 bad=0
	while [ "$(date +%s)" -lt $end ]; do
		ip netns exec $H2 timeout 30 nc -l 198.18.6.2 5001 >"$WORK/tcp.recv" 2>/dev/null &
		l=$!
		_w=0	# the listener first: a refused connection is no loss
		until ip netns exec $H2 ss -ltnH 'sport = :5001' | grep -q .; do
			_w=$((_w + 1)); [ $_w -gt 100 ] && break
			sleep 0.05
		done
		ip netns exec $H1 timeout 30 nc -N 198.18.6.2 5001 <"$WORK/tcp.send" 2>/dev/null
		wait $l
		if [ "$(sha256sum <"$WORK/tcp.recv" | cut -d' ' -f1)" = "$sum" ]; then
			ok=$((ok + 1))
		else
			bad=$((bad + 1))
		fi
		# telnet: the rule drops the SYN (nothing would answer anyway)
		ip netns exec $H1 nc -z -w 1 198.18.6.2 23 2>/dev/null
	done
	echo "ok=$ok bad=$bad" >"$WORK/tcp.result"
) &
tcp=$!
ip netns exec $H2 python3 "$TOP/tests/e2e/udpseq.py" recv 198.18.6.2 5002 \
    "$WORK/udp.stop" "$WORK/udp.recv" &
udpr=$!
sleep 0.3
ip netns exec $H1 python3 "$TOP/tests/e2e/udpseq.py" send 198.18.6.2 5002 \
    500 "$SOAK_SECONDS" "$WORK/udp.sent" &
udps=$!
ip netns exec $H1 ping -q -i 0.01 -W 3 -c $((SOAK_SECONDS * 90)) 198.18.6.2 \
    >"$WORK/ping.out" 2>&1 &
ping=$!

# --- every 10 s -----------------------------------------------------------
# the kernel said it sent at least what ixfwd received.  How far ixfwd
# lags behind is not bounded here: frames wait in the emulated NIC's
# AF_PACKET socket buffer (megabytes) while a loaded machine holds its
# engine, and the exact accounting at the end says whether any was lost.
: >"$WORK/samples"
nflight=0
t=0
while [ "$(date +%s)" -lt $end ]; do
	sleep 10
	t=$((t + 10))
	report $pid
	rss=$(awk '/^VmRSS:/ {print $2}' /proc/$pid/status)
	fds=$(ls /proc/$pid/fd | wc -l)
	thr=$(ls /proc/$pid/task | wc -l)
	s1=$(( $(k $H1 ixs-h10 tx_packets) - h1tx0 )); r1=$(d hw_rx_packets p1)
	s2=$(( $(k $H2 ixs-h20 tx_packets) - h2tx0 )); r2=$(d hw_rx_packets p2)
	echo "t=$t rss=$rss fds=$fds threads=$thr h1_sent=$s1 p1_rx=$r1 h2_sent=$s2 p2_rx=$r2" >>"$WORK/samples"
	if [ $((s1 - r1)) -lt 0 ] || [ $((s2 - r2)) -lt 0 ]; then
		nflight=$((nflight + 1))
	fi
done
wait $tcp $udps $ping
touch "$WORK/udp.stop"
wait $udpr
sleep 1
report $pid
kill -TERM $pid; wait $pid; rc=$?; pid=
cat "$WORK/samples"

[ $rc = 0 ] && pass soak_sigterm || fail soak_sigterm "exit $rc"
[ $nflight = 0 ] && pass soak_samples_kernel_agree ||
    fail soak_samples_kernel_agree "$nflight samples with more received than sent: $(tr '\n' ' ' <"$WORK/samples")"

# --- the frames ---------------------------------------------------------
# Each way: the host's veth sent = ixfwd received (NIC and pipeline), =
# forwarded + dropped, and what was forwarded the other host received.
drops_total=0
ok=1; why=
for p in p1 p2; do
	q=$([ $p = p1 ] && echo p2 || echo p1)
	if [ $p = p1 ]; then
		sent=$(( $(k $H1 ixs-h10 tx_packets) - h1tx0 ))
		got=$(( $(k $H2 ixs-h20 rx_packets) - h2rx0 ))
	else
		sent=$(( $(k $H2 ixs-h20 tx_packets) - h2tx0 ))
		got=$(( $(k $H1 ixs-h10 rx_packets) - h1rx0 ))
	fi
	hwrx=$(d hw_rx_packets $p); rx=$(d rx_packets $p)
	missed=$(d hw_rx_missed $p); rxerr=$(d hw_rx_errors $p)
	tx=$(d tx_packets $q); hwtx=$(d hw_tx_packets $q)
	drops=$(( $(d drop_filtered $p) + $(d drop_malformed $p) + $(d drop_no_route $p) +
	    $(d drop_local $p) + $(d drop_no_buffer $p) + $(d drop_tx_full $q) +
	    $(d drop_too_big $q) + $(d drop_port_failed $q) + $(d drop_tx_reset $q) ))
	drops_total=$((drops_total + drops + missed + rxerr))
	[ "$sent" = $((hwrx + missed + rxerr)) ] || { ok=0; why="$why $p: kernel sent $sent, NIC received $hwrx missed $missed errors $rxerr;"; }
	[ "$hwrx" = "$rx" ] || { ok=0; why="$why $p: NIC received $hwrx, pipeline $rx;"; }
	[ "$rx" = $((tx + drops)) ] || { ok=0; why="$why $p: received $rx, $q sent $tx + drops $drops;"; }
	[ "$tx" = "$hwtx" ] || { ok=0; why="$why $q: pipeline sent $tx, NIC $hwtx;"; }
	[ "$hwtx" = "$got" ] || { ok=0; why="$why $q: NIC sent $hwtx, kernel received $got;"; }
	echo "$p->$q: kernel sent $sent, ixfwd received $rx, forwarded $tx, dropped $drops (missed $missed), kernel received $got"
done
[ $ok = 1 ] && pass soak_every_frame_accounted || fail soak_every_frame_accounted "$why"

# --- each protocol ------------------------------------------------------
tcpres=$(cat "$WORK/tcp.result" 2>/dev/null)
tok=$(echo "$tcpres" | sed -n 's/^ok=\([0-9]*\) .*/\1/p')
[ "${tok:-0}" -gt 0 ] && [ "$tcpres" = "ok=$tok bad=0" ] && pass soak_tcp_transfers_intact ||
    fail soak_tcp_transfers_intact "$tcpres"
hits=$(field "rule port=p1 rule=1" hits)
[ "${hits:-0}" -gt 0 ] && [ "$hits" -le "$(counter p1 drop_filtered)" ] &&
    pass soak_filter_drops_telnet || fail soak_filter_drops_telnet "rule hits $hits, p1 drop_filtered $(counter p1 drop_filtered)"
usent=$(sed -n 's/^sent=//p' "$WORK/udp.sent" 2>/dev/null)
urecv=$(sed -n 's/^received=\([0-9]*\) .*/\1/p' "$WORK/udp.recv" 2>/dev/null)
udups=$(sed -n 's/.* dups=\([0-9]*\) .*/\1/p' "$WORK/udp.recv" 2>/dev/null)
# lost on the way: within ixfwd's drops and the receiving kernel's
ukern=$(( $(udp_drops) - udp0 ))
echo "udp: sent $usent, received $urecv, h2 kernel dropped $ukern"
if [ -n "$usent" ] && [ "${urecv:-0}" -gt 0 ] && [ "$udups" = 0 ] &&
    [ "$urecv" -le "$usent" ] && [ $((usent - urecv)) -le $((drops_total + ukern)) ]; then
	pass soak_udp_losses_counted
else
	fail soak_udp_losses_counted "sent $usent, received $urecv, dups $udups; ixfwd drops $drops_total, h2 kernel UDP drops $ukern"
fi
ptx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$WORK/ping.out")
prx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$WORK/ping.out")
if [ "${ptx:-0}" -gt 0 ] && [ "${prx:-0}" -gt 0 ] && [ $((ptx - prx)) -le $drops_total ]; then
	pass soak_icmp_losses_counted
else
	fail soak_icmp_losses_counted "$(tail -n 2 "$WORK/ping.out" | tr '\n' ' '); ixfwd drops $drops_total"
fi

# --- the capture --------------------------------------------------------
written=$(field "capture=s" written); wf=$(field "capture=s" write_failed)
files=$(ls "$WORK/cap" | wc -l)
okf=1
for f in "$WORK"/cap/*.pcap; do
	[ -e "$f" ] || continue
	tcpdump -r "$f" -nn >/dev/null 2>&1 || okf=0
done
if [ "${written:-0}" -gt 0 ] && [ "$wf" = 0 ] && [ $okf = 1 ] &&
    [ "$files" -ge 1 ] && [ "$files" -le 4 ]; then
	pass soak_capture_sampled_rotated
else
	fail soak_capture_sampled_rotated "written=$written write_failed=$wf, $files files, readable=$okf"
fi

# --- flat ---------------------------------------------------------------
# after the warm-up: the first sample is taken 10 s in
flat=$(awk -v slack=$RSS_SLACK_KB '
	{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	  n++
	  if (n == 1 || v["rss"] < rmin) rmin = v["rss"]; if (n == 1 || v["rss"] > rmax) rmax = v["rss"]
	  if (n == 1 || v["fds"] < fmin) fmin = v["fds"]; if (n == 1 || v["fds"] > fmax) fmax = v["fds"]
	  if (n == 1 || v["threads"] < tmin) tmin = v["threads"]; if (n == 1 || v["threads"] > tmax) tmax = v["threads"] }
	END { ok = n >= 2 && rmax - rmin <= slack && fmax == fmin && tmax == tmin
	      printf "%s rss %d..%d kB fds %d..%d threads %d..%d, %d samples\n",
	          ok ? "ok" : "bad", rmin, rmax, fmin, fmax, tmin, tmax, n }' "$WORK/samples")
echo "$flat"
case "$flat" in
ok*) pass soak_memory_fds_threads_flat ;;
*) fail soak_memory_fds_threads_flat "$flat (RSS may move $RSS_SLACK_KB kB)" ;;
esac
strict_check
exit $failed
