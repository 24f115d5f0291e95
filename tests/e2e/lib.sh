# tests/e2e/lib.sh: shared by the end-to-end scripts (sourced, POSIX sh).
# Results are lines that tests/run.sh counts: PASS: / FAIL: / SKIP:.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
# the build under test: build/, or build-asan/ for make test SANITIZE=1
BUILD=$TOP/${IXFWD_BUILD:-build}
IXFWD=${IXFWD:-$BUILD/ixfwd}
DEMO=${DEMO:-0}
WORK=$(mktemp -d /tmp/ixfwd-e2e.XXXXXX)
failed=0

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; failed=1; }
skip() { echo "SKIP: $1: $2"; }
say() { [ "$DEMO" = 1 ] && echo "== $*"; return 0; }

# check NAME CMD...: PASS if CMD succeeds, FAIL with its output otherwise.
check() {
	name=$1; shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "$(echo "$out" | tail -n 5 | tr '\n' ' ')"
	fi
}

# expect_log NAME PATTERN SECONDS: PASS once PATTERN (grep) is in the
# daemon's log $WORK/ixfwd.log, FAIL with the log's last lines if it is
# not there within SECONDS.
expect_log() {
	if wait_for "$WORK/ixfwd.log" "$2" "$3"; then
		pass "$1"
	else
		fail "$1" "$(tail -n 3 "$WORK/ixfwd.log" | tr '\n' ' ')"
	fi
}

need_root() {
	if [ "$(id -u)" != 0 ]; then
		skip "$1" "needs root (network namespaces, hugepages, AF_PACKET)"
		exit 0
	fi
	for tool in ip ethtool ping nc; do
		if ! command -v $tool >/dev/null 2>&1; then
			skip "$1" "$tool is not installed (make deps)"
			exit 0
		fi
	done
}

# Make sure N free 2 MiB hugepages exist.
hugepages() {
	want=$1
	free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
	total=$(awk '/HugePages_Total/ {print $2}' /proc/meminfo)
	if [ "$free" -lt "$want" ]; then
		echo $((total + want - free)) > /proc/sys/vm/nr_hugepages
	fi
}

. "$TOP/tests/e2e/netns.sh"

# kernel counter of an interface: ifstat NS IF rx_packets|tx_packets|...
ifstat() {
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"
}

# counter PORT FIELD: from ixfwd's "port=... key=value" lines, the last
# report (SIGUSR1 or the final one) in $WORK/ixfwd.out
counter() {
	grep "^port=$1 " "$WORK/ixfwd.out" | tail -n 1 | tr ' ' '\n' |
	    sed -n "s/^$2=//p"
}

# field PREFIX FIELD [OUT]: the same for other report lines ("bridge",
# "rule port=a rule=1", "capture=NAME"), from OUT if given
field() {
	grep "^$1 " "${3:-$WORK/ixfwd.out}" | tail -n 1 | tr ' ' '\n' |
	    sed -n "s/^$2=//p"
}

# report PID [OUT]: have ixfwd print its counters now (SIGUSR1) and wait
# for them in OUT (default $WORK/ixfwd.out)
report() {
	_out=${2:-$WORK/ixfwd.out}
	before=$(grep -c "^port=" "$_out" 2>/dev/null)
	before=${before:-0}
	kill -USR1 "$1"
	_r=0
	while [ "$(grep -c '^port=' "$_out")" -le "$before" ]; do
		_r=$((_r + 1)); [ $_r -gt 50 ] && return 1
		sleep 0.1
	done
	sleep 0.1
}

# emulator_cpu_yaml: pin the emulator to cpu 1 where there is one
emulator_cpu_yaml() {
	[ "$(nproc --all)" -ge 2 ] && printf 'emulator: { cpu: 1 }\n'
	return 0
}

# wait_for FILE PATTERN SECONDS
wait_for() {
	_w=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		_w=$((_w + 1))
		[ $_w -gt $(($3 * 10)) ] && return 1
		sleep 0.1
	done
	return 0
}

# only_missing_nics FILE OUTPUT: ixfwd -t's OUTPUT for FILE says nothing
# but that the PCI devices it names are not on this machine (one line
# each, then the count): the file itself is good.
only_missing_nics() {
	_n=$(grep -c 'device: *"*[0-9a-f]*:[0-9a-f]' "$1")
	_m=$(echo "$2" | grep -c "^$1:[0-9]*:[0-9]*: port [^ ]*: no PCI device at [0-9a-f:.]* on this machine\$")
	_o=$(echo "$2" | grep -v "no PCI device at" | grep -vc "^$1: [0-9]* errors\{0,1\}, nothing started\$")
	[ "$_n" -gt 0 ] && [ "$_m" = "$_n" ] && [ "$_o" = 0 ]
}

# strict_check: PASS when no ixfwd log of this script ($WORK/*.log) has a
# line from the strict emulated 82599 (a datasheet rule the driver broke:
# each first break and the total at exit are logged), nor an IOMMU fault
# (a DMA address outside the memory the driver registered).
strict_check() {
	if _s=$(grep -h -e 'emu82599 .*: strict: ' -e 'emu82599 .*: IOMMU fault' \
	    "$WORK"/*.log 2>/dev/null); then
		fail strict_model "$(echo "$_s" | head -n 3 | tr '\n' ' ')"
	else
		pass strict_model
	fi
}

# fit_cpus FILE OUT NCPUS: OUT is FILE with the CPUs it names (cpu: N,
# cpus: [N, M]) renumbered 0, 1, ... in order of their value, so a file
# written for a bigger box is checked on this one; fails (and writes
# nothing) when the file names more distinct CPUs than NCPUS.
fit_cpus() {
	python3 - "$1" "$2" "$3" <<'PYEOF'
import re, sys
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = open(src).read()
pat = re.compile(r'(\bcpus?:\s*)(\[[0-9, ]*\]|[0-9]+)')
used = sorted({int(x) for m in pat.finditer(text)
               for x in re.findall(r'[0-9]+', m.group(2))})
if len(used) > n:
    sys.exit(1)
new = {c: i for i, c in enumerate(used)}
text = pat.sub(lambda m: m.group(1) + re.sub(r'[0-9]+',
               lambda d: str(new[int(d.group(0))]), m.group(2)), text)
open(out, 'w').write(text)
PYEOF
}
