#!/bin/sh
# tests/run.sh: run every unit-test binary in build/tests and every
# end-to-end script in tests/e2e, count their PASS/FAIL/SKIP lines and end
# with "N passed, N failed, N skipped".  Exits 1 if anything failed.
#
# TESTS="pattern ..." runs only the binaries/scripts whose name matches.
# The scripts that start ports run twice, the second time (e2e_vfio_*)
# over the emulated VFIO; IXFWD_E2E_VFIO=0 leaves that pass out.
# Each program's output is kept in build/test-logs/NAME.log.
#
# The end-to-end scripts use fixed namespace and interface names and pin
# threads to cores, so two checkouts testing on one machine take turns:
# each e2e script holds an exclusive lock on $IXFWD_E2E_LOCK (default
# /tmp/ixfwd-e2e-v2.lock) while it runs; flock -o keeps the lock out of
# the script, so nothing it leaves running can hold it.

cd "$(dirname "$0")/.." || exit 1
logs=build/test-logs
mkdir -p "$logs"
pass=0 fail=0 skip=0 LOCKED=

selected() {
	[ -z "$TESTS" ] && return 0
	for p in $TESTS; do
		case "$1" in *$p*) return 0 ;; esac
	done
	return 1
}

run_one() {
	name=$1; shift
	selected "$name" || return 0
	log="$logs/$name.log"
	timeout="${TEST_TIMEOUT:-600}"
	if [ -n "$LOCKED" ] && command -v flock >/dev/null 2>&1; then
		flock -o "${IXFWD_E2E_LOCK:-/tmp/ixfwd-e2e-v2.lock}" \
		    timeout -k 10 "$timeout" "$@" >"$log" 2>&1
	else
		timeout -k 10 "$timeout" "$@" >"$log" 2>&1
	fi
	rc=$?
	p=$(grep -c '^PASS: ' "$log")
	f=$(grep -c '^FAIL: ' "$log")
	s=$(grep -c '^SKIP: ' "$log")
	grep -E '^(FAIL|SKIP): ' "$log" | sed "s|^|$name: |"
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "$name: FAIL: exited with status $rc (see $log):"
		tail -n 15 "$log" | sed 's/^/    /'
		f=$((f + 1))
	elif [ "$f" -gt 0 ]; then
		echo "    (full output in $log)"
	fi
	[ $((p + f + s)) -eq 0 ] && { echo "$name: FAIL: ran no test"; f=1; }
	echo "$name: $p passed, $f failed, $s skipped"
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
}

for t in build/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "$(basename "$t")" "$t"
done
LOCKED=1
for t in tests/e2e/test_*.sh; do
	[ -f "$t" ] || continue
	run_one "e2e_$(basename "$t" .sh)" sh "$t"
done
# The end-to-end scripts that start ports run a second time with every
# emulated port behind the emulated VFIO (IXFWD_EMU_VFIO=1, see
# pipeline.c): container, group, device fd, BAR0 and config space through
# driver/vfio.c, every DMA page mapped at an IOVA ixfwd chose, and the
# model faulting whatever was not mapped.  IXFWD_E2E_VFIO=0 skips it.
if [ "${IXFWD_E2E_VFIO:-1}" != 0 ]; then
	for t in tests/e2e/test_*.sh; do
		[ -f "$t" ] || continue
		case "$t" in */test_install.sh|*/test_manpages.sh) continue ;; esac
		run_one "e2e_vfio_$(basename "$t" .sh)" \
		    env IXFWD_EMU_VFIO=1 sh "$t"
	done
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
