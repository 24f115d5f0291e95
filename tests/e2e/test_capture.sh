#!/bin/sh
# test_capture.sh: sampled capture inside the daemon.  A capture of every
# packet into a full filesystem changes nothing on the wire (the same
# frames, the same counters as without it) and counts its failed writes;
# SIGTERM with traffic running leaves complete, readable files holding
# exactly what the capture says it wrote; 1 in N is exact.
. "$(dirname "$0")/lib.sh"

cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	mountpoint -q "$WORK/full" 2>/dev/null && umount "$WORK/full"
	rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 1" INT TERM

need_root capture
[ -x "$IXFWD" ] || { fail capture "$IXFWD not built (make)"; exit 1; }
command -v tcpdump >/dev/null || { skip capture "tcpdump is not installed (make deps)"; exit 0; }
hugepages 64
N=20000

# records FILE: how many packets tcpdump reads in FILE
records() {
	tcpdump -r "$1" -nn 2>/dev/null | grep -c '^[0-9]'
}

# run_until CONF PORT WANT: run ixfwd until PORT has sent WANT frames, then
# SIGTERM it; its exit status in $rc, its counters in $WORK/ixfwd.out.
run_until() {
	# Both files new: a "forwarding:" left from the last run must not
	# pass for this one (a SIGUSR1 sent before the new ixfwd is exec'd
	# kills its shell).
	: >"$WORK/ixfwd.out"
	: >"$WORK/ixfwd.log"
	"$IXFWD" -c "$1" >"$WORK/ixfwd.out" 2>"$WORK/ixfwd.log" &
	pid=$!
	wait_for "$WORK/ixfwd.log" "forwarding:" 30 || { kill -KILL $pid; pid=; rc=99; return; }
	i=0
	while [ $i -lt 100 ]; do
		report $pid
		[ "$(counter "$2" hw_tx_packets)" -ge "$3" ] 2>/dev/null && break
		i=$((i + 1)); sleep 0.1
	done
	kill -TERM $pid; wait $pid; rc=$?; pid=
	cat "$WORK/ixfwd.log" >>"$WORK/runs.log"	# for strict_check
}

# 1. An input file: N numbered frames from the emulated generator.
cat >"$WORK/make.yaml" <<EOT
ports:
  - { name: g, device: emulated, wire: { generator: { size: 128, count: $N, rate: 100000 } } }
  - { name: p, device: emulated, wire: { pcap_out: $WORK/in.pcap } }
forward:
  - { from: g, to: p }
EOT
run_until "$WORK/make.yaml" p $((N - 1000))
n=$(records "$WORK/in.pcap")
[ $rc = 0 ] && [ "$n" -ge $((N / 2)) ] || { fail capture_input "exit $rc, $n frames: $(tail -n 3 "$WORK/ixfwd.log")"; exit 1; }
N=$n	# what the file holds is the input from here on

# 2. Without capture, then with a capture of everything into a full disk.
mkdir "$WORK/full"
mount -t tmpfs -o size=64k none "$WORK/full"
for mode in plain capture; do
	{
		echo "ports:"
		echo "  - { name: a, device: emulated, rx_ring: 64, wire: { pcap_in: $WORK/in.pcap } }"
		echo "  - { name: b, device: emulated, wire: { pcap_out: $WORK/out-$mode.pcap } }"
		echo "forward:"
		echo "  - { from: a, to: b }"
		if [ $mode = capture ]; then
			echo "capture:"
			echo "  - { name: all, port: a, direction: both, sample: 1, snaplen: 128,"
			echo "      file: $WORK/full/all-%H%M%S.pcap }"
		fi
	} >"$WORK/$mode.yaml"
	run_until "$WORK/$mode.yaml" b $N
	eval "rc_$mode=$rc"
	eval "tx_$mode=$(counter b tx_packets) rx_$mode=$(counter a rx_packets)"
	eval "drops_$mode=$(( $(counter b drop_tx_full) + $(counter a hw_rx_missed) ))"
	cp "$WORK/ixfwd.out" "$WORK/$mode.out"; cp "$WORK/ixfwd.log" "$WORK/$mode.log"
done
failed_writes=$(grep '^capture=all ' "$WORK/capture.out" | tail -n 1 | tr ' ' '\n' | sed -n 's/^write_failed=//p')
if [ "$rc_plain" = 0 ] && [ "$rc_capture" = 0 ] && [ "$rx_plain" = $N ] &&
    [ "$rx_capture" = $N ] && [ "$tx_plain" = $N ] && [ "$tx_capture" = $N ] &&
    [ "$drops_plain" = 0 ] && [ "$drops_capture" = 0 ] &&
    [ "$(tcpdump -r "$WORK/out-plain.pcap" -nn -t -x 2>/dev/null | cksum)" = \
    "$(tcpdump -r "$WORK/out-capture.pcap" -nn -t -x 2>/dev/null | cksum)" ]; then
	pass full_disk_forwarding_unchanged
else
	fail full_disk_forwarding_unchanged "exit $rc_plain/$rc_capture rx $rx_plain/$rx_capture tx $tx_plain/$tx_capture drops $drops_plain/$drops_capture"
fi
if [ "${failed_writes:-0}" -gt 0 ] && grep -q "$WORK/full" "$WORK/capture.log"; then
	pass full_disk_write_failures_counted
else
	fail full_disk_write_failures_counted "write_failed=$failed_writes; log: $(grep -i capture "$WORK/capture.log" | head -n 2)"
fi
ok=1
for f in "$WORK"/full/*.pcap; do
	[ -e "$f" ] || continue
	tcpdump -r "$f" -nn >/dev/null 2>&1 || ok=0
done
[ $ok = 1 ] && pass full_disk_files_readable || fail full_disk_files_readable "a file on the full disk does not read back"
umount "$WORK/full"

# 3. 1 in 100, exactly, with snaplen honoured and original lengths kept.
cat >"$WORK/sample.yaml" <<EOT
ports:
  - { name: a, device: emulated, rx_ring: 64, wire: { pcap_in: $WORK/in.pcap } }
  - { name: b, device: emulated, wire: { pcap_out: $WORK/out-s.pcap } }
forward:
  - { from: a, to: b }
capture:
  - { name: s, port: a, direction: rx, sample: 100, snaplen: 64, file: $WORK/s.pcap }
EOT
run_until "$WORK/sample.yaml" b $N
n=$(records "$WORK/s.pcap")
# every record says the frame was 124 bytes (128 on the wire with CRC)
odd=$(tcpdump -r "$WORK/s.pcap" -nn 2>/dev/null | grep '^[0-9]' | grep -vc 'length 124')
# and holds 64 of them: 24-byte file header, 16-byte record headers
size=$(wc -c <"$WORK/s.pcap")
if [ $rc = 0 ] && [ "$n" = $((N / 100)) ] && [ "$odd" = 0 ] && [ "$size" = $((24 + n * (16 + 64))) ]; then
	pass sample_1_in_100_exact
else
	fail sample_1_in_100_exact "exit $rc, $n records (want $((N / 100))), $odd of another length, $size bytes (want $((24 + n * 80)))"
fi

# 4. SIGTERM with traffic running: every file complete, nothing lost
# between what the capture counted as written and what the files hold.
mkdir "$WORK/run"
cat >"$WORK/run.yaml" <<EOT
ports:
  - { name: g0, device: emulated, wire: { generator: { size: 64 } } }
  - { name: g1, device: emulated, wire: { generator: { size: 200 } } }
forward:
  - { from: g0, to: g1 }
  - { from: g1, to: g0 }
capture:
  - { name: run, port: g0, direction: both, sample: 50, snaplen: 96,
      file: $WORK/run/g0-%H%M%S.pcap, rotate: { size: 256K } }
EOT
"$IXFWD" -c "$WORK/run.yaml" >"$WORK/ixfwd.out" 2>"$WORK/ixfwd.log" &
pid=$!
wait_for "$WORK/ixfwd.log" "forwarding:" 30
sleep 2
kill -TERM $pid; wait $pid; rc=$?; pid=
written=$(grep '^capture=run ' "$WORK/ixfwd.out" | tail -n 1 | tr ' ' '\n' | sed -n 's/^written=//p')
files=0 total=0 ok=1
for f in "$WORK"/run/*.pcap; do
	[ -e "$f" ] || continue
	files=$((files + 1))
	c=$(tcpdump -r "$f" -nn 2>"$WORK/tcpdump.err" | grep -c '^[0-9]')
	grep -qi 'truncated\|error' "$WORK/tcpdump.err" && ok=0
	total=$((total + c))
done
if [ $rc = 0 ] && [ $ok = 1 ] && [ "$files" -ge 2 ] && [ "$total" = "$written" ] && [ "$total" -gt 1000 ]; then
	pass sigterm_files_complete
else
	fail sigterm_files_complete "exit $rc, $files files, $total records, capture says written=$written, complete=$ok"
fi
strict_check
exit $failed
