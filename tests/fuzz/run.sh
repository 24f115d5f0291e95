#!/bin/sh
# tests/fuzz/run.sh NAME...: run each fuzz target $FB/fuzz_NAME for
# $FUZZ_SECONDS seconds (make fuzz).  Seeds: tests/fuzz/corpus/NAME and
# tests/fuzz/regress/NAME; what the run adds goes to $FB/corpus/NAME, a
# crashing, leaking or hanging input to $FB/crashes/NAME/ (copy it to
# tests/fuzz/regress/NAME/ once the bug is fixed).  One line per target;
# exits 1 if any target failed.
cd "$(dirname "$0")/../.." || exit 1
FB=${FB:-build-fuzz}
secs=${FUZZ_SECONDS:-60}
failed=0
for name in "$@"; do
	bin=$FB/fuzz_$name
	log=$FB/logs/$name.log
	mkdir -p "$FB/corpus/$name" "$FB/crashes/$name" "$FB/logs"
	seeds=tests/fuzz/corpus/$name
	[ -d tests/fuzz/regress/$name ] && seeds="$seeds tests/fuzz/regress/$name"
	# frames up to 9728 bytes, pcap files of a few of them
	case $name in
	packet|pcap_wire) maxlen=-max_len=20000 ;;
	*) maxlen= ;;
	esac
	"$bin" $maxlen -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$FB/crashes/$name/" \
	    "$FB/corpus/$name" $seeds >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	if [ "$rc" -eq 0 ]; then
		echo "fuzz_$name: ok: ${execs:-0} executions in ${secs} s, coverage ${cov:-0} edges, ${ft:-0} features"
	else
		failed=1
		echo "fuzz_$name: FAIL: exit status $rc after ${execs:-?} executions (see $log):"
		grep -E 'ERROR|SUMMARY|fuzz: |Test unit written|^==[0-9]+== *[A-Z]' "$log" | head -n 8 | sed 's/^/    /'
	fi
done
exit $failed
