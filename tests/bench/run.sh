#!/bin/sh
# tests/bench/run.sh: `make bench`.  Runs every benchmark of ixfwd, prints
# one line per figure ("bench: ..."), writes tests/bench/results.md and
# tests/bench/cycles-per-batch.png.  About three minutes on two idle cores.
#
# The machine is shared and noisy: every figure comes with a baseline
# measured in the same run, and the ratios are what to compare between
# runs, not the absolute numbers.  Nothing here asserts a time.
#
# Environment: B (build directory, default build), MAKE, BENCH_SECONDS
# (measuring time per forwarding point, default 1), BENCH_QUICK=1 (the
# batch sweep at ring 512 and the ring sweep at batch 32 only, 3 rounds
# of each alternated pair instead of 5, 5 s idle instead of 10).
# As root it reserves hugepages and installs dpdk and gnuplot when they
# are missing; without root it uses what is there and says what it skips.

cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
MAKE=${MAKE:-make}
T=${BENCH_SECONDS:-1}
W=0.3
BATCHES="1,4,8,16,32,64,128,256"
RINGS="128,512,2048"
# Bare between every two variants: each is compared with the bare runs
# just before and after it, the machine's state changing by the minute.
VARIANTS="bare,filter,bare,rules,bare,bridge,bare,sample1000,bare,sampleall,bare,rules+sample1000,bare"
NULL_VARIANTS="bare,filter,bare,rules,bare,bridge,bare,sample1000,bare,rules+sample1000,bare"
RESULTS=tests/bench/results.md
PLOT=tests/bench/cycles-per-batch.png

mkdir -p "$B/bench"
LOG=$B/bench/bench.log
LINES=$B/bench/lines.txt
: >"$LOG"
: >"$LINES"
WORK=$(mktemp -d /dev/shm/ixfwd-bench.XXXXXX 2>/dev/null ||
    mktemp -d /tmp/ixfwd-bench.XXXXXX) || exit 1
trap 'rm -rf "$WORK"' EXIT INT TERM

root=0
[ "$(id -u)" -eq 0 ] && root=1
started=$(date +%s)

# A line for the table and the terminal.
say() {
	echo "$*"
	echo "$*" >>"$LINES"
}

# Run a benchmark program: its bench: lines are kept, the rest is logged.
run() {
	"$@" 2>>"$LOG" | while IFS= read -r l; do
		case "$l" in
		bench:*) say "$l" ;;
		*) echo "$l" >>"$LOG" ;;
		esac
	done
}

# The same for a program that does not print bench: lines itself.
run_prefixed() {
	prefix=$1
	shift
	"$@" 2>>"$LOG" | while IFS= read -r l; do
		case "$l" in
		bench:*) say "$l" ;;
		*[![:space:]]*) say "$prefix $(echo "$l" | sed 's/^ *//')" ;;
		esac
	done
}

# The value of key=... in a line (a quoted value keeps its spaces).
val() {
	printf '%s\n' "$1" | awk -v k="$2" '{
		i = index(" " $0, " " k "=")
		if (i == 0) exit
		s = substr($0, i + length(k) + 1)
		if (substr(s, 1, 1) == "\"") {
			s = substr(s, 2); print substr(s, 1, index(s, "\"") - 1)
		} else {
			sub(/ .*/, "", s); print s
		}
	}'
}

apt_install() {
	[ "$root" -eq 1 ] || return 1
	command -v apt-get >/dev/null 2>&1 || return 1
	echo "bench: installing $*" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >>"$LOG" 2>&1 ||
	    { apt-get update >>"$LOG" 2>&1 &&
	    DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >>"$LOG" 2>&1; }
}

# ---- the machine -----------------------------------------------------
cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
ncpu=$(getconf _NPROCESSORS_ONLN)
kernel=$(uname -sr)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: machine cpu=\"$cpu_model\" cores=$ncpu kernel=\"$kernel\" loadavg=\"$load_before\""
[ -x "$B/bench/bench_xcore" ] && run "$B/bench/bench_xcore"
[ -x "$B/bench/bench_membw" ] && run "$B/bench/bench_membw"

# ---- hugepages -------------------------------------------------------
want=192
free_hp=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
total_hp=$(awk '/^HugePages_Total:/ { print $2 }' /proc/meminfo)
if [ "${free_hp:-0}" -lt "$want" ] && [ "$root" -eq 1 ]; then
	echo $((total_hp + want - free_hp)) >/proc/sys/vm/nr_hugepages 2>/dev/null
	free_hp=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
fi
if [ "${free_hp:-0}" -lt 32 ]; then
	echo "bench: no hugepages (HugePages_Free=$free_hp; as root, make bench reserves them)"
	exit 1
fi

# ---- 1. forwarding on emulated ports ----------------------------------
if [ -n "$BENCH_QUICK" ]; then
	run "$B/bench/bench_fwd" -t "$T" -w $W -D "$WORK" -b "$BATCHES" -r 512 emu
	run "$B/bench/bench_fwd" -t "$T" -w $W -D "$WORK" -b 32 -r 128,2048 emu
else
	run "$B/bench/bench_fwd" -t "$T" -w $W -D "$WORK" -b "$BATCHES" -r "$RINGS" emu
fi
run "$B/bench/bench_fwd" -t "$T" -w $W -D "$WORK" -b 32 -r 512 -V "$VARIANTS" emu
# The same features on null ports: their cost to the worker alone.
run "$B/bench/bench_fwd" -t "$T" -w $W -D "$WORK" -b 32 -r 512 -V "$NULL_VARIANTS" null

# ---- 2. the framework against DPDK, on null ports ---------------------
testpmd=$(command -v dpdk-testpmd)
dpdk_why=
if [ -z "$testpmd" ]; then
	if apt_install dpdk dpdk-dev librte-net-null23; then
		testpmd=$(command -v dpdk-testpmd)
	fi
	[ -z "$testpmd" ] && dpdk_why="dpdk-testpmd not installed and could not be (root: $root; packages dpdk, dpdk-dev, librte-net-null23)"
fi
if [ -n "$testpmd" ] && ! ls /usr/lib/*/dpdk/pmds-*/librte_net_null.so* >/dev/null 2>&1 &&
    ! ls /usr/lib/*/librte_net_null.so* >/dev/null 2>&1; then
	apt_install librte-net-null23 ||
	    dpdk_why="DPDK's net_null driver is missing (package librte-net-null23)"
fi

# One testpmd run: io forwarding between net_null0 and net_null1 on lcore
# 1, burst 32, rings 512; the Mpps is the median of the per-second
# throughputs after the first one (sum of both ports' TX), the cycles per
# packet testpmd's own (--record-core-cycles: TSC in bursts that moved
# packets, as ixfwd counts them).
dpdk_run() {
	out=$WORK/testpmd.out
	timeout -s INT 6 "$testpmd" --no-pci --in-memory -l 0,1 \
	    --vdev net_null0 --vdev net_null1 --log-level=lib.eal:error -- \
	    --forward-mode=io --burst=32 --txd=512 --rxd=512 --nb-cores=1 \
	    --total-num-mbufs=16384 --auto-start --stats-period 1 \
	    --record-core-cycles >"$out" 2>&1 </dev/null
	cat "$out" >>"$LOG"
	mpps=$(awk '/Tx-pps:/ { s += $2; n++; if (n % 2 == 0) { print s; s = 0 } }' "$out" |
	    awk '$1 > 0 { v[++n] = $1 } END {
		if (n < 2) exit
		m = 0; for (i = 2; i <= n; i++) w[++m] = v[i]
		for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
			if (w[j] < w[i]) { t = w[i]; w[i] = w[j]; w[j] = t }
		x = m % 2 ? w[(m + 1) / 2] : (w[m / 2] + w[m / 2 + 1]) / 2
		printf "%.3f\n", x / 1e6 }')
	cpp=$(sed -n 's/.*CPU cycles\/packet=\([0-9.]*\).*/\1/p' "$out" | tail -n 1)
	if [ -z "$mpps" ]; then
		why=$(grep -v '^ *$' "$out" | tail -n 1)
		say "bench: null dpdk failed (testpmd printed no throughput: $why)"
		return 1
	fi
	say "bench: null dpdk batch=32 ring=512 mpps=$mpps cycles_per_pkt=${cpp:-0}"
}

for round in 1 2; do
	run "$B/bench/bench_fwd" -t "$T" -w $W -D "$WORK" -b 32 -r 512 null
	if [ -z "$dpdk_why" ]; then
		dpdk_run || dpdk_why="testpmd failed; see $LOG"
	fi
done
[ -n "$dpdk_why" ] && say "bench: dpdk skipped ($dpdk_why)"

# the ratio, over the two alternations
awk '
/^bench: null ixfwd batch=/ { for (i = 1; i <= NF; i++) { split($i, kv, "=")
	if (kv[1] == "mpps") { im += kv[2]; in_++ } if (kv[1] == "cycles_per_pkt") ic += kv[2] } }
/^bench: null dpdk batch=/ { for (i = 1; i <= NF; i++) { split($i, kv, "=")
	if (kv[1] == "mpps") { dm += kv[2]; dn++ } if (kv[1] == "cycles_per_pkt") dc += kv[2] } }
END {
	if (in_ == 0 || dn == 0) exit
	printf "bench: null ixfwd_mpps=%.3f dpdk_mpps=%.3f ratio=%.3f ixfwd_cycles_per_pkt=%.1f dpdk_cycles_per_pkt=%.1f cycles_ratio=%.3f\n",
	    im / in_, dm / dn, (im / in_) / (dm / dn), ic / in_, dc / dn, (dc > 0 ? (ic / in_) / (dc / dn) : 0)
}' "$LINES" | while IFS= read -r l; do say "$l"; done

# ---- 3. filter cost ---------------------------------------------------
if [ -f tests/bench/bench_filter.c ]; then
	if $MAKE -s B="$B" "$B/bench/bench_filter" >>"$LOG" 2>&1; then
		run "$B/bench/bench_filter" 0.1
	else
		say "bench: filter skipped (tests/bench/bench_filter.c does not build; see $LOG)"
	fi
else
	say "bench: filter skipped (no tests/bench/bench_filter.c yet)"
fi
if [ -f tests/bench/bench_bridge.c ]; then
	if $MAKE -s B="$B" "$B/bench/bench_bridge" >>"$LOG" 2>&1; then
		run_prefixed "bench: bridge" "$B/bench/bench_bridge"
	else
		say "bench: bridge skipped (tests/bench/bench_bridge.c does not build; see $LOG)"
	fi
fi

# ---- 4. the capture writer --------------------------------------------
run "$B/bench/bench_capture" -t 2 -s 128

# ---- 4b. jumbo frames: one large buffer against chained 2 KiB buffers --
run "$B/bench/bench_jumbo"

# ---- 4c. multi-queue scaling and adaptive polling ---------------------
# Pairs run alternately (a b, b a, ...) and compared round by round:
# two workers on two cpus against one serving the same four queues
# (null ports: the framework alone; bare, with rules, bridged), then poll: adaptive against busy on
# fully loaded null ports and emulated ports (the bookkeeping when no
# worker ever idles).
ROUNDS=5
[ -n "$BENCH_QUICK" ] && ROUNDS=3
say "bench: pairs loadavg=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
run "$B/bench/bench_fwd" -t "$T" -w $W -D "$WORK" -b 32 -r 512 -P mq1/mq2 -n $ROUNDS null
# the same with what workers write per frame: rule hit counters (their
# own), the MAC table's learning (shared), and the bridge without it
for v in rules bridge lookup; do
	run "$B/bench/bench_fwd" -t "$T" -w $W -D "$WORK" -b 32 -r 512 -P mq1-$v/mq2-$v -n 3 null
done
[ -z "$BENCH_QUICK" ] &&
    run "$B/bench/bench_fwd" -t "$T" -w $W -D "$WORK" -b 32 -r 512 -P bare/mq1 -n 3 null
run "$B/bench/bench_fwd" -t "$T" -w $W -D "$WORK" -b 32 -r 512 -P busy/adaptive -n $ROUNDS null
run "$B/bench/bench_fwd" -t "$T" -w $W -D "$WORK" -b 32 -r 512 -P busy/adaptive -n 3 emu

# ---- 4d. an idle and a lightly loaded daemon: busy against adaptive ----
if $MAKE -s B="$B" "$B/tools/sleepcost" >>"$LOG" 2>&1; then
	if [ -n "$BENCH_QUICK" ]; then
		run sh tests/bench/bench_poll.sh "$B/ixfwd" "$B/tools/sleepcost" 5 50
	else
		run sh tests/bench/bench_poll.sh "$B/ixfwd" "$B/tools/sleepcost" 10 50
	fi
else
	say "bench: poll skipped (tests/tools/sleepcost.c does not build; see $LOG)"
fi

# ---- 5. ratios, table, plot -------------------------------------------
awk '
function v(k,   i, kv) {
	for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) return kv[2] }
	return ""
}
/^bench: fwd ratio / { printf "bench: baseline %s vs bare: mpps_ratio=%s cycles_ratio=%s\n", v("variant"), v("mpps_ratio"), v("cycles_ratio") }
/^bench: null ratio / { printf "bench: baseline %s vs bare (null ports): cycles_ratio=%s extra_cycles=%s\n", v("variant"), v("cycles_ratio"), v("extra_cycles") }
/^bench: null ixfwd_mpps=/ { printf "bench: baseline ixfwd vs dpdk (null ports): mpps_ratio=%s cycles_ratio=%s\n", v("ratio"), v("cycles_ratio") }
/^bench: pair .* rounds=/ { printf "bench: baseline %s vs %s (%s ports, median of %s rounds): mpps_ratio=%s (%s to %s)\n", v("b"), v("a"), v("mode"), v("rounds"), v("median_mpps_ratio"), v("min_mpps_ratio"), v("max_mpps_ratio") }
' "$LINES"
grep '^bench: filter kind=bpf-jit' "$LINES" | while IFS= read -r l; do
	echo "bench: baseline jit vs libpcap \"$(val "$l" expr)\": time_ratio=$(val "$l" ratio_vs_libpcap)"
done

elapsed=$(($(date +%s) - started))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
sh tests/bench/report.sh "$LINES" "$RESULTS" "$PLOT" "$cpu_model" "$ncpu" \
    "$kernel" "$load_before" "$load_after" "$elapsed" "$WORK" "$LOG"

# The README shows the latest summary: the block between its bench
# markers is replaced by the machine, the variants and the targets from
# the new results.
if [ -f README.md ] && grep -q '^<!-- bench:begin' README.md; then
	awk -v results="$RESULTS" '
	function summary(   l, on, started) {
		while ((getline l < results) > 0) {
			if (l ~ /^Written by /) { print l; print ""; continue }
			if (l ~ /^- (CPU|Kernel|Memory bandwidth):|^- A cache line/) { print l; continue }
			if (l ~ /^## /) {
				on = (l ~ /^## (Variants|What each feature|Multi-queue|Adaptive polling|Jumbo|Against the targets)/)
				if (on && !started++) print ""
			}
			if (on) print (l ~ /^## / ? "#" l : l)
		}
		close(results)
	}
	/^<!-- bench:begin/ { print; print ""; summary(); print ""
		print "![worker cycles per packet against batch size](tests/bench/cycles-per-batch.png)"
		print ""; skip = 1; next }
	/^<!-- bench:end/ { skip = 0 }
	!skip { print }' README.md >"$WORK/README.md" &&
	    cat "$WORK/README.md" >README.md
fi
echo "bench: done in ${elapsed}s: $RESULTS, $PLOT, README.md (log: $LOG)"
