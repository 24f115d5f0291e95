#!/bin/sh
# test_security.sh: what ixfwd trusts and what it refuses (SECURITY.md).
# A configuration file others could have written, or a symbolic link, is
# refused by -t, at start and at a reload, naming the file, and a refused
# reload keeps the running configuration (the filter still drops every
# frame).  The control socket, even opened to everyone by mistake, serves
# only root, ixfwd's user and its group's members (SO_PEERCRED), and says
# no to the others in one line.  With two queues, every thread runs as
# the user with no capability.
. "$(dirname "$0")/lib.sh"

CTL=${CTL:-$BUILD/ixfwdctl}
U=ixs-u$$		# its own per run: two checkouts may test at once
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	id "$U" >/dev/null 2>&1 && userdel "$U" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 1" INT TERM

if [ "$(id -u)" != 0 ]; then skip security "needs root (hugepages, users)"; exit 0; fi
[ -x "$IXFWD" ] && [ -x "$CTL" ] || { fail security "not built (make)"; exit 1; }
for tool in useradd setpriv; do
	command -v $tool >/dev/null || { skip security "$tool is not installed"; exit 0; }
done
hugepages 64
id "$U" >/dev/null 2>&1 && userdel "$U"
useradd --system --no-create-home --shell /usr/sbin/nologin "$U" || { fail security "useradd $U"; exit 1; }
uid=$(id -u "$U") gid=$(id -g "$U")
chmod 755 "$WORK"	# the user reads the file at a reload; nobody knocks
S=$WORK/ctl.sock
CONF=$WORK/ixfwd.yaml

# conf FILE FILTER: every generated frame is ether proto 0x88b5
conf() {
	cat >"$1.new" <<EOT
user: $U
link_timeout: 1
ports:
  - { name: g, device: emulated, queues: 2, wire: { generator: { size: 64, rate: 2000 } } }
  - { name: s, device: emulated }
forward:
  - { from: g, to: s$2 }
$(emulator_cpu_yaml)
EOT
	chmod 644 "$1.new"
	mv "$1.new" "$1"
}
FILTERED=', filter: "not ether proto 0x88b5"'

# refused WHAT FILE MESSAGE: -t and a start both exit 1 saying MESSAGE
refused() {
	out=$("$IXFWD" -t -c "$2" 2>&1); rc=$?
	[ $rc = 1 ] && echo "$out" | grep -qF "$3" && echo "$out" | grep -q "nothing started" &&
	    pass "security_${1}_check" || fail "security_${1}_check" "rc=$rc $out"
	out=$(timeout 20 "$IXFWD" -c "$2" -s "$S" 2>&1); rc=$?
	[ $rc = 1 ] && echo "$out" | grep -qF "$3" && ! echo "$out" | grep -q "forwarding:" &&
	    pass "security_${1}_start" || fail "security_${1}_start" "rc=$rc $out"
}

# 1. Files refused at -t and at start.
conf "$CONF" "$FILTERED"
check security_good_file sh -c "'$IXFWD' -t -c '$CONF' | grep -qx 'configuration OK'"
chmod o+w "$CONF"
refused world_writable "$CONF" "$CONF: refused: writable by others (mode 0646); chmod go-w $CONF"
chmod 664 "$CONF"
refused group_writable "$CONF" "$CONF: refused: writable by its group (mode 0664); chmod go-w $CONF"
chmod 644 "$CONF"
ln -s ixfwd.yaml "$WORK/link.yaml"
refused symlink "$WORK/link.yaml" "$WORK/link.yaml: refused: a symbolic link (to ixfwd.yaml); name the file itself"
mkdir -m 755 "$WORK/open"
conf "$WORK/open/ixfwd.yaml" ""
chmod 777 "$WORK/open"
refused open_directory "$WORK/open/ixfwd.yaml" "refused: directory $WORK/open is writable by others (mode 0777); chmod go-w $WORK/open"
chown "$U" "$CONF"
refused foreign_owner "$CONF" "$CONF: refused: owned by uid $uid, not by root"
chown 0 "$CONF"

# 2. A running daemon with a filter that drops every frame.
"$IXFWD" -c "$CONF" -s "$S" >"$WORK/ixfwd.out" 2>"$WORK/ixfwd.log" &
pid=$!
wait_for "$WORK/ixfwd.log" "forwarding:" 30 || { fail security_start "$(tail -n 5 "$WORK/ixfwd.log" | tr '\n' ' ')"; exit 1; }
sleep 0.5

# every thread (two workers for g's queues, s's, the emulator) dropped
n=$(ls /proc/$pid/task | wc -l)
bad=$(for t in /proc/$pid/task/*; do awk '/^Uid:/ {print $2 $3 $4 $5} /^(CapEff|CapPrm):/ {print $2}' $t/status; done | sort -u | tr '\n' ' ')
[ "$n" -ge 4 ] && [ "$bad" = "0000000000000000 $uid$uid$uid$uid " ] &&
    pass security_threads_no_caps || fail security_threads_no_caps "$n threads: $bad"

# 3. Reloads of a file made untrusted: refused, the filter stays.
report $pid
f0=$(counter g drop_filtered) t0=$(counter s tx_packets)
conf "$CONF" ""			# what an attacker would like: no filter
chmod o+w "$CONF"
out=$("$CTL" -s "$S" reload 2>&1); rc=$?
if [ $rc = 1 ] && echo "$out" | grep -qF "$CONF: refused: writable by others (mode 0646)" &&
    echo "$out" | grep -q "not reloaded: $CONF: 1 error, still running" &&
    grep -qF "reload: $CONF: refused: writable by others" "$WORK/ixfwd.log"; then
	pass security_reload_world_writable
else
	fail security_reload_world_writable "rc=$rc $out"
fi
chmod o-w "$CONF"
mv "$CONF" "$WORK/real.yaml"
ln -s real.yaml "$CONF"
n0=$(grep -c 'reload: not reloaded' "$WORK/ixfwd.log")
kill -HUP $pid
wait_for "$WORK/ixfwd.log" "reload: $CONF: refused: a symbolic link (to real.yaml)" 10 &&
    _i=0 && while [ "$(grep -c 'reload: not reloaded' "$WORK/ixfwd.log")" -le "$n0" ] && [ $_i -lt 50 ]; do
	sleep 0.1; _i=$((_i + 1)); done
[ "$(grep -c 'reload: not reloaded' "$WORK/ixfwd.log")" -gt "$n0" ] &&
    pass security_reload_symlink || fail security_reload_symlink "$(grep reload: "$WORK/ixfwd.log" | tail -n 3 | tr '\n' ' ')"
sleep 0.5
report $pid
f1=$(counter g drop_filtered) t1=$(counter s tx_packets)
if [ "${f1:-0}" -gt "${f0:-0}" ] && [ "${f0:-0}" -gt 0 ] && [ "$t1" = "$t0" ]; then
	pass security_refused_reloads_keep_filter
else
	fail security_refused_reloads_keep_filter "drop_filtered $f0 -> $f1, s tx $t0 -> $t1"
fi
# the same content as a plain file: applied (the refusals were the file's)
rm "$CONF"; mv "$WORK/real.yaml" "$CONF"
out=$("$CTL" -s "$S" reload 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "reloaded $CONF: 1 change applied" &&
    pass security_reload_trusted_applied || fail security_reload_trusted_applied "rc=$rc $out"

# 4. The control socket opened to everyone: the peer's credentials decide.
chmod 666 "$S"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$CTL" -s "$S" stats 2>&1); rc=$?
if [ $rc = 1 ] && echo "$out" | grep -q "permission denied: uid 65534 is not root, ixfwd's user or in group $gid" &&
    wait_for "$WORK/ixfwd.log" "control socket: refused pid [0-9]* uid 65534 gid 65534: not root" 5; then
	pass security_ctl_peer_refused
else
	fail security_ctl_peer_refused "rc=$rc $out"
fi
out=$(setpriv --reuid=nobody --regid=nogroup --groups="$gid" "$CTL" -s "$S" stats 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "^port g " && pass security_ctl_group_member ||
    fail security_ctl_group_member "rc=$rc $out"
out=$(setpriv --reuid="$U" --regid="$gid" --clear-groups "$CTL" -s "$S" stats 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "^port g " && pass security_ctl_own_user ||
    fail security_ctl_own_user "rc=$rc $out"
out=$("$CTL" -s "$S" stats 2>&1); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "^port g " && pass security_ctl_root ||
    fail security_ctl_root "rc=$rc $out"
# twenty refusals at once, then one more a second later: fewer log
# lines than refusals, and every refusal either has its line or is
# counted in the next one ("and N more since the last line")
l0=$(grep -c "control socket: refused" "$WORK/ixfwd.log")
sleep 1.2
setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/bin/python3 -c "
import socket
for i in range(20):
    s = socket.socket(socket.AF_UNIX)
    s.connect('$S')
    s.recv(256)
    s.close()
"
sleep 1.2
setpriv --reuid=nobody --regid=nogroup --clear-groups "$CTL" -s "$S" stats >/dev/null 2>&1
lines=$(grep "control socket: refused" "$WORK/ixfwd.log" | tail -n +$((l0 + 1)))
nl=$(echo "$lines" | wc -l)
quiet=$(echo "$lines" | sed -n 's/.*(and \([0-9]*\) more since the last line)$/\1/p' | awk '{ s += $1 } END { print s + 0 }')
if [ "$nl" -lt 21 ] && [ $((nl + quiet)) = 21 ]; then
	pass security_ctl_refusals_rate_limited
else
	fail security_ctl_refusals_rate_limited "$nl log lines + $quiet counted for 21 refusals"
fi

kill -TERM $pid; wait $pid; rc=$?; pid=
[ $rc = 0 ] || fail security_stop "exit $rc"
# no datasheet rule broken, no DMA outside the registered memory
strict_check
exit $failed
