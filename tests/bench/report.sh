#!/bin/sh
# tests/bench/report.sh: the Markdown table and the plot of `make bench`,
# from the "bench: ..." lines run.sh kept.
#
#	report.sh LINES RESULTS.md PLOT.png CPU NCPU KERNEL LOAD_BEFORE
#	    LOAD_AFTER SECONDS WORKDIR LOG

lines=$1 results=$2 plot=$3 cpu=$4 ncpu=$5 kernel=$6 load0=$7 load1=$8
secs=$9
shift 9
work=$1 log=$2

# ---- the plot: worker cycles per packet against the batch size --------
data=$work/cycles.dat
awk '
function v(k,   i, kv) {
	for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) return kv[2] }
	return ""
}
/^bench: fwd batch=/ { c[v("batch"), v("ring")] = v("cycles_per_pkt"); b[v("batch")] = 1; r[v("ring")] = 1 }
END {
	nb = 0; for (x in b) bs[++nb] = x + 0
	for (i = 1; i <= nb; i++) for (j = i + 1; j <= nb; j++) if (bs[j] < bs[i]) { t = bs[i]; bs[i] = bs[j]; bs[j] = t }
	nr = 0; for (x in r) rs[++nr] = x + 0
	for (i = 1; i <= nr; i++) for (j = i + 1; j <= nr; j++) if (rs[j] < rs[i]) { t = rs[i]; rs[i] = rs[j]; rs[j] = t }
	printf "batch"; for (j = 1; j <= nr; j++) printf " ring%d", rs[j]; printf "\n"
	for (i = 1; i <= nb; i++) {
		printf "%d", bs[i]
		for (j = 1; j <= nr; j++) { x = c[bs[i], rs[j]]; printf " %s", (x == "" ? "NaN" : x) }
		printf "\n"
	}
}' "$lines" >"$data"

plot_note=
gp=$(command -v gnuplot)
if [ -z "$gp" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "bench: installing gnuplot-nox" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y gnuplot-nox >>"$log" 2>&1 ||
	    { apt-get update >>"$log" 2>&1 &&
	    DEBIAN_FRONTEND=noninteractive apt-get install -y gnuplot-nox >>"$log" 2>&1; }
	gp=$(command -v gnuplot)
fi
ncols=$(head -n 1 "$data" | wc -w)
if [ -z "$gp" ]; then
	plot_note="no plot: gnuplot is not installed (apt-get install gnuplot-nox, as root)"
	echo "bench: plot skipped ($plot_note)"
elif [ "$(wc -l <"$data")" -lt 2 ]; then
	plot_note="no plot: no forwarding point was measured"
	echo "bench: plot skipped ($plot_note)"
else
	{
		echo 'set terminal pngcairo size 900,560 font "sans,11" noenhanced'
		echo "set output '$plot'"
		echo 'set title "ixfwd worker: TSC cycles per packet, 64-byte frames, 2 emulated 82599s"'
		echo 'set xlabel "batch size (packets per rx_batch call)"'
		echo 'set ylabel "worker cycles per packet"'
		echo 'set logscale x 2'
		echo 'set logscale y 2'
		echo 'set yrange [32:*]'
		echo 'set grid'
		echo 'set key top right'
		echo 'set datafile missing "NaN"'
		echo "set label 1 'target of issue 4: 60' at graph 0.02, first 60 offset 0,0.7 textcolor rgb '#606060'"
		echo 'set arrow 1 from graph 0, first 60 to graph 1, first 60 nohead dashtype 2 linecolor rgb "#808080"'
		printf 'plot'
		i=2
		while [ "$i" -le "$ncols" ]; do
			ring=$(head -n 1 "$data" | awk -v i="$i" '{ sub(/ring/, "", $i); print $i }')
			[ "$i" -gt 2 ] && printf ','
			printf " '%s' using 1:%d with linespoints linewidth 2 title 'ring %s'" \
			    "$data" "$i" "$ring"
			i=$((i + 1))
		done
		echo
	} >"$work/plot.gp"
	if "$gp" "$work/plot.gp" >>"$log" 2>&1; then
		echo "bench: plot $plot"
	else
		plot_note="no plot: gnuplot failed (see $log)"
		echo "bench: plot skipped ($plot_note)"
	fi
fi

# ---- the Markdown -------------------------------------------------------
awk -v cpu="$cpu" -v ncpu="$ncpu" -v kernel="$kernel" -v load0="$load0" \
    -v load1="$load1" -v secs="$secs" -v date="$(date -u '+%Y-%m-%d %H:%M UTC')" \
    -v plot="$(basename "$plot")" -v plot_note="$plot_note" '
function v(k,   i, kv) {
	for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) return kv[2] }
	return ""
}
function q(k,   i, s) {		# a quoted value
	i = index($0, " " k "=\"")
	if (i == 0) return v(k)
	s = substr($0, i + length(k) + 3)
	return substr(s, 1, index(s, "\"") - 1)
}
function why(   s) {
	s = $0; sub(/^[^(]*\(/, "", s); sub(/\)$/, "", s)
	sub(/[^ ]*\.yaml:[0-9]+:[0-9]+: /, "", s)	# the generated file
	gsub(/\|/, "\\|", s)
	return s
}
function cell_code(s) {
	if (s == "") return "-"
	gsub(/\|/, "\\|", s)
	return "`" s "`"
}
function pair_table(pk, la, lb,   i) {
	if (!(pk in pseen)) return 0
	printf "| round | %s Mpps | %s Mpps | Mpps ratio | %s cycles/pkt | %s cycles/pkt | cpus given | Mpps per cpu given, ratio |\n", la, lb, la, lb
	print "|---:|---:|---:|---:|---:|---:|---|---:|"
	for (i = 1; i <= prn[pk]; i++) print prr[pk, i]
	print ""
	if (pk in pmed) printf "Median ratio **%s** (rounds from %s to %s); median Mpps %s (%s) and %s (%s); cycles per packet ratio %s; Mpps per cpu given, ratio %s.\n\n", pmed[pk], pmin[pk], pmax[pk], pam[pk], la, pbm[pk], lb, pcyc[pk], pcpu[pk]
	return 1
}
# the mq1-WHAT/mq2-WHAT pair, under a line saying what WHAT adds
function pair_section(what, text,   pk) {
	pk = "null mq1-" what " mq2-" what
	if (!(pk in pseen)) return
	print text
	print ""
	pair_table(pk, "1 worker", "2 workers")
}
function sortn(a, n,   i, j, t) {
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
}
/^bench: machine xcore_cycles=/ { xcore = v("xcore_cycles") }
/^bench: machine cores / { alub = v("alu_both"); l1b = v("l1_both") }
/^bench: membw / { membw = sprintf("read %s GB/s from one core, %s from two together; write %s and %s", v("read_1"), v("read_2"), v("write_1"), v("write_2")) }
/^bench: fwd batch=/ {
	k = v("batch") SUBSEP v("ring")
	cell[k] = sprintf("%.2f / %.0f / %s%s", v("mpps"), v("cycles_per_pkt"), v("bottleneck"), v("cpu_contended") == "yes" ? " \\*" : "")
	if (!(v("batch") in hb)) { hb[v("batch")] = 1; bl[++nb] = v("batch") }
	if (!(v("ring") in hr)) { hr[v("ring")] = 1; rl[++nr] = v("ring") }
	if (v("cpu_contended") == "yes") contended++
	npoints++
}
/^bench: fwd variant=/ && / skipped / { vname = v("variant"); vrow[++nv] = sprintf("| %s | skipped: %s | | | | |", vname, why()) ; next }
/^bench: fwd variant=/ && / failed / { vname = v("variant"); vrow[++nv] = sprintf("| %s | failed: %s | | | | |", vname, why()) ; next }
/^bench: fwd variant=/ {
	vname = v("variant")
	if (vname == "bare") { nbare++; bm += v("mpps"); bc += v("cycles_per_pkt"); bbusy += v("busy") }
	vrow[++nv] = sprintf("| %s | %.2f | %.0f | @%s@mpps | @%s@cyc | %s%s |", vname, v("mpps"), v("cycles_per_pkt"), vname, vname, v("bottleneck"), v("cpu_contended") == "yes" ? " \\*" : "")
	vm[vname] = v("mpps"); vc[vname] = v("cycles_per_pkt")
}
/^bench: fwd ratio / { rm[v("variant")] = v("mpps_ratio"); rc[v("variant")] = v("cycles_ratio") }
/^bench: null variant=/ && !/ failed / {
	pname = v("variant")
	if (pname == "bare") { npb++; npbc += v("cycles_per_pkt") }
	prow[++np] = sprintf("| %s | %.2f | %.1f | @%s@extra | @%s@pcyc |", pname, v("mpps"), v("cycles_per_pkt"), pname, pname)
}
/^bench: null variant=/ && / failed / { prow[++np] = sprintf("| %s | failed: %s | | | |", v("variant"), why()) }
/^bench: null ratio / { pe[v("variant")] = v("extra_cycles"); pc[v("variant")] = v("cycles_ratio") }
/^bench: null ixfwd batch=/ { nrow[++nn] = sprintf("| ixfwd (null ports) | %.2f | %.1f |", v("mpps"), v("cycles_per_pkt")) }
/^bench: null ixfwd failed/ { nrow[++nn] = sprintf("| ixfwd (null ports) | failed: %s | |", why()) }
/^bench: null dpdk batch=/ { nrow[++nn] = sprintf("| DPDK testpmd (net_null) | %.2f | %.1f |", v("mpps"), v("cycles_per_pkt")) }
/^bench: null dpdk failed/ { nrow[++nn] = sprintf("| DPDK testpmd (net_null) | failed: %s | |", why()) }
/^bench: dpdk skipped/ { dskip = why() }
/^bench: null ixfwd_mpps=/ { nratio = v("ratio"); ncratio = v("cycles_ratio"); nim = v("ixfwd_mpps"); ndm = v("dpdk_mpps") }
/^bench: filter kind=/ {
	frow[++nf] = sprintf("| %s | %s | %.2f | %.1f | %s |", v("kind"), cell_code(q("expr")), v("ns_per_pkt"), v("cycles_per_pkt"), v("ratio_vs_libpcap") == "" ? "" : v("ratio_vs_libpcap"))
}
/^bench: filter skipped/ { fskip = why() }
/^bench: bridge / && !/ xcore / { brow[++nbr] = $0 }
/^bench: bridge skipped/ { brow[nbr] = "skipped: " why() }
/^bench: capture snaplen=/ {
	cap = sprintf("| %s | %.0f | %.1f | %.0f | %s | %s |", v("snaplen"), v("samples_per_s"), v("mbytes_per_s"), v("offered_per_s"), v("ring_full"), v("write_failed"))
}
/^bench: capture (skipped|failed)/ { capskip = why() }
/^bench: pairs loadavg=/ { pairs_load = q("loadavg") }
/^bench: pair .* round=/ {
	pk = v("mode") " " v("a") " " v("b")
	if (!(pk in pseen)) { pseen[pk] = 1; porder[++npk] = pk }
	prr[pk, ++prn[pk]] = sprintf("| %s%s | %.2f | %.2f | %s | %.1f | %.1f | %s / %s | %s |", v("round"), (v("a_contended") == "yes" || v("b_contended") == "yes") ? " \\*" : "", v("a_mpps"), v("b_mpps"), v("mpps_ratio"), v("a_cycles_per_pkt"), v("b_cycles_per_pkt"), v("a_cpu"), v("b_cpu"), v("mpps_per_cpu_ratio"))
}
/^bench: pair .* rounds=/ {
	pk = v("mode") " " v("a") " " v("b")
	pmed[pk] = v("median_mpps_ratio"); pmin[pk] = v("min_mpps_ratio"); pmax[pk] = v("max_mpps_ratio")
	pcyc[pk] = v("median_cycles_ratio"); pam[pk] = v("a_mpps"); pbm[pk] = v("b_mpps"); pcpu[pk] = v("median_mpps_per_cpu_ratio")
}
/^bench: pair .* failed/ { pfail = pfail "- " why() "\n" }
/^bench: poll sleepcost / { sleepcost = v("cpu_percent") }
/^bench: poll idle / { pidle[v("mode")] = v("cpu_percent") " (load " v("loadavg") ")"; pidle_pc[v("mode")] = v("cpu_percent"); idle_secs = v("seconds") }
/^bench: poll ping / && !/ failed/ { ping[v("mode")] = sprintf("%s | %s | %s | %s/%s", v("median_ms"), v("p99_ms"), v("max_ms"), v("replies"), v("pings")); pmedms[v("mode")] = v("median_ms"); pp99[v("mode")] = v("p99_ms") }
/^bench: poll (skipped|failed)/ || /^bench: poll ping .* failed/ { pollskip = pollskip why() " " }
/^bench: bridge xcore / { xrow[++nx] = sprintf("| %s | %s | %s | %s | %s |", v("clock"), v("threads"), v("stations"), v("cycles"), v("ratio") == "1" ? "1 (baseline)" : v("ratio")); next }
/^bench: jumbo scheme=/ {
	jrow[++nj] = sprintf("| %s | %s | %s | %.1f | %s |", v("scheme"), v("frame"), v("data"), v("cycles"), v("ratio") == "1" ? "1 (baseline)" : v("ratio"))
}
/^bench: jumbo decision / { jdec = sprintf("Chained 2 KiB buffers copied into one cost %s times the cycles of one large buffer per 9014-byte frame (data in memory), %s times (data in cache): the driver receives into one buffer per frame (SRRCTL.BSIZEPKT from the pool).", v("scatter_over_onebuf_cold"), v("scatter_over_onebuf_warm")) }
/^bench: jumbo failed/ { jskip = why() }
END {
	print "# ixfwd benchmarks"
	print ""
	printf "Written by `make bench` (tests/bench/run.sh) on %s, in %s s.\n\n", date, secs
	printf "- CPU: %s, %s cores online\n", cpu, ncpu
	printf "- Kernel: %s\n", kernel
	if (xcore != "") printf "- A cache line between cpu 0 and cpu 1: %s TSC cycles one way (tests/bench/bench_xcore.c)\n", xcore
	if (alub != "") printf "- cpu 0 and cpu 1 running at once kept %s of their speed alone on arithmetic and %s on work in their own L1 cache (bench_xcore.c, a few seconds in the phase of that moment): near 1, two cores; near 0.5, two hyperthreads of one core, on which two workers cannot reach much more than one\n", alub, l1b
	if (membw != "") printf "- Memory bandwidth: %s (tests/bench/bench_membw.c, the fastest of 4 passes over 64 MiB per core)\n", membw
	printf "- Load average before / after: %s / %s\n", load0, load1
	print ""
	print "**Read the ratios, not the absolute numbers.** This is a shared, noisy"
	print "2-core virtual machine: other work runs on the same cores, and a cache"
	print "line moving between the two cores costs hundreds of cycles.  Each figure"
	print "below has its baseline measured in the same run (variants against bare"
	print "forwarding, ixfwd against DPDK, the compiled filters against libpcap)."
	print "Points marked \\* had the worker or the emulator below 90% of a core"
	print "(schedstat): something else ran on their core."
	print ""
	print "## Forwarding on two emulated 82599s"
	print ""
	print "64-byte frames from generator wires, both directions on one worker"
	print "(cpu 0), the emulator engine on cpu 1.  Cells: Mpps forwarded (both"
	print "directions) / worker TSC cycles per packet / bottleneck (`worker`: the"
	print "worker was busy at least 90% of the time; `nic`: it waited for the"
	print "emulated NICs)."
	print ""
	if (npoints == 0) print "No point was measured (see the log)."
	else {
		sortn(bl, nb); sortn(rl, nr)
		printf "| batch |"; for (j = 1; j <= nr; j++) printf " ring %s |", rl[j]; printf "\n"
		printf "|---:|"; for (j = 1; j <= nr; j++) printf "---|"; printf "\n"
		for (i = 1; i <= nb; i++) {
			printf "| %s |", bl[i]
			for (j = 1; j <= nr; j++) printf " %s |", cell[bl[i], rl[j]]
			printf "\n"
		}
	}
	print ""
	if (plot_note == "") printf "![worker cycles per packet against batch size](%s)\n\n", plot
	else printf "(%s)\n\n", plot_note
	print "## Variants (batch 32, ring 512)"
	print ""
	print "Bare forwarding was measured before and after every variant; a"
	print "variant'\''s ratios are against the mean of the two bare runs around it."
	print ""
	print "| variant | Mpps | cycles/pkt | Mpps vs bare | cycles vs bare | bottleneck |"
	print "|---|---:|---:|---:|---:|---|"
	for (i = 1; i <= nv; i++) {
		s = vrow[i]
		if (match(s, /@[^@]*@mpps/)) { n = substr(s, RSTART + 1, RLENGTH - 6); s = substr(s, 1, RSTART - 1) (n in rm ? rm[n] : (n == "bare" ? "1 (baseline)" : "")) substr(s, RSTART + RLENGTH) }
		if (match(s, /@[^@]*@cyc/)) { n = substr(s, RSTART + 1, RLENGTH - 5); s = substr(s, 1, RSTART - 1) (n in rc ? rc[n] : (n == "bare" ? "1 (baseline)" : "")) substr(s, RSTART + RLENGTH) }
		print s
	}
	print ""
	if (np > 0) {
		print "## What each feature costs the worker: the variants on null ports"
		print ""
		print "The same configurations with the two ports turned into null ports"
		print "(`device: null`: RX hands out a fixed IPv4/UDP frame, TX frees it),"
		print "the worker alone on cpu 1.  No NIC and no cache line from another"
		print "core: the cycles a feature adds over bare are its own work per"
		print "packet.  Bare was measured before and after every variant; extra"
		print "cycles are against the mean of the two bare runs around it."
		print ""
		print "| variant | Mpps | cycles/pkt | extra cycles/pkt | cycles vs bare |"
		print "|---|---:|---:|---:|---:|"
		for (i = 1; i <= np; i++) {
			s = prow[i]
			if (match(s, /@[^@]*@extra/)) { n = substr(s, RSTART + 1, RLENGTH - 7); s = substr(s, 1, RSTART - 1) (n in pe ? pe[n] : (n == "bare" ? "0 (baseline)" : "")) substr(s, RSTART + RLENGTH) }
			if (match(s, /@[^@]*@pcyc/)) { n = substr(s, RSTART + 1, RLENGTH - 6); s = substr(s, 1, RSTART - 1) (n in pc ? pc[n] : (n == "bare" ? "1 (baseline)" : "")) substr(s, RSTART + RLENGTH) }
			print s
		}
		print ""
	}
	print "## Framework overhead: null ports, ixfwd against DPDK"
	print ""
	print "Two null ports forwarding both ways on one core, burst 32, rings 512,"
	print "run alternately: ixfwd (`device: null`) and `dpdk-testpmd --vdev"
	print "net_null0 --vdev net_null1 --forward-mode=io`.  Cycles per packet are"
	print "TSC cycles in bursts that moved packets, for both."
	print ""
	print "| run | Mpps | cycles/pkt |"
	print "|---|---:|---:|"
	for (i = 1; i <= nn; i++) print nrow[i]
	print ""
	if (nratio != "") printf "ixfwd / DPDK: **%s** of DPDK'\''s rate (%s vs %s Mpps), %s of its cycles per packet.\n\n", nratio, nim, ndm, ncratio
	if (dskip != "") printf "DPDK skipped: %s\n\n", dskip
	print "## Filter cost"
	print ""
	if (nf == 0) printf "%s\n\n", (fskip == "" ? "Not measured." : "Skipped: " fskip)
	else {
		print "tests/bench/bench_filter.c: a mix of varied frames in batches of 32;"
		print "the ratio is the time of the engine over libpcap'\''s `pcap_offline_filter`"
		print "on the same expression (0.1: ten times faster)."
		print ""
		print "| engine | expression | ns/pkt | cycles/pkt | vs libpcap |"
		print "|---|---|---:|---:|---:|"
		for (i = 1; i <= nf; i++) print frow[i]
		print ""
	}
	if (nbr > 0) {
		print "## Bridge"
		print ""
		for (i = 1; i <= nbr; i++) printf "    %s\n", brow[i]
		print ""
	}
	print "## Capture writer"
	print ""
	if (cap == "") printf "%s\n\n", (capskip == "" ? "Not measured." : "Skipped: " capskip)
	else {
		print "Every sample (1 in 1) written to pcap files on tmpfs, one producer"
		print "thread offering as fast as it can, the writer on the other core."
		print "The forwarding rate while capturing everything is the `sampleall`"
		print "variant above."
		print ""
		print "| snaplen | samples/s written | MB/s | offered/s | ring full (dropped samples) | write failed |"
		print "|---:|---:|---:|---:|---:|---:|"
		print cap
		print ""
	}
	print "## Multi-queue scaling: two workers on two cores"
	print ""
	print "Two null ports with two RX queues each, forwarding both ways: one"
	print "worker on cpu 1 serving all four queues (`queues: 2, cpus: [1]`)"
	print "against two workers (`cpus: [0, 1]`), each serving queue q of both"
	print "ports and sending on its own TX queues.  Null ports hand out frames"
	print "as fast as they are asked, so this measures the framework; Mpps are"
	print "both workers together, cycles per packet the mean of the workers."
	print "Runs alternate (1, 2, 2, 1, ...); the ratio is two workers over one"
	print "in the same round (target: 1.9 or more).  \\*: a worker was below"
	print "90% of a core (something else ran on its core)."
	print "`cpus given`: the cores the scheduler gave the watched threads"
	print "(schedstat; the workers, and on emulated ports the emulator too);"
	print "Mpps per cpu given is the rate over them, so its ratio shows what"
	print "sharing costs apart from how many cores the machine had free."
	print "Cycles per packet count TSC cycles, descheduled time included."
	if (pairs_load != "") printf "Load average when the pairs started: %s.\n", pairs_load
	print ""
	if (!pair_table("null mq1 mq2", "1 worker", "2 workers")) print "Not measured.\n"
	pair_section("rules", "With five rules on each path (every frame parsed, and the hit counter of its rule, each path its own per worker, written):")
	pair_section("bridge", "The two ports a learning bridge: every frame learns its source into the one MAC table both workers share (a known station: a load, and a store at most once a second) and is flooded:")
	pair_section("lookup", "The bridge with learning off (lookups only, nothing written to the table):")
	if ("null bare mq1" in pseen) {
		print "The same single worker with one queue per port (`bare`) against two"
		print "(`mq1`): what polling twice as many queues costs one worker."
		print ""
		pair_table("null bare mq1", "1 queue", "2 queues")
	}
	print "## Adaptive polling"
	print ""
	print "`poll: adaptive` (the default, max_sleep 100 us) against `poll: busy`,"
	print "alternated, at full rate: a loaded worker never idles, so this is what"
	print "the adaptive bookkeeping costs when busy (target: 0.98 or more of"
	print "busy'\''s rate)."
	print ""
	print "Null ports, one worker:"
	print ""
	if (!pair_table("null busy adaptive", "busy", "adaptive")) print "Not measured.\n"
	print "Two emulated 82599s with generator wires (64-byte frames), the"
	print "worker on cpu 0, the emulator on cpu 1:"
	print ""
	if (!pair_table("emu busy adaptive", "busy", "adaptive")) print "Not measured.\n"
	if (("busy" in pidle) || ("adaptive" in pidle)) {
		print "An idle daemon, and pings through it: a two-port bridge of emulated"
		print "82599s whose wires are veth pairs to two namespaces, one worker on"
		printf "cpu 0, the emulator on cpu 1 (tests/bench/bench_poll.sh).  Idle CPU:\n"
		printf "user + system time of the whole daemon over %s s without traffic,\n", idle_secs
		print "in percent of one core.  Ping: 50 pings at 0.1 s intervals from one"
		print "namespace to the other, round-trip times in ms (p99: nearest rank)."
		print ""
		print "| poll | idle CPU % (load average) | ping median | p99 | max | replies |"
		print "|---|---:|---:|---:|---:|---:|"
		for (m = 0; m < 2; m++) {
			mm = m == 0 ? "busy" : "adaptive"
			printf "| %s | %s | %s |\n", mm, (mm in pidle) ? pidle[mm] : "-", (mm in ping) ? ping[mm] : "- | - | - | -"
		}
		print ""
		if (sleepcost != "") printf "A loop of 100 us timed sleeps costs %s%% of a core on this machine (tests/tools/sleepcost.c): the floor of an idle adaptive worker.\n", sleepcost
		if (("busy" in pmedms) && ("adaptive" in pmedms)) printf "Round trip, adaptive minus busy: %+.0f us at the median, %+.0f us at p99 (a ping crosses the worker twice, each time perhaps asleep).\n", 1000 * (pmedms["adaptive"] - pmedms["busy"]), 1000 * (pp99["adaptive"] - pp99["busy"])
		print ""
	}
	if (pollskip != "") printf "Idle and ping: %s\n\n", pollskip
	if (pfail != "") printf "Failed:\n%s\n", pfail
	if (nx > 0) {
		print "## The bridge'\''s MAC table on two cores"
		print ""
		print "tests/bench/bench_bridge.c: two threads on cpu 0 and cpu 1 learning"
		print "and looking up through one table at once, 1000 stations each, against"
		print "one thread alone.  `same`: both hear the same stations, so they"
		print "refresh the same entries; `different`: each its own; `moving`: the"
		print "same stations, heard by the second thread on other ports, so every"
		print "frame moves its source back (a station flapping between ports of two"
		print "workers, as in a switching loop).  The clock ticks"
		print "once a round of 65536 frames (a refresh store per station each"
		print "round, far more often than the once a second of real time) or once"
		print "a batch (every learn stores: the worst case).  Cycles per frame per"
		print "thread."
		print ""
		print "| clock | threads | stations | cycles/frame | vs 1 thread |"
		print "|---|---:|---|---:|---:|"
		for (i = 1; i <= nx; i++) print xrow[i]
		print ""
	}
	print "## Jumbo frames: receiving into one buffer or several"
	print ""
	if (nj == 0) printf "%s\n\n", (jskip == "" ? "Not measured." : "Skipped: " jskip)
	else {
		print "tests/bench/bench_jumbo.c: the driver'\''s RX loop on a ring in DMA"
		print "memory, worker cycles per frame up to the pipeline'\''s first look at"
		print "it.  `onebuf`: 9 KiB buffers, one descriptor per frame (what ixfwd"
		print "does); `scatter`: 2 KiB buffers chained to EOP and copied into one"
		print "(the filters, parser and bridge need contiguous bytes).  `cold`: the"
		print "frames'\'' lines flushed to memory, as after DMA; `warm`: in this core'\''s"
		print "cache.  Ratios against 64-byte frames in the same data state."
		print ""
		print "| scheme | frame | data | cycles/frame | vs 64 bytes |"
		print "|---|---:|---|---:|---:|"
		for (i = 1; i <= nj; i++) print jrow[i]
		print ""
		if (jdec != "") printf "%s\n\n", jdec
	}
	print "## Against the targets of issue 4"
	print ""
	k = "32" SUBSEP "512"
	if (nbare > 0) printf "- Bare forwarding, batch 32: %.0f worker cycles per packet (target: 60 or fewer): %s.\n", bc / nbare, (bc / nbare <= 60 ? "met" : "not met")
	else print "- Bare forwarding, batch 32: not measured."
	if (nbare > 0) printf "  The bottleneck was %s (worker busy %.0f%% of the time at bare).\n", (bbusy / nbare >= 0.9 ? "the worker" : "the emulated NIC"), 100 * bbusy / nbare
	if ("rules+sample1000" in rm) printf "- 5 rules and 1-in-1000 sampling: %s of the bare rate (target: 0.9 or more): %s.\n", rm["rules+sample1000"], (rm["rules+sample1000"] >= 0.9 ? "met" : "not met")
	else print "- 5 rules and 1-in-1000 sampling: not measured yet (see the variants)."
	if ("rules+sample1000" in pe) printf "  On null ports they cost the worker %s cycles per packet over bare (%.1f).\n", pe["rules+sample1000"], npbc / (npb ? npb : 1)
	pk = "null mq1 mq2"
	if (pk in pmed) printf "- Two workers on two cores against one, null ports: %s times the rate, median of %d rounds (target: 1.9 or more): %s.\n", pmed[pk], prn[pk], (pmed[pk] >= 1.9 ? "met" : "not met")
	for (k2 = 1; k2 <= 3; k2++) {
		split("rules bridge lookup", vv, " ")
		pk = "null mq1-" vv[k2] " mq2-" vv[k2]
		if (pk in pmed) printf "  With %s: %s (median of %d rounds; cycles per packet ratio %s).\n", vv[k2] == "lookup" ? "a bridge without learning" : vv[k2] == "bridge" ? "a learning bridge" : "five rules", pmed[pk], prn[pk], pcyc[pk]
	}
	pk = "null busy adaptive"
	if (pk in pmed) printf "- poll: adaptive at full rate, null ports: %s of busy'\''s rate, median of %d rounds (target: 0.98 or more): %s.\n", pmed[pk], prn[pk], (pmed[pk] >= 0.98 ? "met" : "not met")
	pk = "emu busy adaptive"
	if (pk in pmed) printf "- poll: adaptive at full rate, emulated ports: %s of busy'\''s rate, median of %d rounds (target: 0.98 or more): %s.\n", pmed[pk], prn[pk], (pmed[pk] >= 0.98 ? "met" : "not met")
	if (("busy" in pidle) && ("adaptive" in pidle)) printf "- Idle daemon: %s%% of a core adaptive against %s%% busy.\n", pidle_pc["adaptive"], pidle_pc["busy"]
}' "$lines" >"$results"
echo "bench: table $results"
