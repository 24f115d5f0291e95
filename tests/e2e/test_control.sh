#!/bin/sh
# test_control.sh: the control socket and ixfwdctl against a running
# daemon.  Exact packet counts and rates from `stats --json' while the
# emulated generator sends a known number of frames and after; the text
# and error answers; `top' in a tmux pane; a live capture read back with
# tcpdump; capture start/stop, dump, reload; `bridge show' listing the
# MACs of two namespaces on the right ports; and the abuse list (garbage,
# a 1 MiB line, a client that never reads, 100 at once) with the
# daemon's descriptors counted before and after.  Namespaces: ixc-.
. "$(dirname "$0")/lib.sh"

CTL=${IXFWDCTL:-$BUILD/ixfwdctl}
S=$WORK/ctl.sock
FWD_NS=ixc-fwd
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	tmux kill-session -t ixc-top 2>/dev/null
	for ns in ixc-h1 ixc-h2 $FWD_NS; do ip netns del $ns 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 1" INT TERM

need_root control
[ -x "$IXFWD" ] && [ -x "$CTL" ] || { fail control "not built (make)"; exit 1; }
for tool in python3 tcpdump tmux; do
	command -v $tool >/dev/null || { skip control "$tool is not installed (make deps)"; exit 0; }
done
hugepages 64
chmod 755 "$WORK"	# nobody must reach the socket to be refused by it

# json EXPR: evaluate a python expression on `stats --json' (as j)
json() {
	"$CTL" -s "$S" stats --json | python3 -c "import json, sys
j = json.load(sys.stdin)
print($1)"
}

start() {
	: >"$WORK/ixfwd.out"
	ip netns exec $FWD_NS "$IXFWD" -c "$1" -s "$S" >"$WORK/ixfwd.out" 2>"$WORK/ixfwd.log" &
	pid=$!
	wait_for "$WORK/ixfwd.log" "forwarding:" 30 ||
	    { fail control_start "$(tail -n 3 "$WORK/ixfwd.log" | tr '\n' ' ')"; exit 1; }
}

stop() {
	kill -TERM $pid; wait $pid; pid=
}

# ixfwdctl(8)'s SYNOPSIS is its usage()
if command -v mandoc >/dev/null && command -v col >/dev/null; then
	syn=$(mandoc -Tascii "$TOP/man/ixfwdctl.8" | col -bx |
	    awk '/^SYNOPSIS/ { on = 1; next } on && /^[^ \t]/ { exit } on { printf "%s ", $0 }' |
	    tr -s ' \t' '  ' | sed 's/^ //; s/ $//')
	use=$("$CTL" -h 2>&1 | sed 's/^usage: //' | tr -s ' \t\n' '   ' | sed 's/^ //; s/ $//')
	[ "$syn" = "$use" ] && pass ctl_man_synopsis || fail ctl_man_synopsis "page: '$syn', usage: '$use'"
fi

ip netns del $FWD_NS 2>/dev/null
ip netns add $FWD_NS
ip netns exec $FWD_NS ip link set lo up

# 1. A known amount of traffic: N frames of 100 bytes (96 without CRC)
# at 2000/s from the generator on g0, forwarded to g1: 10 s of it, so
# that it is still sending during the live captures on a loaded machine.
N=20000
cat >"$WORK/gen.yaml" <<EOT
ports:
  - { name: g0, device: emulated, wire: { generator: { size: 100, count: $N, rate: 2000 } } }
  - { name: g1, device: emulated, wire: { pcap_out: $WORK/g1.pcap } }
forward:
  - { from: g0, to: g1 }
capture:
  - { name: cap0, port: g0, direction: rx, sample: 10, file: "$WORK/cap0-%s.pcap" }
  - { name: rec, port: g0, recorder: 100, file: "$WORK/rec-%s.pcap" }
EOT
start "$WORK/gen.yaml"

check ctl_version sh -c "'$CTL' -s '$S' version | grep -qx 'protocol 1'"
mode=$(stat -c %a "$S")
[ "$mode" = 660 ] && pass ctl_socket_mode || fail ctl_socket_mode "mode $mode"

sleep 1.5
pps=$(json 'j["ports"][0]["rx_pps"]')
txpps=$(json 'j["ports"][1]["tx_pps"]')
if [ "${pps:-0}" -gt 1000 ] && [ "${txpps:-0}" -gt 0 ] && [ "$pps" -lt 3000 ]; then
	pass ctl_rates_while_sending
else
	fail ctl_rates_while_sending "rx_pps=$pps tx_pps=$txpps at 2000 frames/s"
fi

# a live capture while it sends: 20 frames leaving g1, read back
timeout 20 "$CTL" -s "$S" capture g1 -c 20 -d tx -w "$WORK/live.pcap" 2>"$WORK/live.err"
rc=$?
n=$(tcpdump -nn -r "$WORK/live.pcap" 2>/dev/null | grep -c '^[0-9]')
len=$(tcpdump -nn -e -r "$WORK/live.pcap" 2>/dev/null | grep -c 'length 96')
if [ $rc = 0 ] && [ "$n" = 20 ] && [ "$len" = 20 ] && grep -q '^20 packets captured' "$WORK/live.err"; then
	pass ctl_live_capture_file
else
	fail ctl_live_capture_file "rc=$rc, $n frames ($len of 96 bytes): $(cat "$WORK/live.err") $(tail -n 4 "$WORK/ixfwd.log" | tr '\n' '|')"
fi
n=$(timeout 20 "$CTL" -s "$S" capture g0 -c 7 -s 64 greater 90 -w - 2>/dev/null |
    tcpdump -nn -r - 2>/dev/null | grep -c '^[0-9]')
[ "$n" = 7 ] && pass ctl_live_capture_pipe || fail ctl_live_capture_pipe "$n frames through tcpdump -r -"
out=$(timeout -s INT 3 "$CTL" -s "$S" capture g0 -c 1 less 50 -w "$WORK/none.pcap" 2>&1)
# nothing matches: interrupted by timeout, it still ends cleanly
n=$(tcpdump -nn -r "$WORK/none.pcap" 2>/dev/null | grep -c '^[0-9]')
[ "$n" = 0 ] && echo "$out" | grep -q '^0 packets captured' && pass ctl_live_capture_filter ||
    fail ctl_live_capture_filter "$n frames, '$out', $(grep live- "$WORK/ixfwd.log" | tr '\n' '|')"
# timeout(1) signals the child, then its whole process group: a second
# SIGINT while ixfwdctl waits for the daemon's "end" must not lose it
bad=
for d in 0 0.001 0.002 0.005 0.01 0.02; do
	"$CTL" -s "$S" capture g0 less 50 -w "$WORK/none2.pcap" \
	    2>"$WORK/int2.err" &
	cp=$!
	sleep 0.5
	kill -INT $cp; sleep $d; kill -INT $cp 2>/dev/null
	wait $cp
	grep -q '^0 packets captured' "$WORK/int2.err" ||
	    bad="$bad [$d s: $(cat "$WORK/int2.err")]"
done
[ -z "$bad" ] && pass ctl_live_capture_two_sigints ||
    fail ctl_live_capture_two_sigints "$bad"
out=$("$CTL" -s "$S" capture nosuch -w "$WORK/x.pcap" 2>&1)
[ $? = 1 ] && echo "$out" | grep -q 'unknown port nosuch' && [ ! -e "$WORK/x.pcap" ] &&
    pass ctl_capture_unknown_port ||
    fail ctl_capture_unknown_port "$out"
[ "$(json 'len([c for c in j["captures"] if c["live"]])')" = 0 ] &&
    pass ctl_live_capture_detached || fail ctl_live_capture_detached "$(json 'j["captures"]')"

# the generator is done: exact counts, and rates back to zero
i=0
while [ "$(json 'j["ports"][0]["rx_packets"]')" -lt $N ] && [ $i -lt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
sleep 2.5
# every frame g0 received left on g1 or was counted as refused by its
# TX ring
got=$(json '"%d %d %d %d %d" % (j["ports"][0]["rx_packets"], j["ports"][0]["rx_bytes"], j["ports"][1]["tx_packets"] + j["ports"][1]["drops"]["tx_full"], j["ports"][0]["rx_pps"], j["ports"][1]["tx_bps"])')
want="$N $((N * 96)) $N 0 0"
[ "$got" = "$want" ] && pass ctl_stats_exact_counts || fail ctl_stats_exact_counts "got '$got', want '$want'"
keys=$(json '",".join(sorted(set(["version","uptime_s","ports","workers","captures"]) - set(j))) +
    "/" + ",".join(sorted(set(["name","device","link","rx_packets","rx_bytes","tx_packets","tx_bytes","rx_pps","tx_pps","rx_bps","tx_bps","drops","hw"]) - set(j["ports"][0]))) +
    "/" + ",".join(sorted(set(["no_route","tx_full","no_buffer","filtered","malformed","local","too_big","port_failed","tx_reset","total"]) - set(j["ports"][0]["drops"]))) +
    "/" + ",".join(sorted(set(["up","speed_mbps"]) - set(j["ports"][0]["link"]))) +
    "/" + ",".join(sorted(set(["id","cpu","busy"]) - set(j["workers"][0]))) +
    "/" + ",".join(sorted(set(["name","samples","written","dropped_ring","dropped_disk","file"]) - set(j["captures"][0])))')
[ "$keys" = "/////" ] && pass ctl_stats_json_keys || fail ctl_stats_json_keys "missing: $keys"
# drops.total is every reason summed, the figure top shows
got=$(json 'str([p["drops"]["total"] - sum(v for k, v in p["drops"].items() if k != "total") for p in j["ports"]])')
[ "$got" = "[0, 0]" ] && pass ctl_stats_drops_total || fail ctl_stats_drops_total "total minus the reasons: $got"
[ "$(json 'j["captures"][0]["samples"]')" = $((N / 10)) ] && pass ctl_stats_capture ||
    fail ctl_stats_capture "$(json 'j["captures"][0]')"
out=$("$CTL" -s "$S" stats g1)
txp=$(json 'j["ports"][1]["tx_packets"]')
echo "$out" | grep -q "^port g1 .* tx $txp pkts" && ! echo "$out" | grep -q '^port g0' &&
    pass ctl_stats_text_port || fail ctl_stats_text_port "$out"

# 2. errors a user meets
out=$("$CTL" -s "$S" frobnicate 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q 'unknown command frobnicate' && pass ctl_unknown_command ||
    fail ctl_unknown_command "rc=$rc $out"
out=$("$CTL" -s "$S" stats --json g2 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q 'unknown port g2 (ports: g0 g1)' && pass ctl_unknown_port ||
    fail ctl_unknown_port "rc=$rc $out"
out=$("$CTL" -s "$WORK/none.sock" stats 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "is ixfwd running? no socket at $WORK/none.sock" &&
    pass ctl_not_running || fail ctl_not_running "rc=$rc $out"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$CTL" -s "$S" stats 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q 'permission denied' && pass ctl_permission_denied ||
    fail ctl_permission_denied "rc=$rc $out"
out=$("$CTL" -s "$S" capture stop nosuch 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q 'unknown capture nosuch' && pass ctl_unknown_capture ||
    fail ctl_unknown_capture "rc=$rc $out"

# 3. captures of the configuration: stop, start, dump
"$CTL" -s "$S" capture stop cap0 >/dev/null &&
    [ "$(json '[c["name"] for c in j["captures"]]')" = "['rec']" ] &&
    "$CTL" -s "$S" capture start cap0 | grep -q 'cap0 started' &&
    [ "$(json '[c["name"] for c in j["captures"]]')" = "['rec', 'cap0']" ] &&
    pass ctl_capture_stop_start || fail ctl_capture_stop_start "$(json 'j["captures"]')"
n=$(ls "$WORK"/cap0-*.pcap 2>/dev/null | wc -l)
[ "$n" -ge 1 ] && pass ctl_capture_stop_closes_file || fail ctl_capture_stop_closes_file "$n files"
out=$("$CTL" -s "$S" dump rec 2>&1)
n=$(tcpdump -nn -r "$(ls "$WORK"/rec-*.pcap | head -n 1)" 2>/dev/null | grep -c '^[0-9]')
[ "$n" = 100 ] && pass ctl_dump_recorder || fail ctl_dump_recorder "$n frames: $out"
out=$("$CTL" -s "$S" dump cap0 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q 'no flight recorder' && pass ctl_dump_not_recorder ||
    fail ctl_dump_not_recorder "rc=$rc $out"

# 4. reload: applied, then a broken file refused with its error
out=$("$CTL" -s "$S" reload 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | tail -n 1 | grep -q '^reloaded' && pass ctl_reload ||
    fail ctl_reload "rc=$rc $out"
cp "$WORK/gen.yaml" "$WORK/gen.good"
echo "bogus_key: 1" >>"$WORK/gen.yaml"
out=$("$CTL" -s "$S" reload 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "gen.yaml:[0-9]*:[0-9]*:" && echo "$out" | grep -q 'not reloaded' &&
    pass ctl_reload_refused || fail ctl_reload_refused "rc=$rc $out"
cp "$WORK/gen.good" "$WORK/gen.yaml"

# 5. top, in an 80x24 tmux pane: every port, q quits
tmux new-session -d -s ixc-top -x 80 -y 24 "'$CTL' -s '$S' top 2>'$WORK/top.err'"
sleep 2.5
pane=$(tmux capture-pane -p -t ixc-top 2>/dev/null)
echo "$pane" | grep -q '^g0 ' && echo "$pane" | grep -q '^g1 ' && echo "$pane" | grep -q 'PORT' &&
    pass ctl_top_shows_ports || fail ctl_top_shows_ports "$(echo "$pane" | head -n 8 | tr '\n' '|') $(cat "$WORK/top.err")"
tmux send-keys -t ixc-top q
sleep 1.5
tmux has-session -t ixc-top 2>/dev/null && fail ctl_top_q_quits "still running" || pass ctl_top_q_quits
stop

# 6. a bridge between two namespaces, traffic running, and the abuse list
for i in 1 2; do
	netns_host ixc-h$i ixc-h${i}0 ixc-p$i 198.18.9.$i/24
done
cat >"$WORK/br.yaml" <<EOT
ports:
  - { name: p1, device: emulated, wire: { interface: ixc-p1 } }
  - { name: p2, device: emulated, wire: { interface: ixc-p2 } }
  - { name: g0, device: emulated, wire: { generator: { size: 64, count: 0, rate: 5000 } } }
  - { name: g1, device: emulated, wire: { pcap_out: /dev/null } }
forward:
  - { from: g0, to: g1 }
bridge:
  ports: [p1, p2]
EOT
start "$WORK/br.yaml"
ip netns exec ixc-h1 ping -c 2 -i 0.2 -W 2 198.18.9.2 >/dev/null 2>&1
mac1=$(ip netns exec ixc-h1 cat /sys/class/net/ixc-h10/address)
mac2=$(ip netns exec ixc-h2 cat /sys/class/net/ixc-h20/address)
got=$("$CTL" -s "$S" bridge show --json | python3 -c "import json, sys
t = json.load(sys.stdin)['table']
print(' '.join(sorted(e['mac'] + '@' + e['port'] for e in t if not e['static'])))")
want=$(printf '%s\n' "$mac1@p1" "$mac2@p2" | sort | tr '\n' ' ' | sed 's/ $//')
[ "$got" = "$want" ] && pass ctl_bridge_show || fail ctl_bridge_show "got '$got', want '$want'"
"$CTL" -s "$S" bridge show | grep -q "^$mac1 .* p1 " && pass ctl_bridge_show_text ||
    fail ctl_bridge_show_text "$("$CTL" -s "$S" bridge show)"

fds() { ls /proc/$pid/fd | wc -l; }
before=$(fds)
rx0=$(json 'j["ports"][2]["rx_packets"]')
python3 - "$S" >"$WORK/abuse.out" 2>&1 <<'EOF'
import socket, sys, time
path = sys.argv[1]
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s
def answer(s):
    s.settimeout(5)
    data = b""
    try:
        while b"\n" not in data:
            d = s.recv(4096)
            if not d:
                break
            data += d
    except OSError as e:
        return "closed (%s)" % e
    return data.split(b"\n")[0].decode(errors="replace") or "closed"
# garbage
s = conn(); s.sendall(b"\x00\xff\x01garbage\x7f\n"); print("garbage:", answer(s)); s.close()
# 1 MiB line
s = conn()
try:
    s.sendall(b"x" * (1 << 20) + b"\n")
except OSError as e:
    pass
print("long:", answer(s)); s.close()
# never reads: a flood of requests, the answers left unread
lazy = conn(); lazy.setblocking(False)
sent = 0
try:
    for i in range(200000):
        sent += lazy.send(b"stats --json\n")
except OSError:
    pass
silent = conn()      # connects and says nothing
# 100 at once
many = []
for i in range(100):
    try:
        many.append(conn())
    except OSError as e:
        print("connect failed:", e)
for s in many:
    try:
        s.sendall(b"version\n")
    except OSError:
        pass
ok = busy = closed = 0
for s in many:
    a = answer(s)
    if a.startswith("ixfwd/1 ok"):
        ok += 1
    elif "error" in a:
        busy += 1
    else:
        closed += 1
    s.close()
print("many: ok=%d busy=%d closed=%d" % (ok, busy, closed))
# the lazy and silent ones are closed by the daemon after its idle time
time.sleep(12)
for name, s in (("lazy", lazy), ("silent", silent)):
    s.setblocking(True); s.settimeout(2)
    try:
        while s.recv(65536):
            pass
        print(name + ": closed by ixfwd")
    except ConnectionResetError:
        print(name + ": closed by ixfwd (reset)")
    except OSError as e:
        print(name + ": still open (%s)" % e)
    s.close()
EOF
grep -q '^garbage: ixfwd/1 error' "$WORK/abuse.out" && pass ctl_abuse_garbage ||
    fail ctl_abuse_garbage "$(cat "$WORK/abuse.out" | tr '\n' '|')"
grep -Eq '^long: (ixfwd/1 error|closed)' "$WORK/abuse.out" && pass ctl_abuse_long_line ||
    fail ctl_abuse_long_line "$(cat "$WORK/abuse.out" | tr '\n' '|')"
grep -q '^many: ok=[1-9][0-9]* busy=[0-9]* closed=0' "$WORK/abuse.out" && pass ctl_abuse_100_clients ||
    fail ctl_abuse_100_clients "$(grep many "$WORK/abuse.out")"
grep -q '^lazy: closed by ixfwd' "$WORK/abuse.out" && grep -q '^silent: closed by ixfwd' "$WORK/abuse.out" &&
    pass ctl_abuse_idle_closed || fail ctl_abuse_idle_closed "$(cat "$WORK/abuse.out" | tr '\n' '|')"
after=$(fds)
[ "$after" = "$before" ] && pass ctl_abuse_no_fd_leak || fail ctl_abuse_no_fd_leak "$before fds before, $after after"
rx1=$(json 'j["ports"][2]["rx_packets"]')
[ "$rx1" -gt $((rx0 + 10000)) ] && kill -0 $pid && pass ctl_abuse_forwarding_goes_on ||
    fail ctl_abuse_forwarding_goes_on "g0 rx $rx0 -> $rx1"
stop
[ -e "$S" ] && fail ctl_socket_removed "$S is still there" || pass ctl_socket_removed
# no datasheet rule broken, no DMA outside the registered memory
strict_check
exit $failed
