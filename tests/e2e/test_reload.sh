#!/bin/sh
# test_reload.sh: reloading the configuration while traffic runs.  Two
# emulated generators send numbered frames (streams 0 and 1) through
# ixfwd into one port whose wire is a pcap file.  A reload that adds a
# filter dropping stream 1 loses no frame of stream 0 (a deep TX ring on
# the output keeps a busy machine from dropping any, reload or not) and stops stream 1
# at once; a broken file and a change of a ring size are refused, named,
# and change nothing; the counters add up.
. "$(dirname "$0")/lib.sh"

# counter_in OUT PORT FIELD: counter() from another daemon's output
counter_in() { field "port=$2" "$3" "$1"; }

cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	[ -n "$bpid" ] && kill -KILL "$bpid" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 1" INT TERM

if [ "$(id -u)" != 0 ]; then skip reload "needs root (hugepages)"; exit 0; fi
[ -x "$IXFWD" ] || { fail reload "$IXFWD not built (make)"; exit 1; }
command -v python3 >/dev/null || { fail reload "python3 is not installed (make deps)"; exit 1; }
hugepages 64
CONF=$WORK/ixfwd.yaml

# conf G2_PATH_EXTRA [OUT_RX_RING [CAPTURE_SAMPLE]]
conf() {
	cat >"$CONF.new" <<EOT
ports:
  - { name: g1, device: emulated, wire: { generator: { size: 64, rate: 1000 } } }
  - { name: g2, device: emulated, wire: { generator: { size: 64, rate: 1000 } } }
  - name: out
    device: emulated
    rx_ring: ${2:-512}
    tx_ring: 4096
    wire: { pcap_out: $WORK/out.pcap }
forward:
  - { from: g1, to: out }
  - { from: g2, to: out$1 }
$(emulator_cpu_yaml)
EOT
	[ -n "$3" ] && cat >>"$CONF.new" <<EOT
capture:
  - { name: c1, port: g1, direction: rx, sample: $3, file: $WORK/cap/c1.pcap }
EOT
	mv "$CONF.new" "$CONF"
}

# hup [PID LOG]: SIGHUP, then wait for the reload's last line
hup() {
	_p=${1:-$pid} _l=${2:-$WORK/ixfwd.log}
	n0=$(grep -c 'reload: .*reloaded' "$_l")
	kill -HUP $_p
	_h=0
	while [ "$(grep -c 'reload: .*reloaded' "$_l")" -le "$n0" ]; do
		_h=$((_h + 1)); [ $_h -gt 100 ] && return 1
		sleep 0.1
	done
}

conf ""
"$IXFWD" -c "$CONF" >"$WORK/ixfwd.out" 2>"$WORK/ixfwd.log" &
pid=$!
wait_for "$WORK/ixfwd.log" "forwarding:" 30 || { fail reload_start "$(tail -n 5 "$WORK/ixfwd.log" | tr '\n' ' ')"; exit 1; }
sleep 1

mkdir "$WORK/cap"
F='"not ether proto 0x88b5"'
# 1. A new filter on g2's path, under traffic.
conf ', filter: "not ether proto 0x88b5"'
hup
if grep -q 'reload: forward g2: filter: "" -> "not ether proto 0x88b5"' "$WORK/ixfwd.log" &&
    grep -q "reload: reloaded $CONF: 1 change applied" "$WORK/ixfwd.log"; then
	pass reload_filter_reported
else
	fail reload_filter_reported "$(grep reload: "$WORK/ixfwd.log" | tr '\n' ' ')"
fi
sleep 0.5

# 2. A broken file: every error named, the filter above stays.
cat >"$CONF" <<EOT
ports:
  - { name: g1, device: emulated, rx_rnig: 512 }
  - { name: g2, device: emulated, wire: { generator: { size: 64, rate: 1000 } } }
batch: 0
EOT
hup
if grep -q "reload: $CONF:2:35: unknown key \"rx_rnig\" in port" "$WORK/ixfwd.log" &&
    grep -q "reload: $CONF:4:8: batch" "$WORK/ixfwd.log" &&
    grep -q "reload: not reloaded: $CONF: 2 errors, still running" "$WORK/ixfwd.log"; then
	pass reload_broken_file_refused
else
	fail reload_broken_file_refused "$(grep reload: "$WORK/ixfwd.log" | tail -n 4 | tr '\n' ' ')"
fi

# 3. A ring size and a filter at once: refused as a whole.
conf '' 1024
hup
if grep -q "reload: port out: rx_ring: 512 -> 1024 (needs a restart)" "$WORK/ixfwd.log" &&
    grep -q 'reload: not reloaded: 1 change above needs a restart' "$WORK/ixfwd.log"; then
	pass reload_restart_key_refused
else
	fail reload_restart_key_refused "$(grep reload: "$WORK/ixfwd.log" | tail -n 4 | tr '\n' ' ')"
fi
sleep 0.5
report $pid
f1=$(counter g2 drop_filtered)
sleep 0.5
report $pid
f2=$(counter g2 drop_filtered)
# still filtering after both refusals
if [ "${f2:-0}" -gt "${f1:-0}" ] && [ "${f1:-0}" -gt 0 ]; then
	pass reload_refusals_keep_filter
else
	fail reload_refusals_keep_filter "g2 drop_filtered $f1 then $f2"
fi

# 4. A capture added by a reload writes its file.
conf ", filter: $F" 512 1
hup
# written counts what the writer flushed, at least once a second
_i=0
while [ $_i -lt 30 ]; do
	sleep 0.2; report $pid
	[ "$(field "capture=c1" written)" -gt 0 ] 2>/dev/null && break
	_i=$((_i + 1))
done
n=$(tcpdump -r "$WORK/cap/c1.pcap" -nn 2>/dev/null | grep -c '^[0-9]')
if grep -q "reload: capture c1: added" "$WORK/ixfwd.log" &&
    [ "$(field "capture=c1" written)" -gt 0 ] && [ "$n" -gt 0 ]; then
	pass reload_capture_added_writes
else
	fail reload_capture_added_writes "written=$(field "capture=c1" written), $n records: $(grep reload: "$WORK/ixfwd.log" | tail -n 3 | tr '\n' ' ')"
fi

# 5. A changed sample: takes effect: 1 in 10 from the reload on.
conf ", filter: $F" 512 10
hup
sleep 1
report $pid
seen=$(field "capture=c1" seen); sampled=$(field "capture=c1" sampled)
d=$((seen - 10 * sampled))
if grep -q "reload: capture c1: sample: 1 -> 10" "$WORK/ixfwd.log" &&
    [ "$seen" -gt 100 ] && [ $d -ge -10 ] && [ $d -le 10 ]; then
	pass reload_capture_sample_changed
else
	fail reload_capture_sample_changed "seen=$seen sampled=$sampled: $(grep reload: "$WORK/ixfwd.log" | tail -n 3 | tr '\n' ' ')"
fi

# 6. A capture removed by a reload: its file closed complete.
conf ", filter: $F"
hup
c0=$(grep -c "^capture=c1 " "$WORK/ixfwd.out")
report $pid
c1=$(grep -c "^capture=c1 " "$WORK/ixfwd.out")
files=$(ls "$WORK/cap")
ok=1
for f in $files; do tcpdump -r "$WORK/cap/$f" -nn >/dev/null 2>&1 || ok=0; done
if grep -q "reload: capture c1: removed" "$WORK/ixfwd.log" && [ $ok = 1 ] &&
    [ "$(echo $files | wc -w)" = 2 ] && [ "$c0" = "$c1" ]; then
	pass reload_capture_removed
else
	fail reload_capture_removed "files: $files, readable=$ok, capture lines $c0 then $c1"
fi

kill -TERM $pid; wait $pid; rc=$?; pid=
[ $rc -eq 0 ] || fail reload_sigterm "exit $rc"

# 7. The bridge: a new aging and a static entry, under traffic.  The
# generator's frames go to g's own MAC, unknown: flooded to s.  A static
# entry for it on s makes them switched instead; the station learned on g
# is carried into the new table.
BCONF=$WORK/bridge.yaml
bconf() {
	cat >"$BCONF.new" <<EOT
ports:
  - { name: g, device: emulated, wire: { generator: { size: 64, rate: 2000 } } }
  - { name: s, device: emulated, tx_ring: 4096 }
link_timeout: 1
bridge:
  ports: [g, s]
  aging: $1
$2
$(emulator_cpu_yaml)
EOT
	mv "$BCONF.new" "$BCONF"
}
bconf 300 ""
"$IXFWD" -c "$BCONF" >"$WORK/bridge.out" 2>"$WORK/bridge.log" &
bpid=$!
if wait_for "$WORK/bridge.log" "forwarding:" 30; then
	sleep 1
	B=$WORK/bridge.out
	report $bpid "$B"; e0=$(field bridge entries "$B"); fl0=$(counter_in "$B" g flooded)
	bconf 60 '  static: [ { mac: "02:1f:d0:00:00:01", port: s } ]'
	hup $bpid "$WORK/bridge.log"
	report $bpid "$B"; e1=$(field bridge entries "$B"); fl1=$(counter_in "$B" g flooded)
	sleep 1
	report $bpid "$B"; fl2=$(counter_in "$B" g flooded)
	if grep -q "reload: bridge: aging: 300 -> 60" "$WORK/bridge.log" &&
	    grep -q "reload: bridge: static: 0 entries -> 1 entry" "$WORK/bridge.log" &&
	    grep -q "reload: reloaded $BCONF: 2 changes applied" "$WORK/bridge.log" &&
	    [ "$e0" = 1 ] && [ "$e1" = 2 ] && [ "$fl0" -gt 0 ] && [ "$fl1" = "$fl2" ]; then
		pass reload_bridge_static_and_aging
	else
		fail reload_bridge_static_and_aging "entries $e0 then $e1, flooded $fl0 $fl1 $fl2: $(grep reload: "$WORK/bridge.log" | tr '\n' ' ')"
	fi
	kill -TERM $bpid; wait $bpid; brc=$?; bpid=
	rx=$(counter_in "$B" g rx_packets); tx=$(counter_in "$B" s tx_packets)
	[ $brc = 0 ] && [ -n "$rx" ] && [ "$rx" = "$tx" ] && pass reload_bridge_nothing_lost ||
	    fail reload_bridge_nothing_lost "exit $brc, g rx_packets=$rx, s tx_packets=$tx"
else
	fail reload_bridge_start "$(tail -n 5 "$WORK/bridge.log" | tr '\n' ' ')"
	kill -KILL $bpid
fi

python3 "$TOP/tests/e2e/seqcheck.py" "$WORK/out.pcap" >"$WORK/seq"
s0=$(grep '^stream=0 ' "$WORK/seq")
s1=$(grep '^stream=1 ' "$WORK/seq")
val() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
g1rx=$(counter g1 rx_packets)
# Stream 0: every frame g1 received is in the file, in order, no gap.
if [ -n "$s0" ] && [ "$(val "$s0" first)" = 0 ] && [ "$(val "$s0" gaps)" = 0 ] &&
    [ "$(val "$s0" reorder)" = 0 ] && [ "$(val "$s0" frames)" = "$g1rx" ] &&
    [ "$(counter g1 hw_rx_missed)" = 0 ] && [ "$g1rx" -gt 1000 ]; then
	pass reload_zero_lost
else
	fail reload_zero_lost "stream 0: $s0; g1 rx_packets=$g1rx hw_rx_missed=$(counter g1 hw_rx_missed) out drop_tx_full=$(counter out drop_tx_full); $(grep -c 'reload: .*reloaded' "$WORK/ixfwd.log") reloads"
fi
# Stream 1: contiguous from 0 until the reload, then nothing; the rest is
# what g2's path filtered.
g2rx=$(counter g2 rx_packets)
g2f=$(counter g2 drop_filtered)
if [ -n "$s1" ] && [ "$(val "$s1" first)" = 0 ] && [ "$(val "$s1" gaps)" = 0 ] &&
    [ "$(val "$s1" frames)" -gt 0 ] && [ "$g2f" -gt 0 ] &&
    [ $(( $(val "$s1" frames) + g2f )) = "$g2rx" ]; then
	pass reload_new_filter_in_effect
else
	fail reload_new_filter_in_effect "stream 1: $s1; g2 rx_packets=$g2rx drop_filtered=$g2f"
fi
# no datasheet rule broken, no DMA outside the registered memory
strict_check
exit $failed
