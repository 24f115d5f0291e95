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
# IXFWD_BUILD names the build directory to test (default build; make test
# SANITIZE=1 passes build-asan, make tsan build-tsan); the e2e scripts
# take their binaries from it too (tests/e2e/lib.sh).  IXFWD_E2E=0 runs
# the unit tests only.  With IXFWD_SANITIZE set ASan and TSan write
# their reports to files under the build directory's test-logs/san, and
# a test that leaves one (an error or a leak at exit, in a test binary
# or in any ixfwd an e2e script started) fails, as does one whose output
# holds a UBSan report.
#
# The end-to-end scripts use fixed namespace and interface names and pin
# threads to cores, so two checkouts testing on one machine take turns:
# each e2e script holds an exclusive lock on $IXFWD_E2E_LOCK (default
# /tmp/ixfwd-e2e-v2.lock) while it runs; flock -o keeps the lock out of
# the script, so nothing it leaves running can hold it.

cd "$(dirname "$0")/.." || exit 1
BUILD=${IXFWD_BUILD:-build}
export IXFWD_BUILD=$BUILD
logs=$BUILD/test-logs
mkdir -p "$logs"
pass=0 fail=0 skip=0 LOCKED=

selected() {
	[ -z "$TESTS" ] && return 0
	for p in $TESTS; do
		case "$1" in *$p*) return 0 ;; esac
	done
	return 1
}

# Sanitizer options, set here only.  Every report goes to a file
# $logs/san/NAME.PID (log_path), because the e2e scripts start ixfwd in the
# background with its stderr in a file of their own and do not all look at
# its exit status: the file is what makes a report a failure.
#   halt_on_error/abort_on_error: stop at the first error, with a signal
#     the scripts see as an abnormal exit.
#   detect_leaks: LeakSanitizer runs at every exit; a leak is an error.
#   handle_segv etc. stay on but for test_safe (see san_on).
#   print_stacktrace (UBSan): the report says where.
#   second_deadlock_stack/history_size (TSan): full reports.
san_setup() {
	case "$IXFWD_SANITIZE" in
	"") return ;;
	esac
	mkdir -p "$logs/san"
	ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1"
	ASAN_OPTIONS="$ASAN_OPTIONS:detect_stack_use_after_return=1"
	ASAN_OPTIONS="$ASAN_OPTIONS:strict_string_checks=1:check_initialization_order=1"
	UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1"
	TSAN_OPTIONS="halt_on_error=1:abort_on_error=1:second_deadlock_stack=1:history_size=4"
	export ASAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS
}

# san_on NAME: reports of the next program go to $logs/san/NAME.*
san_on() {
	[ -n "$IXFWD_SANITIZE" ] || return 0
	_lp="log_path=$PWD/$logs/san/$1"
	rm -f "$logs/san/$1".*
	ASAN_OPTIONS="${ASAN_OPTIONS%%:log_path=*}:$_lp"
	UBSAN_OPTIONS="${UBSAN_OPTIONS%%:log_path=*}:$_lp"
	TSAN_OPTIONS="${TSAN_OPTIONS%%:log_path=*}:$_lp"
	# test_safe's children die of SIGSEGV, SIGBUS, SIGABRT on purpose
	# and test that ixfwd's crash handler resets the NICs and lets the
	# signal take its course: ASan must not catch those signals first
	# (it would report and exit 1).  Real memory errors are still
	# caught by the instrumentation, not by the signal.
	case "$1" in
	test_safe)
		ASAN_OPTIONS="$ASAN_OPTIONS:handle_segv=0:handle_sigbus=0"
		ASAN_OPTIONS="$ASAN_OPTIONS:handle_abort=0:handle_sigill=0"
		ASAN_OPTIONS="$ASAN_OPTIONS:handle_sigfpe=0"
		;;
	esac
}

# san_check NAME LOG: a sanitizer report of NAME is a failure; it is
# appended to LOG.
san_check() {
	[ -n "$IXFWD_SANITIZE" ] || return 0
	for _r in "$logs/san/$1".*; do
		[ -s "$_r" ] || continue
		echo "FAIL: sanitizer report $_r:" >>"$2"
		cat "$_r" >>"$2"
		echo "$1: FAIL: sanitizer report in $_r:"
		grep -m 3 -E 'ERROR|WARNING|runtime error|SUMMARY' "$_r" | sed 's/^/    /'
		f=$((f + 1))
	done
	# UBSan honours log_path since the Makefile links its runtime
	# statically; a report that still reaches the test's own output (a
	# program built some other way) is a failure too.
	if grep -q ': runtime error: ' "$2"; then
		echo "$1: FAIL: UBSan report in $2:"
		grep -m 3 ': runtime error: ' "$2" | sed 's/^/    /'
		f=$((f + 1))
	fi
}

run_one() {
	name=$1; shift
	selected "$name" || return 0
	log="$logs/$name.log"
	san_on "$name"
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
	san_check "$name" "$log"
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

san_setup
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "$(basename "$t")" "$t"
done
if [ "${IXFWD_E2E:-1}" = 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
	[ "$fail" -eq 0 ]
	exit
fi
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
