#!/bin/sh
# test_daemon.sh: ixfwd as a service runs it.  After start-up it runs as
# the configured user with no capability left and no way back, and its
# captures still rotate, in a directory whose path the user cannot walk; systemd hears READY=1, STATUS=, RELOADING=1 and
# READY=1 around a reload, STOPPING=1, on a real NOTIFY_SOCKET; the
# pidfile holds its pid; under journald its lines carry priorities; a
# configuration its user cannot read, or a capture directory it cannot
# write in, is refused by -t and at start.
. "$(dirname "$0")/lib.sh"

U=ixo-u$$		# its own per run: two checkouts may test at once
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	[ -n "$lpid" ] && kill "$lpid" 2>/dev/null
	id "$U" >/dev/null 2>&1 && userdel "$U" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 1" INT TERM

if [ "$(id -u)" != 0 ]; then skip daemon "needs root (hugepages, users)"; exit 0; fi
[ -x "$IXFWD" ] || { fail daemon "$IXFWD not built (make)"; exit 1; }
command -v python3 >/dev/null || { fail daemon "python3 is not installed (make deps)"; exit 1; }
command -v useradd >/dev/null || { fail daemon "useradd is not installed (passwd)"; exit 1; }
hugepages 64
id "$U" >/dev/null 2>&1 && userdel "$U"
useradd --system --no-create-home --shell /usr/sbin/nologin "$U" || { fail daemon "useradd $U"; exit 1; }
uid=$(id -u "$U")

chmod 755 "$WORK"		# the configuration: the user reads it
# The capture directory is the user's, but the path to it is not: ixfwd
# opens it before the drop and works relative to it.
mkdir -m 700 "$WORK/private"
mkdir "$WORK/private/cap"
chown "$U" "$WORK/private/cap"
CAP=$WORK/private/cap
CONF=$WORK/ixfwd.yaml
cat >"$CONF" <<EOT
user: $U
link_timeout: 1
ports:
  - { name: g, device: emulated, wire: { generator: { size: 128, rate: 20000 } } }
  - { name: s, device: emulated }
forward:
  - { from: g, to: s }
capture:
  - name: all
    port: g
    file: $CAP/all.pcap
    rotate: { size: 64K, count: 3 }
EOT
chmod 644 "$CONF"

python3 "$TOP/tests/e2e/notify_listen.py" "$WORK/notify.sock" "$WORK/notify" &
lpid=$!
wait_for "$WORK/notify" listening 10 || { fail daemon "notify listener did not start"; exit 1; }

check daemon_config_check sh -c "'$IXFWD' -t -c '$CONF' | grep -qx 'configuration OK'"

: >"$WORK/ixfwd.log"
js=$(stat -c '%d:%i' "$WORK/ixfwd.log")
NOTIFY_SOCKET=$WORK/notify.sock JOURNAL_STREAM=$js \
    "$IXFWD" -c "$CONF" -p "$WORK/ixfwd.pid" >"$WORK/ixfwd.out" 2>>"$WORK/ixfwd.log" &
pid=$!
wait_for "$WORK/ixfwd.log" "forwarding:" 30 || { fail daemon_start "$(tail -n 5 "$WORK/ixfwd.log" | tr '\n' ' ')"; exit 1; }
wait_for "$WORK/notify" "^READY=1" 10

st=/proc/$pid/status
if [ "$(awk '/^Uid:/ {print $2 $3 $4 $5}' $st)" = "$uid$uid$uid$uid" ] &&
    [ "$(awk '/^CapEff:/ {print $2}' $st)" = 0000000000000000 ] &&
    [ "$(awk '/^CapPrm:/ {print $2}' $st)" = 0000000000000000 ] &&
    [ "$(awk '/^NoNewPrivs:/ {print $2}' $st)" = 1 ] &&
    [ "$(awk '/^Groups:/ {print $2}' $st)" = "$(id -g "$U")" ]; then
	pass daemon_dropped_to_user
else
	fail daemon_dropped_to_user "$(grep -E '^(Uid|Gid|Groups|CapEff|CapPrm|NoNewPrivs):' $st | tr '\n' ' ')"
fi
# every thread, the workers and the emulator too
bad=$(for t in /proc/$pid/task/*; do awk '/^Uid:/ {print $2} /^CapEff:/ {print $2}' $t/status; done | sort -u | tr '\n' ' ')
[ "$bad" = "0000000000000000 $uid " ] && pass daemon_threads_dropped || fail daemon_threads_dropped "$bad"

grep -q "READY=1" "$WORK/notify" && grep -q "^READY=1|STATUS=forwarding: 2 ports" "$WORK/notify" &&
    pass daemon_notify_ready || fail daemon_notify_ready "$(cat "$WORK/notify" | tr '\n' ' ')"
[ "$(cat "$WORK/ixfwd.pid")" = "$pid" ] && pass daemon_pidfile || fail daemon_pidfile "$(cat "$WORK/ixfwd.pid")"
grep -q "^<6>ixfwd: forwarding:" "$WORK/ixfwd.log" && grep -q "^<3>ixfwd: " "$WORK/ixfwd.log" &&
    pass daemon_journal_priorities || fail daemon_journal_priorities "$(head -n 3 "$WORK/ixfwd.log" | tr '\n' ' ')"
case "$(tr '\0' ' ' < /proc/$pid/cmdline)" in
*"ixfwd: forwarding"*) pass daemon_proctitle ;;
*) fail daemon_proctitle "$(tr '\0' ' ' < /proc/$pid/cmdline)" ;;
esac

# captures rotate as the user: 64K files, the newest 3 kept, mode 0640
wait_for "$WORK/notify" "^STATUS=forwarding: 1/2 links up, rx [0-9.]* k*pps, tx [0-9.]* k*pps, drops [0-9.]* k*pps$" 12 &&
    pass daemon_notify_status || fail daemon_notify_status "$(tail -n 3 "$WORK/notify" | tr '\n' ' ')"
report $pid
# the capture keeps rotating while we look: a file may be created or
# removed between listing and stat, so take a few snapshots with one find
# each and keep the first that shows the steady state
for _try in 1 2 3 4 5 6 7 8 9 10; do
	snap=$(find "$CAP" -maxdepth 1 -type f -printf '%m %u\n' 2>/dev/null)
	files=$(printf '%s\n' "$snap" | grep -c .)
	modes=$(printf '%s\n' "$snap" | grep . | sort -u | tr '\n' ' ')
	[ "$files" = 3 ] && [ "$modes" = "640 $U " ] && break
	sleep 0.2
done
nfiles=$(field "capture=all" files)
if [ "$files" = 3 ] && [ "${nfiles:-0}" -gt 3 ] && [ "$modes" = "640 $U " ] &&
    [ "$(field "capture=all" write_failed)" = 0 ]; then
	pass daemon_captures_rotate_after_drop
else
	fail daemon_captures_rotate_after_drop "$files files kept of $nfiles, modes $modes, write_failed=$(field "capture=all" write_failed)"
fi

# a reload, as the user: RELOADING=1 with MONOTONIC_USEC, then READY=1
sed -i 's/size: 64K/size: 128K/' "$CONF"
n0=$(grep -c . "$WORK/notify")
kill -HUP $pid
wait_for "$WORK/ixfwd.log" "reload: .*reloaded" 10
sleep 0.3
tail -n +$((n0 + 1)) "$WORK/notify" | grep -v '^STATUS=' >"$WORK/notify.reload"
if grep -q '^RELOADING=1|MONOTONIC_USEC=[0-9][0-9]*$' "$WORK/notify.reload" &&
    [ "$(tail -n 1 "$WORK/notify.reload")" = "READY=1" ]; then
	pass daemon_notify_reload
else
	fail daemon_notify_reload "$(cat "$WORK/notify.reload" | tr '\n' ' ')"
fi

kill -TERM $pid; wait $pid; rc=$?; pid=
sleep 0.2
[ $rc = 0 ] && grep -q '^STOPPING=1$' "$WORK/notify" && pass daemon_notify_stopping ||
    fail daemon_notify_stopping "exit $rc, $(tail -n 2 "$WORK/notify" | tr '\n' ' ')"

# -d: the parent returns 0 once the child forwards; the pidfile (in a
# directory of the user's, as /run/ixfwd) names the child, locks out a
# second one, and is removed at exit.
mkdir "$WORK/run"; chown "$U" "$WORK/run"
"$IXFWD" -d -c "$CONF" -p "$WORK/run/ixfwd.pid" >"$WORK/d.out" 2>&1; rc=$?
dpid=$(cat "$WORK/run/ixfwd.pid" 2>/dev/null)
if [ $rc = 0 ] && [ -n "$dpid" ] && [ -d "/proc/$dpid" ] &&
    [ "$(ps -o sid= -p "$dpid" | tr -d ' ')" = "$dpid" ] &&
    [ "$(awk '/^Uid:/ {print $2}' "/proc/$dpid/status")" = "$uid" ]; then
	pass daemon_detach
else
	fail daemon_detach "exit $rc, pid $dpid: $(cat "$WORK/d.out")"
fi
out=$("$IXFWD" -d -c "$CONF" -p "$WORK/run/ixfwd.pid" 2>&1); rc=$?
case "$rc:$out" in
1:*"already running, pid $dpid"*) pass daemon_pidfile_locked ;;
*) fail daemon_pidfile_locked "exit $rc: $out" ;;
esac
[ -n "$dpid" ] && kill -TERM "$dpid"
_i=0; while [ -d "/proc/$dpid" ] && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
[ ! -d "/proc/$dpid" ] && [ ! -e "$WORK/run/ixfwd.pid" ] && pass daemon_detached_stops ||
    fail daemon_detached_stops "pid $dpid still there or pidfile left"

# What the user cannot read or write: refused before anything starts.
chmod 600 "$CONF"
out=$("$IXFWD" -t -c "$CONF" 2>&1); rc=$?
case "$rc:$out" in
1:*"$CONF: user $U cannot read it (Permission denied)"*) pass daemon_conf_unreadable ;;
*) fail daemon_conf_unreadable "exit $rc: $out" ;;
esac
chmod 644 "$CONF"
chown root "$CAP"
chmod 755 "$CAP"
out=$("$IXFWD" -c "$CONF" 2>&1); rc=$?
case "$rc:$out" in
1:*"capture all: user $U cannot write in $CAP: Permission denied"*"nothing started"*) pass daemon_capture_dir_unwritable ;;
*) fail daemon_capture_dir_unwritable "exit $rc: $out" ;;
esac
# a user that does not exist
sed -i "s/^user: .*/user: ixo-nobody/" "$CONF"
out=$("$IXFWD" -t -c "$CONF" 2>&1); rc=$?
case "$rc:$out" in
1:*"user: ixo-nobody: no such user"*) pass daemon_user_missing ;;
*) fail daemon_user_missing "exit $rc: $out" ;;
esac
# no datasheet rule broken, no DMA outside the registered memory
strict_check
exit $failed
