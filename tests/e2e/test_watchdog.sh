#!/bin/sh
# test_watchdog.sh: the systemd watchdog follows the data path.  With
# WATCHDOG_USEC=1 s ixfwd pings every half second while its workers poll;
# when the emulated NIC holds a worker (the IXFWD_EMU_STALL test hook) the
# pings stop within WatchdogSec and the log names the worker, and they
# resume once it moves again.
. "$(dirname "$0")/lib.sh"

cleanup() {
	rm -f "$WORK/stall"
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	[ -n "$lpid" ] && kill "$lpid" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 1" INT TERM

if [ "$(id -u)" != 0 ]; then skip watchdog "needs root (hugepages)"; exit 0; fi
[ -x "$IXFWD" ] || { fail watchdog "$IXFWD not built (make)"; exit 1; }
command -v python3 >/dev/null || { fail watchdog "python3 is not installed (make deps)"; exit 1; }
hugepages 64
cat >"$WORK/ixfwd.yaml" <<EOT
user: root
ports:
  - { name: g, device: emulated, wire: { generator: { size: 64, rate: 20000 } } }
  - { name: s, device: emulated, wire: { peer: t } }
  - { name: t, device: emulated }
forward:
  - { from: g, to: s }
EOT
python3 "$TOP/tests/e2e/notify_listen.py" "$WORK/notify.sock" "$WORK/notify" timed &
lpid=$!
wait_for "$WORK/notify" listening 10 || { fail watchdog "notify listener did not start"; exit 1; }

NOTIFY_SOCKET=$WORK/notify.sock WATCHDOG_USEC=1000000 IXFWD_EMU_STALL=$WORK/stall \
    "$IXFWD" -c "$WORK/ixfwd.yaml" >"$WORK/ixfwd.out" 2>"$WORK/ixfwd.log" &
pid=$!
wait_for "$WORK/ixfwd.log" "forwarding:" 30 || { fail watchdog_start "$(tail -n 5 "$WORK/ixfwd.log" | tr '\n' ' ')"; exit 1; }
now() { date +%s.%N; }
# pings FROM TO: WATCHDOG=1 messages that came between two times
pings() {
	awk -v a="$1" -v b="$2" '$2 == "WATCHDOG=1" && $1 > a && $1 <= b' "$WORK/notify" | wc -l
}

sleep 2.2
t0=$(now)
sleep 2
t1=$(now)
n=$(pings "$t0" "$t1")
[ "$n" -ge 2 ] && pass watchdog_pings_while_polling || fail watchdog_pings_while_polling "$n pings in 2 s"

touch "$WORK/stall"
ts=$(now)
sleep 3
tr=$(now)
# WatchdogSec is 1 s: nothing may come later than that after the stall
late=$(pings "$(awk -v t="$ts" 'BEGIN { printf "%.3f", t + 1.0 }')" "$tr")
if [ "$late" = 0 ] && grep -q "worker 0 has not finished a poll round in [0-9]* ms: no watchdog ping" "$WORK/ixfwd.log"; then
	pass watchdog_stops_on_stall
else
	fail watchdog_stops_on_stall "$late pings more than 1 s into the stall; $(grep worker "$WORK/ixfwd.log" | tail -n 2 | tr '\n' ' ')"
fi
# the control thread is not held: counters still come
report $pid && pass watchdog_control_thread_free || fail watchdog_control_thread_free "no SIGUSR1 report during the stall"

rm -f "$WORK/stall"
sleep 2
te=$(now)
n=$(pings "$tr" "$te")
if [ "$n" -ge 2 ] && grep -q "worker 0 is moving again; watchdog pings resume" "$WORK/ixfwd.log"; then
	pass watchdog_resumes
else
	fail watchdog_resumes "$n pings in the 2 s after; $(tail -n 2 "$WORK/ixfwd.log" | tr '\n' ' ')"
fi
kill -TERM $pid; wait $pid; rc=$?; pid=
[ $rc = 0 ] || fail watchdog_sigterm "exit $rc"
# no datasheet rule broken, no DMA outside the registered memory
strict_check
exit $failed
