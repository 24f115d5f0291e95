#!/bin/sh
# test_faults_host.sh: what the host does to ixfwd, and what the user
# sees.  A capture directory that fills up and is freed again (forwarding
# goes on, the capture counts its losses, says so once, and resumes);
# too few free hugepages at start (a clear error, nothing left behind);
# SIGTERM while the links are awaited and during a reload; reloads by
# SIGHUP and by ixfwdctl racing each other under traffic (nothing lost,
# every reload answered, the last configuration in effect).
. "$(dirname "$0")/lib.sh"

CTL=${CTL:-$BUILD/ixfwdctl}
HP=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
hp_old=
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	[ -n "$hp_old" ] && echo "$hp_old" >$HP
	mountpoint -q "$WORK/small" 2>/dev/null && umount "$WORK/small"
	rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 1" INT TERM

if [ "$(id -u)" != 0 ]; then skip faults_host "needs root (hugepages, tmpfs)"; exit 0; fi
[ -x "$IXFWD" ] && [ -x "$CTL" ] || { fail faults_host "not built (make)"; exit 1; }
for tool in python3 tcpdump mountpoint; do
	command -v $tool >/dev/null || { skip faults_host "$tool is not installed (make deps)"; exit 0; }
done
hugepages 64

# start CONF [ARGS...]: ixfwd in the background, its output in
# $WORK/ixfwd.out and .log (both new), kept for strict_check in runs.log
start() {
	_c=$1; shift
	[ -f "$WORK/ixfwd.log" ] && cat "$WORK/ixfwd.log" >>"$WORK/runs.log"
	: >"$WORK/ixfwd.out"; : >"$WORK/ixfwd.log"
	"$IXFWD" -c "$_c" "$@" >"$WORK/ixfwd.out" 2>"$WORK/ixfwd.log" &
	pid=$!
}
started() {
	wait_for "$WORK/ixfwd.log" "forwarding:" 30 && return 0
	fail "$1" "did not start: $(tail -n 3 "$WORK/ixfwd.log" | tr '\n' ' ')"
	kill -KILL $pid; wait $pid; pid=
	return 1
}
stop() {
	kill -TERM $pid; wait $pid; rc=$?; pid=
}
capf() { field "capture=$1" "$2"; }

# ---------------------------------------------------------------------
# 1. The capture directory fills up, then is freed.
mkdir "$WORK/small"
mount -t tmpfs -o size=1m none "$WORK/small"
cat >"$WORK/full.yaml" <<EOT
ports:
  - { name: g0, device: emulated, tx_ring: 4096, wire: { generator: { size: 128, rate: 5000 } } }
  - { name: g1, device: emulated, tx_ring: 4096, wire: { generator: { size: 128, rate: 5000 } } }
forward:
  - { from: g0, to: g1 }
  - { from: g1, to: g0 }
capture:
  - { name: c, port: g0, direction: rx, sample: 1, snaplen: 128,
      file: $WORK/small/c-%H%M%S.pcap }
$(emulator_cpu_yaml)
EOT
start "$WORK/full.yaml"
if started disk_full; then
	# 5000 records of 144 bytes a second: 1 MiB is full within 2 s
	_i=0
	while [ $_i -lt 100 ]; do
		sleep 0.1; report $pid
		[ "$(capf c write_failed)" -gt 0 ] 2>/dev/null && break
		_i=$((_i + 1))
	done
	sleep 2
	report $pid
	wf1=$(capf c write_failed); tx1=$(counter g1 tx_packets); w1=$(capf c written)
	sleep 2
	report $pid
	wf2=$(capf c write_failed); tx2=$(counter g1 tx_packets); w2=$(capf c written)
	nfull=$(grep -c "capture c: .*No space left on device; samples are dropped" "$WORK/ixfwd.log")
	# forwarding goes on at full rate while the capture loses everything
	if [ "${wf1:-0}" -gt 0 ] && [ "$wf2" -gt "$wf1" ] && [ "$w2" = "$w1" ] &&
	    [ $((tx2 - tx1)) -gt 5000 ] && [ "$nfull" = 1 ]; then
		pass disk_full_counted_logged_once
	else
		fail disk_full_counted_logged_once "write_failed $wf1 -> $wf2, written $w1 -> $w2, g1 tx $tx1 -> $tx2, $nfull log lines: $(grep capture "$WORK/ixfwd.log" | head -n 3 | tr '\n' ' ')"
	fi
	# free the space: the capture writes again within a retry and a flush
	rm -f "$WORK"/small/*
	_i=0
	while [ $_i -lt 50 ]; do
		sleep 0.2; report $pid
		[ "$(capf c written)" -gt "$w2" ] 2>/dev/null && break
		_i=$((_i + 1))
	done
	w3=$(capf c written)
	stop
	if [ "$rc" = 0 ] && [ "${w3:-0}" -gt "$w2" ] &&
	    grep -q "capture c: writing again, to $WORK/small/c-" "$WORK/ixfwd.log"; then
		pass disk_freed_capture_resumes
	else
		fail disk_freed_capture_resumes "exit $rc, written $w2 -> $w3: $(grep capture "$WORK/ixfwd.log" | tail -n 2 | tr '\n' ' ')"
	fi
	n=0 ok=1
	for f in "$WORK"/small/*.pcap; do
		[ -e "$f" ] || continue
		c=$(tcpdump -r "$f" -nn 2>/dev/null | grep -c '^[0-9]') || ok=0
		n=$((n + c))
	done
	[ $ok = 1 ] && [ "$n" -gt 0 ] && pass disk_freed_pcap_readable ||
	    fail disk_freed_pcap_readable "$n records readable in $(ls "$WORK/small" | tr '\n' ' ')"
	# nothing dropped but the capture's: every frame in one way went out
	ok=1; why=
	for p in g0 g1; do
		q=$([ $p = g0 ] && echo g1 || echo g0)
		rx=$(counter $p rx_packets); tx=$(counter $q tx_packets)
		for k in drop_no_buffer hw_rx_missed; do
			v=$(counter $p $k); [ "$v" = 0 ] || { ok=0; why="$why $p.$k=$v"; }
		done
		v=$(counter $q drop_tx_full); [ "$v" = 0 ] || { ok=0; why="$why $q.drop_tx_full=$v"; }
		[ -n "$rx" ] && [ "$rx" = "$tx" ] || { ok=0; why="$why $p.rx=$rx $q.tx=$tx"; }
	done
	[ $ok = 1 ] && pass disk_full_no_other_drop || fail disk_full_no_other_drop "$why"
fi
umount "$WORK/small"

# ---------------------------------------------------------------------
# 2. Too few free hugepages at start: the pool shrunk to what is in use
# now and one page more (the kernel keeps pages in use; the rest go).
# The start's own check refuses it before any device is touched, with
# the pages it needs (test_cli.sh checks the figures); dma.c says the
# same when pages go between that check and their mapping.
cat >"$WORK/two.yaml" <<EOT
ports:
  - { name: g0, device: emulated, wire: { generator: { size: 64, rate: 1000 } } }
  - { name: g1, device: emulated }
forward:
  - { from: g0, to: g1 }
link_timeout: 1
$(emulator_cpu_yaml)
EOT
hp_old=$(cat $HP)
used=$(( $(cat ${HP%/*}/nr_hugepages) - $(cat ${HP%/*}/free_hugepages) ))
echo $((used + 1)) >$HP
free=$(cat ${HP%/*}/free_hugepages)
out=$("$IXFWD" -c "$WORK/two.yaml" -s "$WORK/hp.sock" -p "$WORK/hp.pid" 2>&1); rc=$?
echo "$hp_old" >$HP; hp_old=
echo "$out" >"$WORK/hp-out.log"
if [ "$free" -gt 1 ]; then
	skip hugepages_exhausted "$free pages stay free (others in use came free meanwhile?)"
elif [ $rc != 0 ] && echo "$out" | grep -q "too few free 2 MiB hugepages" &&
    echo "$out" | grep -q "/proc/sys/vm/nr_hugepages" &&
    echo "$out" | grep -q "nothing started"; then
	pass hugepages_exhausted_clear_error
else
	fail hugepages_exhausted_clear_error "exit $rc: $(echo "$out" | tail -n 4 | tr '\n' ' ')"
fi
if [ ! -e "$WORK/hp.sock" ] && [ ! -e "$WORK/hp.pid" ] &&
    ! echo "$out" | grep -q "forwarding:"; then
	pass hugepages_exhausted_nothing_left
else
	fail hugepages_exhausted_nothing_left "left: $(ls "$WORK" | grep '^hp\.' | tr '\n' ' ')"
fi

# ---------------------------------------------------------------------
# 3. SIGTERM while waiting for a link that never comes (g1 has no wire):
# it stops at once rather than after link_timeout, leaving nothing.
sed 's/^link_timeout: 1$/link_timeout: 60/' "$WORK/two.yaml" >"$WORK/nolink.yaml"
start "$WORK/nolink.yaml" -s "$WORK/nl.sock" -p "$WORK/nl.pid"
wait_for "$WORK/ixfwd.log" "g0: link up" 30
t0=$(date +%s)
sleep 0.5
kill -TERM $pid; wait $pid; rc=$?; pid=
t1=$(date +%s)
if [ $rc = 0 ] && [ $((t1 - t0)) -lt 30 ] &&
    grep -q "Terminated: stopping" "$WORK/ixfwd.log" &&
    ! grep -q "forwarding:\|no link after" "$WORK/ixfwd.log" &&
    grep -q "^port=g0 " "$WORK/ixfwd.out" &&
    [ ! -e "$WORK/nl.sock" ] && [ ! -e "$WORK/nl.pid" ]; then
	pass sigterm_during_startup
else
	fail sigterm_during_startup "exit $rc after $((t1 - t0)) s, left: $(ls "$WORK" | grep '^nl\.' | tr '\n' ' '): $(tail -n 3 "$WORK/ixfwd.log" | tr '\n' ' ')"
fi

# ---------------------------------------------------------------------
# 4. SIGTERM right behind a SIGHUP whose reload has much to do: a path
# with 1000 rules, changed to 1024 others (FILTER_RULES_MAX).
rules_conf() {
	{
		echo "ports:"
		echo "  - { name: g, device: emulated, wire: { generator: { size: 64, rate: 5000 } } }"
		echo "  - { name: s, device: emulated, tx_ring: 4096 }"
		echo "link_timeout: 1"
		echo "forward:"
		echo "  - from: g"
		echo "    to: s"
		echo "    default: pass"
		echo "    rules:"
		awk -v n="$1" -v b="$2" 'BEGIN { for (i = 0; i < n; i++)
		    printf "      - { action: drop, proto: udp, dst_port: %d }\n", b + i }'
		emulator_cpu_yaml
	} >"$WORK/big.yaml.new"
	mv "$WORK/big.yaml.new" "$WORK/big.yaml"
}
rules_conf 1000 1000
start "$WORK/big.yaml"
if started sigterm_during_reload; then
	sleep 0.5
	rules_conf 1024 3000
	kill -HUP $pid; kill -TERM $pid
	wait $pid; rc=$?; pid=
	if [ $rc = 0 ] && grep -q "Terminated: stopping" "$WORK/ixfwd.log" &&
	    [ -n "$(counter g rx_packets)" ] && [ -n "$(counter s tx_packets)" ]; then
		pass sigterm_during_reload
	else
		fail sigterm_during_reload "exit $rc: $(tail -n 3 "$WORK/ixfwd.log" | tr '\n' ' ')"
	fi
fi

# ---------------------------------------------------------------------
# 5. Reloads racing each other and traffic: SIGHUP and `ixfwdctl reload'
# back to back, 20 times, alternating two configurations.  Stream 0 (g1)
# goes through unfiltered in both; stream 1 (g2) is filtered in B only.
RCONF=$WORK/race.yaml
race_conf() {
	cat >"$RCONF.new" <<EOT
ports:
  - { name: g1, device: emulated, wire: { generator: { size: 64, rate: 2000 } } }
  - { name: g2, device: emulated, wire: { generator: { size: 64, rate: 1000 } } }
  - { name: out, device: emulated, tx_ring: 4096, wire: { pcap_out: $WORK/race.pcap } }
forward:
  - { from: g1, to: out, filter: "$1" }
  - { from: g2, to: out, filter: "$2" }
$(emulator_cpu_yaml)
EOT
	mv "$RCONF.new" "$RCONF"
}
A() { race_conf "ether proto 0x88b5" "ether proto 0x88b5 or arp"; }
B() { race_conf "not ether proto 0x0800" "not ether proto 0x88b5"; }
A
start "$RCONF" -s "$WORK/race.sock"
if started reload_race; then
	sleep 0.5
	N=20 i=0 ctl_ok=0
	while [ $i -lt $N ]; do
		A; kill -HUP $pid
		B
		"$CTL" -s "$WORK/race.sock" reload >"$WORK/ctl.out" 2>&1 &&
		    grep -q "^reloaded $RCONF" "$WORK/ctl.out" && ctl_ok=$((ctl_ok + 1))
		i=$((i + 1))
	done
	# every SIGHUP's reload is logged too, at the latest a moment later
	_i=0
	while [ "$(grep -c "reload: reloaded $RCONF" "$WORK/ixfwd.log")" -lt $((2 * N)) ] && [ $_i -lt 50 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	nrel=$(grep -c "reload: reloaded $RCONF" "$WORK/ixfwd.log")
	nnot=$(grep -c "reload: not reloaded" "$WORK/ixfwd.log")
	report $pid; f1=$(counter g2 drop_filtered)
	sleep 0.5
	report $pid; f2=$(counter g2 drop_filtered)
	stop
	python3 "$TOP/tests/e2e/seqcheck.py" "$WORK/race.pcap" >"$WORK/seq"
	s0=$(grep '^stream=0 ' "$WORK/seq")
	val() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
	g1rx=$(counter g1 rx_packets)
	if [ $ctl_ok = $N ] && [ "$nrel" = $((2 * N)) ] && [ "$nnot" = 0 ]; then
		pass reload_race_all_answered
	else
		fail reload_race_all_answered "ixfwdctl reloaded $ctl_ok of $N, $nrel reloads logged of $((2 * N)), $nnot refused"
	fi
	if [ $rc = 0 ] && [ -n "$s0" ] && [ "$(val "$s0" first)" = 0 ] &&
	    [ "$(val "$s0" gaps)" = 0 ] && [ "$(val "$s0" reorder)" = 0 ] &&
	    [ "$(val "$s0" frames)" = "$g1rx" ] && [ "$g1rx" -gt 1000 ] &&
	    [ "$(counter g1 drop_filtered)" = 0 ] && [ "$(counter out drop_tx_full)" = 0 ]; then
		pass reload_race_nothing_lost
	else
		fail reload_race_nothing_lost "exit $rc; stream 0: $s0; g1 rx_packets=$g1rx drop_filtered=$(counter g1 drop_filtered) out drop_tx_full=$(counter out drop_tx_full)"
	fi
	# B is in effect: stream 1 filtered from the last reload on
	if [ "${f2:-0}" -gt "${f1:-0}" ]; then
		pass reload_race_last_config_in_effect
	else
		fail reload_race_last_config_in_effect "g2 drop_filtered $f1 then $f2"
	fi
fi
cat "$WORK/ixfwd.log" >>"$WORK/runs.log"
strict_check
exit $failed
