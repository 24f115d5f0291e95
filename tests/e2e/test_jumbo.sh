#!/bin/sh
# test_jumbo.sh: jumbo frames end to end.  Two hosts in network
# namespaces joined only through ixfwd forwarding between two emulated
# 82599s whose wires are veth interfaces, every link at MTU 9000:
#
#   [ns ixj-a] ixj-a0 ==veth== ixj-a1 [ns ixj-fwd: ixfwd] ixj-b1 ==veth== ixj-b0 [ns ixj-b]
#   198.18.2.1/24                                                  198.18.2.2/24
#
# 9000-byte pings (DF set) both ways, a TCP transfer at MTU 9000 whose
# bytes are verified, a 9001-byte packet the NIC refuses and counts
# (hw_rx_errors), a capture of the jumbo frames with snaplen 128.  Then
# port b at MTU 1500: a 9000-byte ping from a is dropped and counted as
# drop_too_big on b, small ones still pass.
. "$(dirname "$0")/lib.sh"

FWD_NS=ixj-fwd
MB=${MB:-16}
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	for ns in ixj-a ixj-b $FWD_NS; do ip netns del $ns 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 1" INT TERM

need_root jumbo
[ -x "$IXFWD" ] || { fail jumbo "$IXFWD not built (make)"; exit 1; }
command -v python3 >/dev/null || { skip jumbo "python3 is not installed"; exit 0; }
hugepages 64
for ns in ixj-a ixj-b $FWD_NS; do ip netns del $ns 2>/dev/null; done

ip netns add $FWD_NS
ip netns exec $FWD_NS sysctl -qw net.ipv6.conf.all.disable_ipv6=1
netns_host ixj-a ixj-a0 ixj-a1 198.18.2.1/24
netns_host ixj-b ixj-b0 ixj-b1 198.18.2.2/24

# mtu NS IF MTU
mtu() { ip netns exec "$1" ip link set "$2" mtu "$3"; }
for h in a b; do
	mtu ixj-$h ixj-${h}0 9000
	mtu $FWD_NS ixj-${h}1 9000
	ip netns exec ixj-$h ethtool -K ixj-${h}0 tso off gso off >/dev/null 2>&1
done

# start YAML LOG: ixfwd in $FWD_NS with that configuration
start() {
	: >"$WORK/ixfwd.out"
	ip netns exec $FWD_NS "$IXFWD" -c "$1" >"$WORK/ixfwd.out" 2>"$2" &
	pid=$!
	wait_for "$2" "forwarding:" 30
}

# stop: SIGTERM, final counters in $WORK/ixfwd.out; the exit status
stop() {
	kill -TERM $pid
	wait $pid
	_rc=$?
	pid=
	return $_rc
}

# 1. Both ports at MTU 9000, a capture of what a receives.
cat >"$WORK/j.yaml" <<EOT
ports:
  - { name: a, device: emulated, mtu: 9000, wire: { interface: ixj-a1 }, cpu: 0 }
  - { name: b, device: emulated, mtu: 9000, wire: { interface: ixj-b1 }, cpu: 0 }
forward:
  - { from: a, to: b }
  - { from: b, to: a }
capture:
  - { name: j, port: a, direction: rx, sample: 1, snaplen: 128, file: $WORK/j.pcap }
$(emulator_cpu_yaml)
EOT
if ! start "$WORK/j.yaml" "$WORK/ixfwd.log"; then
	fail jumbo_start "ixfwd did not start: $(tail -n 5 "$WORK/ixfwd.log" | tr '\n' ' ')"
	exit 1
fi
pass jumbo_start

if ip netns exec ixj-a ping -c 5 -i 0.2 -W 3 -s 8972 -M do 198.18.2.2 >"$WORK/ping1" 2>&1; then
	pass ping_9000_a_to_b
else
	fail ping_9000_a_to_b "$(tail -n 3 "$WORK/ping1" | tr '\n' ' ')"
fi
if ip netns exec ixj-b ping -c 5 -i 0.2 -W 3 -s 8972 -M do 198.18.2.1 >"$WORK/ping2" 2>&1; then
	pass ping_9000_b_to_a
else
	fail ping_9000_b_to_a "$(tail -n 3 "$WORK/ping2" | tr '\n' ' ')"
fi

head -c $((MB * 1024 * 1024)) /dev/urandom >"$WORK/send"
ip netns exec ixj-b nc -l 198.18.2.2 5001 >"$WORK/recv" 2>"$WORK/nc-l.err" &
ncpid=$!
sleep 0.5
ip netns exec ixj-a timeout 60 nc -N 198.18.2.2 5001 <"$WORK/send" 2>"$WORK/nc.err"
ncrc=$?
wait $ncpid
s1=$(sha256sum <"$WORK/send" | cut -d' ' -f1)
s2=$(sha256sum <"$WORK/recv" | cut -d' ' -f1)
# at MTU 9000 the segments are jumbo frames: a's NIC took frames of
# more than 1518 bytes
report $pid
big=$(($(counter a rx_bytes) / $(counter a rx_packets)))
if [ $ncrc -eq 0 ] && [ "$s1" = "$s2" ] && [ "$big" -gt 4000 ]; then
	pass tcp_transfer_mtu_9000
else
	fail tcp_transfer_mtu_9000 "nc exit $ncrc, sent $(wc -c <"$WORK/send") bytes, received $(wc -c <"$WORK/recv"), a's mean frame $big bytes: $(cat "$WORK/nc.err")"
fi

# A 9001-byte IP packet is one byte over MTU 9000: the NIC refuses the
# 9015-byte frame (hw_rx_errors) and the pipeline never sees it.  The
# sender's own MTU is raised so that its kernel lets the frame out.
rx0=$(counter a rx_packets); err0=$(counter a hw_rx_errors)
mtu ixj-a ixj-a0 9100
ip netns exec ixj-a python3 - <<'EOT'
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("ixj-a0", 0))
f = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x0a" + b"\x08\x00" + bytes(9001)
for i in range(5):
    s.send(f)
EOT
mtu ixj-a ixj-a0 9000
sleep 0.5
report $pid
rx1=$(counter a rx_packets); err1=$(counter a hw_rx_errors)
if [ $((err1 - err0)) = 5 ] && [ "$rx1" = "$rx0" ]; then
	pass oversize_refused_counted
else
	fail oversize_refused_counted "a hw_rx_errors $err0 -> $err1 (want +5), rx_packets $rx0 -> $rx1"
fi

if stop; then pass jumbo_exit_0; else fail jumbo_exit_0 "exit status $_rc: $(tail -n 3 "$WORK/ixfwd.log")"; fi
ok=1; why=
for p in a b; do
	for k in drop_no_route drop_no_buffer drop_too_big hw_rx_missed; do
		v=$(counter $p $k)
		[ "$v" = 0 ] || { ok=0; why="$why $p.$k=$v"; }
	done
done
if [ $ok = 1 ]; then pass jumbo_counters; else fail jumbo_counters "$why"; fi

# The capture: the 9014-byte echo requests a received (9000-byte IP
# packets), each kept to 128 bytes with its original length.
python3 - "$WORK/j.pcap" >"$WORK/pcap.txt" 2>&1 <<'EOT'
import struct, sys
d = open(sys.argv[1], "rb").read()
e = "<" if d[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
snap = struct.unpack(e + "I", d[16:20])[0]
off, n, jumbo, worst = 24, 0, 0, 0
while off + 16 <= len(d):
    _, _, incl, orig = struct.unpack(e + "IIII", d[off:off + 16])
    data = d[off + 16:off + 16 + incl]
    off += 16 + incl
    n += 1
    worst = max(worst, incl)
    # IPv4, ICMP echo request
    if orig == 9014 and incl == 128 and data[12:14] == b"\x08\x00" and \
       data[23] == 1 and data[34] == 8:
        jumbo += 1
print(snap, n, jumbo, worst)
EOT
read snap n jumbo worst <"$WORK/pcap.txt"
if [ "$snap" = 128 ] && [ "${jumbo:-0}" -ge 5 ] && [ "$worst" = 128 ]; then
	pass capture_jumbo_snaplen
else
	fail capture_jumbo_snaplen "$(cat "$WORK/pcap.txt")"
fi

# 2. Port b at MTU 1500: 9000-byte packets from a cannot go out of it.
mtu ixj-b ixj-b0 1500
mtu $FWD_NS ixj-b1 1500
cat >"$WORK/mixed.yaml" <<EOT
ports:
  - { name: a, device: emulated, mtu: 9000, wire: { interface: ixj-a1 }, cpu: 0 }
  - { name: b, device: emulated, wire: { interface: ixj-b1 }, cpu: 0 }
forward:
  - { from: a, to: b }
  - { from: b, to: a }
$(emulator_cpu_yaml)
EOT
if ! start "$WORK/mixed.yaml" "$WORK/mixed.log"; then
	fail mixed_start "ixfwd did not start: $(tail -n 5 "$WORK/mixed.log" | tr '\n' ' ')"
	exit 1
fi
if ip netns exec ixj-a ping -c 3 -i 0.2 -W 3 -s 1472 -M do 198.18.2.2 >"$WORK/ping3" 2>&1; then
	pass mixed_small_ping
else
	fail mixed_small_ping "$(tail -n 3 "$WORK/ping3" | tr '\n' ' ')"
fi
ip netns exec ixj-a ping -c 3 -i 0.2 -W 1 -s 8972 -M do 198.18.2.2 >"$WORK/ping4" 2>&1
prc=$?
stop
tb=$(counter b drop_too_big)
if [ $prc != 0 ] && [ "$tb" = 3 ] && [ "$(counter a drop_too_big)" = 0 ]; then
	pass mixed_too_big_counted
else
	fail mixed_too_big_counted "ping exit $prc, b drop_too_big=$tb (want 3), a drop_too_big=$(counter a drop_too_big)"
fi
strict_check
exit $failed
