#!/bin/sh
# test_cli.sh: ixfwd as an operator meets it on the command line: -t on
# good and bad files, usage errors, a port that cannot be set up, no
# hugepages or too few for the configuration, and a run on generator
# wires stopped by SIGTERM.
. "$(dirname "$0")/lib.sh"
trap 'rm -rf "$WORK"' EXIT

[ -x "$IXFWD" ] || { fail cli "$IXFWD not built (make)"; exit 1; }

# -t on every example and good fixture (-t counts the hugepages each
# needs, 40 at most, against those free)
[ "$(id -u)" = 0 ] && hugepages 64
for f in "$TOP"/conf/examples/*.yaml "$TOP"/tests/conf/good/*.yaml; do
	n=$(basename "$f" .yaml)
	# the highest CPU of cpu: N and cpus: [N, M]
	maxcpu=$(sed -n 's/.*cpu: *\([0-9]*\).*/\1/p
	    s/.*cpus: *\[\([0-9, ]*\)\].*/\1/p' "$f" | tr ', ' '\n\n' |
	    grep . | sort -n | tail -n 1)
	if [ -n "$maxcpu" ] && [ "$maxcpu" -ge "$(nproc --all)" ]; then
		# written for a bigger box: checked with its CPUs renumbered
		if ! fit_cpus "$f" "$WORK/$n.yaml" "$(nproc --all)"; then
			skip "check_ok_$n" "uses more CPUs than this machine's $(nproc --all)"
			continue
		fi
		f=$WORK/$n.yaml
	fi
	out=$("$IXFWD" -t -c "$f" 2>&1); rc=$?
	if [ $rc -eq 0 ] && [ "$out" = "configuration OK" ]; then
		pass "check_ok_$n"
	elif [ $rc -eq 1 ] && only_missing_nics "$f" "$out"; then
		# the file is good; -t also says this machine lacks its NICs
		pass "check_ok_$n"
	else
		fail "check_ok_$n" "exit $rc: $out"
	fi
done

# -t on a bad file: exit 1, every error as FILE:LINE:COLUMN: message, and
# the messages the fixture expects
for f in "$TOP"/tests/conf/bad/*.yaml; do
	n=$(basename "$f" .yaml)
	"$IXFWD" -t -c "$f" >"$WORK/out" 2>"$WORK/err"; rc=$?
	ok=1
	[ $rc -eq 1 ] || ok=0
	grep -q 'configuration OK' "$WORK/out" && ok=0
	sed -n 's/^# expect: //p' "$f" >"$WORK/expect"
	while IFS= read -r e; do
		grep -qxF "$f:$e" "$WORK/err" || ok=0
	done <"$WORK/expect"
	if [ $ok = 1 ]; then pass "check_bad_$n"; else
		fail "check_bad_$n" "exit $rc: $(head -n 3 "$WORK/err" | tr '\n' ' ')"
	fi
done

# -t plans the workers and queues as a start would: a limit the planner
# enforces is an error at the port's line and column, not a failed start.
cat >"$WORK/plan_workers.yaml" <<EOT
# 16 unpinned RX queues on each port, a worker each: 80 in all
ports:
  - { name: a, device: null, queues: 16 }
  - { name: b, device: null, queues: 16 }
  - { name: c, device: null, queues: 16 }
  - { name: d, device: null, queues: 16 }
  - name: e
    device: null
    queues: 16
forward:
  - { from: a, to: b }
EOT
cat >"$WORK/plan_tx_queues.yaml" <<EOT
# 16 workers receive on a, one on c; all 17 send to b, which has 16 TX
# queues
ports:
  - { name: a, device: null, queues: 16 }
  - name: b
    device: emulated
  - { name: c, device: null }
forward:
  - { from: a, to: b }
  - { from: c, to: b }
EOT
for t in "plan_workers:7:5: more than 64 workers needed (one for each cpu, and one for each RX queue without a cpu)" \
    "plan_tx_queues:5:5: port b: needs more than 16 TX queues (one for each worker sending to it); it has at most 16"; do
	n=${t%%:*}
	"$IXFWD" -t -c "$WORK/$n.yaml" >"$WORK/out" 2>"$WORK/err"; rc=$?
	if [ $rc = 1 ] && grep -qxF "$WORK/$n.yaml:${t#*:}" "$WORK/err" &&
	    ! grep -q 'configuration OK' "$WORK/out"; then
		pass "check_$n"
	else
		fail "check_$n" "exit $rc: $(head -n 3 "$WORK/err" | tr '\n' ' ')"
	fi
done

out=$("$IXFWD" -t -c /nonexistent/ixfwd.yaml 2>&1); rc=$?
case "$rc:$out" in
1:*"/nonexistent/ixfwd.yaml: cannot open: No such file or directory"*) pass missing_file ;;
*) fail missing_file "exit $rc: $out" ;;
esac

out=$("$IXFWD" -x 2>&1); rc=$?
case "$rc:$out" in
1:*"usage: ixfwd [-dhtVv] [-c file] [-p pidfile]"*) pass usage ;;
*) fail usage "exit $rc: $out" ;;
esac

# A PCI address with no device behind it: a clear error, exit 1, and
# nothing left running.
cat >"$WORK/nodev.yaml" <<EOT
ports:
  - { name: p0, device: "00ff:1f:1f.7" }
EOT
out=$("$IXFWD" -c "$WORK/nodev.yaml" 2>&1); rc=$?
case "$rc:$out" in
1:*00ff:1f:1f.7*"nothing started"*) pass no_such_device ;;
*) fail no_such_device "exit $rc: $out" ;;
esac

if [ "$(id -u)" != 0 ]; then
	skip no_hugepages "needs root to take the hugepages away"
	skip generator_run "needs root (hugepages, physical addresses)"
	exit $failed
fi

cat >"$WORK/gen.yaml" <<EOT
ports:
  - { name: g0, device: emulated, wire: { generator: { size: 64 } } }
  - { name: g1, device: emulated, wire: { generator: { size: 1518 } } }
forward:
  - { from: g0, to: g1 }
  - { from: g1, to: g0 }
EOT

# No hugepages: the message names the fix, exit 1.
saved=$(cat /proc/sys/vm/nr_hugepages)
echo 0 >/proc/sys/vm/nr_hugepages
out=$("$IXFWD" -c "$WORK/gen.yaml" 2>&1); rc=$?
echo "$saved" >/proc/sys/vm/nr_hugepages
case "$rc:$out" in
1:*hugepages*"/proc/sys/vm/nr_hugepages"*) pass no_hugepages ;;
*) fail no_hugepages "exit $rc: $out" ;;
esac

# Too few hugepages for what the configuration maps (jumbo pools, two
# queues a port, deep rings), though some are reserved: -t and a start
# both refuse it, saying how many MiB and pages it needs, how many are
# free and the value to give vm.nr_hugepages; with exactly that many free
# -t passes (and -v says the figure), with one fewer it does not, and the
# start touches no device.  Each step is skipped when others took or
# gave back hugepages meanwhile; nr_hugepages is put back at the end.
cat >"$WORK/jumbo.yaml" <<EOT
ports:
  - { name: a, device: emulated, queues: 2, mtu: 9000, rx_ring: 1024, tx_ring: 1024 }
  - { name: b, device: emulated, queues: 2, mtu: 9000, rx_ring: 1024, tx_ring: 1024 }
forward:
  - { from: a, to: b }
  - { from: b, to: a }
EOT
HP2M=/sys/kernel/mm/hugepages/hugepages-2048kB
# free less reserved, plus what overcommit still allows (as dma.c counts)
hp_avail() {
	_o=$(( $(cat $HP2M/nr_overcommit_hugepages) - $(cat $HP2M/surplus_hugepages) ))
	[ $_o -gt 0 ] || _o=0
	echo $(( $(cat $HP2M/free_hugepages) - $(cat $HP2M/resv_hugepages) + _o ))
}
# hp_set N: N hugepages in the pool; the free ones left, as -t counts them
hp_set() {
	echo "$1" >/proc/sys/vm/nr_hugepages
	hp_avail
}
# too_few ERRFILE: "MIB PAGES FREE WANT" from the refusal in ERRFILE
too_few() {
	sed -n "s|^$WORK/jumbo.yaml: too few free 2 MiB hugepages: its rings and packet buffers need \([0-9]*\) MiB (\([0-9]*\) hugepages), \([0-9]*\) [a-z]* free; raise vm.nr_hugepages to \([0-9]*\) (sysctl -w vm.nr_hugepages=\4, or echo \4 > /proc/sys/vm/nr_hugepages)\$|\1 \2 \3 \4|p" "$1"
}
saved=$(cat /proc/sys/vm/nr_hugepages)
used=$((saved - $(hp_avail)))
hp_set $((used + 1)) >/dev/null
nr=$(cat /proc/sys/vm/nr_hugepages)
"$IXFWD" -t -c "$WORK/jumbo.yaml" >"$WORK/out" 2>"$WORK/err"; rc=$?
set -- $(too_few "$WORK/err")
mib=$1 need=$2 free=$3 want=$4
if [ $rc = 1 ] && [ -n "$want" ] && [ ! -s "$WORK/out" ] &&
    [ "$mib" = $((need * 2)) ] && [ "$need" -ge 20 ] &&
    [ "$want" = $((nr + need - free)) ] &&
    grep -qxF "$WORK/jumbo.yaml: 1 error, nothing started" "$WORK/err"; then
	pass check_hugepages_too_few
else
	fail check_hugepages_too_few "exit $rc, pool $nr: $(tr '\n' ' ' <"$WORK/err")"
fi
if [ -z "$need" ]; then
	skip check_hugepages_enough "no figure from the refusal"
	skip check_hugepages_one_short "no figure from the refusal"
	skip start_hugepages_one_short "no figure from the refusal"
else
	if [ "$(hp_set $((used + need)))" != "$need" ]; then
		skip check_hugepages_enough "others took or gave back hugepages"
	else
		out=$("$IXFWD" -t -v -c "$WORK/jumbo.yaml" 2>/dev/null); rc=$?
		if [ $rc = 0 ] && echo "$out" | grep -qx 'configuration OK' &&
		    echo "$out" | grep -qxF "hugepages: $mib MiB ($need of 2 MiB) for rings and packet buffers, $need free"; then
			pass check_hugepages_enough
		else
			fail check_hugepages_enough "exit $rc: $(echo "$out" | tr '\n' ' ')"
		fi
	fi
	if [ "$(hp_set $((used + need - 1)))" != $((need - 1)) ]; then
		skip check_hugepages_one_short "others took or gave back hugepages"
		skip start_hugepages_one_short "others took or gave back hugepages"
	else
		"$IXFWD" -t -c "$WORK/jumbo.yaml" >"$WORK/out" 2>"$WORK/err"; rc=$?
		set -- $(too_few "$WORK/err")
		if [ $rc = 1 ] && [ "$2" = "$need" ] && [ "$3" = $((need - 1)) ] &&
		    ! grep -q 'configuration OK' "$WORK/out"; then
			pass check_hugepages_one_short
		else
			fail check_hugepages_one_short "exit $rc: $(tr '\n' ' ' <"$WORK/err")"
		fi
		# a start: the same two lines and nothing else (no device
		# taken, no emulated NIC made), no pidfile, no socket
		"$IXFWD" -c "$WORK/jumbo.yaml" -p "$WORK/hp.pid" -s "$WORK/hp.sock" \
		    >"$WORK/out" 2>"$WORK/start.err"; rc=$?
		set -- $(too_few "$WORK/start.err")
		if [ $rc = 1 ] && [ "$2" = "$need" ] &&
		    [ "$(wc -l <"$WORK/start.err")" = 2 ] &&
		    grep -qxF "$WORK/jumbo.yaml: 1 error, nothing started" "$WORK/start.err" &&
		    [ ! -e "$WORK/hp.pid" ] && [ ! -e "$WORK/hp.sock" ]; then
			pass start_hugepages_one_short
		else
			fail start_hugepages_one_short "exit $rc: $(tr '\n' ' ' <"$WORK/start.err")"
		fi
	fi
fi
echo "$saved" >/proc/sys/vm/nr_hugepages

# Generator wires: traffic flows both ways, SIGTERM stops it cleanly and
# every frame received is accounted for on the other port.
hugepages 64
"$IXFWD" -c "$WORK/gen.yaml" >"$WORK/ixfwd.out" 2>"$WORK/ixfwd.log" &
pid=$!
if wait_for "$WORK/ixfwd.log" "forwarding:" 20; then
	sleep 1
	kill -TERM $pid
	wait $pid; rc=$?
else
	kill -KILL $pid; rc=99
fi
ok=1; why="exit $rc"
[ $rc -eq 0 ] || ok=0
for p in g0 g1; do
	q=$([ $p = g0 ] && echo g1 || echo g0)
	rx=$(counter $p rx_packets); tx=$(counter $q tx_packets)
	full=$(counter $q drop_tx_full)
	[ -n "$rx" ] && [ "$rx" -gt 10000 ] && [ "$rx" -eq $((tx + full)) ] &&
	    [ "$(counter $q hw_tx_packets)" = "$tx" ] ||
	    { ok=0; why="$why $p.rx=$rx $q.tx=$tx $q.drop_tx_full=$full $q.hw_tx=$(counter $q hw_tx_packets)"; }
done
grep -q 'sink' "$WORK/ixfwd.log" && { ok=0; why="$why $(grep sink "$WORK/ixfwd.log" | head -n 2)"; }
if [ $ok = 1 ]; then pass generator_run; else fail generator_run "$why"; fi
strict_check
exit $failed
