#!/bin/sh
# test_faults_nic.sh: faults of the emulated 82599 (IXFWD_EMU_FAULTS, see
# driver/emu82599.h) in a running ixfwd, with traffic: two loops, each a
# generator whose frames go out through a peer cable and come back to it
# (its sink checks each is intact and in order):
#
#   a (generator) -> b ==cable== c -> a        d (generator) -> e ==cable== f -> d
#
# a and d share a cpu, hence one worker, which sends on b and on e.
# A link flap, bad frames, an RX burst larger than the ring, a TX queue
# that stops completing (reset without stopping the worker: e keeps
# carrying its traffic), one that cannot even be stopped (out of service,
# logged and counted, e still carrying traffic, back once it can stop),
# then the removal of e: each logged and counted, forwarding going on by
# itself, e failed alone, ixfwd up, and at exit every buffer back in its
# pool, every frame that came back intact, and no DMA outside DMA
# memory.
. "$(dirname "$0")/lib.sh"

cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 1" INT TERM

if [ "$(id -u)" != 0 ]; then skip faults_nic "needs root (hugepages)"; exit 0; fi
[ -x "$IXFWD" ] || { fail faults_nic "$IXFWD not built (make)"; exit 1; }
hugepages 64
cat >"$WORK/ixfwd.yaml" <<EOT
user: root
$(emulator_cpu_yaml)
ports:
  - { name: a, device: emulated, cpu: 0, wire: { generator: { size: 128, rate: 20000 } } }
  - { name: b, device: emulated, wire: { peer: c } }
  - { name: c, device: emulated }
  - { name: d, device: emulated, cpu: 0, wire: { generator: { size: 64, rate: 5000 } } }
  - { name: e, device: emulated, wire: { peer: f } }
  - { name: f, device: emulated }
forward:
  - { from: a, to: b }
  - { from: c, to: a }
  - { from: d, to: e }
  - { from: f, to: d }
EOT

IXFWD_EMU_FAULTS=$WORK/faults "$IXFWD" -c "$WORK/ixfwd.yaml" \
    >"$WORK/ixfwd.out" 2>"$WORK/ixfwd.log" &
pid=$!
wait_for "$WORK/ixfwd.log" "forwarding:" 30 || { fail faults_nic_start "$(tail -n 5 "$WORK/ixfwd.log" | tr '\n' ' ')"; exit 1; }

# fault LINE...: hand the lines to the model and wait until it took them
fault() {
	printf '%s\n' "$@" >"$WORK/faults.new"
	mv "$WORK/faults.new" "$WORK/faults"
	_f=0
	while [ -e "$WORK/faults" ] || [ -e "$WORK/faults.taken" ]; do
		_f=$((_f + 1)); [ $_f -gt 50 ] && return 1
		sleep 0.1
	done
}
# grows PORT FIELD SECONDS: FIELD of PORT goes up within SECONDS
grows() {
	report $pid; _g0=$(counter "$1" "$2")
	sleep "$3"
	report $pid; _g1=$(counter "$1" "$2")
	[ "$_g1" -gt "$_g0" ]
}
nlines() { grep -c "$1" "$WORK/ixfwd.log"; }
# delta PORT FIELD SECONDS: how much FIELD of PORT goes up in SECONDS
delta() {
	report $pid; _d0=$(counter "$1" "$2")
	sleep "$3"
	report $pid; echo $(( $(counter "$1" "$2") - _d0 ))
}

sleep 1
check loops_forward grows c rx_packets 1
# what d -> e -> f carries when nothing is wrong, frames in 2 s
f_base=$(delta f rx_packets 2)

# 1. link flap: both changes logged and counted, traffic resumes alone
up0=$(nlines "^ixfwd: b: link up")
fault "b link down"
expect_log flap_down_logged "b: link down" 5
fault "b link up"
_w=0
while [ "$(nlines "^ixfwd: b: link up")" -le "$up0" ] && [ $_w -lt 50 ]; do _w=$((_w + 1)); sleep 0.1; done
[ "$(nlines "^ixfwd: b: link up")" -gt "$up0" ] && pass flap_up_logged || fail flap_up_logged "$(tail -n 3 "$WORK/ixfwd.log" | tr '\n' ' ')"
sleep 0.5
check flap_forwarding_resumes grows c rx_packets 1
lc=$(counter b link_changes)
[ "$lc" -ge 2 ] && pass flap_counted || fail flap_counted "link_changes=$lc"
grep -q "has not finished a poll round" "$WORK/ixfwd.log" && fail flap_workers_run "$(grep 'poll round' "$WORK/ixfwd.log" | head -n 1)" || pass flap_workers_run

# 2. bad frames: dropped by the NIC, counted by reason, never delivered
fault "a runt 3" "a oversize 2" "a bad_crc 5"
sleep 1.2
report $pid
if [ "$(counter a hw_rx_undersize)" = 3 ] && [ "$(counter a hw_rx_oversize)" = 2 ] &&
    [ "$(counter a hw_rx_crc_errors)" = 5 ] && [ "$(counter a hw_rx_errors)" = 10 ]; then
	pass bad_frames_by_reason
else
	fail bad_frames_by_reason "$(grep '^port=a ' "$WORK/ixfwd.out" | tail -n 1)"
fi

# 3. a burst larger than the RX ring: missed, then intact frames
miss0=$(counter a hw_rx_missed)
fault "a rx_burst 5000"
sleep 1
report $pid
miss=$(( $(counter a hw_rx_missed) - miss0 ))
[ "$miss" -ge 3000 ] && pass burst_missed || fail burst_missed "hw_rx_missed grew by $miss"
check burst_forwarding_resumes grows c rx_packets 1

# 4. a TX queue that stops completing: found within a few seconds, reset
# by its worker without a pause in the worker's other traffic (d -> e)
fault "b tx_hang 0"
expect_log tx_hang_detected "b: TX queue 0 stuck for 2 s .*: reset" 8
sleep 0.5
check tx_hang_traffic_resumes grows c rx_packets 1
check tx_hang_other_port_forwards grows f rx_packets 1
[ "$(counter b tx_queue_resets)" = 1 ] && pass tx_hang_counted || fail tx_hang_counted "tx_queue_resets=$(counter b tx_queue_resets)"
[ "$(counter b tx_queue_reset_timeouts)" = 0 ] && ! grep -q "TX queue 0 not back" "$WORK/ixfwd.log" &&
    pass tx_hang_reset_in_time || fail tx_hang_reset_in_time "tx_queue_reset_timeouts=$(counter b tx_queue_reset_timeouts) $(grep 'not back' "$WORK/ixfwd.log")"

# 4b. a TX queue that hangs and cannot be stopped (TXDCTL.ENABLE never
# reads 0): its reset does not complete; after 1 s that is logged and
# counted, the queue stays out of service (what is for it dropped and
# counted), and the worker keeps forwarding d -> e all along.  Once the
# queue can stop, the retried reset completes and b carries traffic
# again.
fault "b tx_hang 0" "b tx_no_disable 0"
expect_log tx_wedge_logged "b: TX queue 0 not back 1000 ms after its reset .*out of service" 10
report $pid
if [ "$(counter b tx_queue_resets)" = 2 ] && [ "$(counter b tx_queue_reset_timeouts)" = 1 ]; then
	pass tx_wedge_counted
else
	fail tx_wedge_counted "tx_queue_resets=$(counter b tx_queue_resets) tx_queue_reset_timeouts=$(counter b tx_queue_reset_timeouts)"
fi
# the worker that owns the dead queue forwards d -> e -> f at the full
# rate meanwhile: it never waits on the queue (a worker held even a
# tenth of the time would fall short)
f_wedge=$(delta f rx_packets 2)
echo "f received $f_base frames in 2 s before, $f_wedge with b's queue out"
if [ "$f_wedge" -ge $((f_base * 85 / 100)) ] && [ "$f_base" -gt 1000 ]; then
	pass tx_wedge_other_port_forwards
else
	fail tx_wedge_other_port_forwards "f received $f_wedge in 2 s with b's queue out, $f_base before"
fi
check tx_wedge_other_port_sends grows e tx_packets 1
check tx_wedge_drops_counted grows b drop_tx_reset 1
report $pid; c0=$(counter c rx_packets); sleep 0.5
report $pid; c1=$(counter c rx_packets)
[ "$c1" = "$c0" ] && pass tx_wedge_queue_out || fail tx_wedge_queue_out "c rx_packets $c0 -> $c1 while b's queue is out"
fault "b tx_no_disable 0 off"
expect_log tx_wedge_recovers "b: TX queue 0 back in service after its reset" 5
sleep 0.5
check tx_wedge_traffic_resumes grows c rx_packets 1
[ "$(counter b tx_queue_resets)" = 2 ] && pass tx_wedge_reset_once || fail tx_wedge_reset_once "tx_queue_resets=$(counter b tx_queue_resets)"

# 5. surprise removal of e: e failed, the rest forwards, ixfwd stays up
fault "e remove"
expect_log remove_logged "e: device removed (reads return all ones): port failed" 5
sleep 0.5
check remove_others_forward grows c rx_packets 1
check remove_drops_counted grows e drop_port_failed 1
if [ "$(counter e state)" = failed ] && [ "$(counter e link)" = down ] &&
    [ "$(counter a state)" = ok ]; then
	pass remove_state
else
	fail remove_state "$(grep '^port=e ' "$WORK/ixfwd.out" | tail -n 1)"
fi
kill -0 $pid 2>/dev/null && pass remove_daemon_up || fail remove_daemon_up "ixfwd exited"

# and then: a clean exit, every buffer back, the frames that came back
# to the generators intact
sleep 1
kill -TERM $pid; wait $pid; rc=$?; pid=
grep -e ": TX queue [0-9]" "$WORK/ixfwd.log"
[ $rc = 0 ] && pass faults_exit || fail faults_exit "exit $rc"
if grep -q "buffers not back in the pool" "$WORK/ixfwd.log" ||
    ! grep -q "worker 0: all [0-9]* buffers back in the pool" "$WORK/ixfwd.log"; then
	fail no_buffer_leak "$(grep 'back in the pool' "$WORK/ixfwd.log" | tr '\n' ' ')"
else
	pass no_buffer_leak
fi
grep -q "sink: .* corrupted" "$WORK/ixfwd.log" && fail frames_intact "$(grep 'sink:' "$WORK/ixfwd.log")" || pass frames_intact
strict_check
exit $failed
