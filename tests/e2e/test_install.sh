#!/bin/sh
# test_install.sh: make install puts exactly the files README.md lists
# under DESTDIR, keeps an existing configuration, and make uninstall
# removes exactly them; the installed unit passes systemd-analyze verify.
. "$(dirname "$0")/lib.sh"
trap 'rm -rf "$WORK"' EXIT
MAKE=${MAKE:-make}
cd "$TOP" || exit 1

# the list in README.md, between its install-files markers
sed -n '/<!-- install-files:begin/,/<!-- install-files:end/p' README.md |
    sed -n 's/^    \(\/[^ ]*\).*/\1/p' | sort >"$WORK/documented"
[ -s "$WORK/documented" ] || { fail install_documented "no file list in README.md"; exit 1; }

D=$WORK/dest
if ! $MAKE -s install DESTDIR="$D" >"$WORK/make.out" 2>&1; then
	fail install_files "make install: $(tail -n 3 "$WORK/make.out" | tr '\n' ' ')"
	exit 1
fi
(cd "$D" && find . -type f -o -type l) | sed 's/^\.//' | sort >"$WORK/installed"
$MAKE -s print-install | sort >"$WORK/listed"
if cmp -s "$WORK/installed" "$WORK/documented" && cmp -s "$WORK/listed" "$WORK/documented"; then
	pass install_files
else
	fail install_files "$(diff "$WORK/documented" "$WORK/installed" | tr '\n' ' ') / print-install: $(diff "$WORK/documented" "$WORK/listed" | tr '\n' ' ')"
fi
[ "$(stat -c %a "$D/usr/local/sbin/ixfwd")" = 755 ] &&
    [ "$(stat -c %a "$D/lib/systemd/system/ixfwd.service")" = 644 ] &&
    pass install_modes || fail install_modes "$(stat -c '%a %n' "$D/usr/local/sbin/ixfwd" "$D/lib/systemd/system/ixfwd.service")"

$MAKE -s uninstall DESTDIR="$D" >"$WORK/make.out" 2>&1
left=$(cd "$D" && find . -type f -o -type l)
[ -z "$left" ] && pass uninstall_removes_all || fail uninstall_removes_all "left: $left"

# an operator's configuration survives install and uninstall
mkdir -p "$D/etc/ixfwd"
echo "# mine" >"$D/etc/ixfwd/ixfwd.yaml"
$MAKE -s install DESTDIR="$D" >/dev/null 2>&1
$MAKE -s uninstall DESTDIR="$D" >/dev/null 2>&1
left=$(cd "$D" && find . -type f -o -type l)
[ "$left" = "./etc/ixfwd/ixfwd.yaml" ] && [ "$(cat "$D/etc/ixfwd/ixfwd.yaml")" = "# mine" ] &&
    pass install_keeps_config || fail install_keeps_config "left: $left; $(cat "$D/etc/ixfwd/ixfwd.yaml")"

# the unit, installed where its paths are real, passes systemd-analyze
if ! command -v systemd-analyze >/dev/null 2>&1; then
	fail install_unit_verify "systemd-analyze is not installed (make deps)"
	exit 1
fi
R=$WORK/root
$MAKE -s install PREFIX="$R/usr" SYSCONFDIR="$R/etc" UNITDIR="$R/lib/systemd/system" \
    SYSUSERSDIR="$R/usr/lib/sysusers.d" TMPFILESDIR="$R/usr/lib/tmpfiles.d" >/dev/null 2>&1
out=$(MANPATH="$R/usr/share/man" systemd-analyze verify "$R/lib/systemd/system/ixfwd.service" 2>&1); rc=$?
[ $rc = 0 ] && [ -z "$out" ] && pass install_unit_verify || fail install_unit_verify "exit $rc: $out"
# the exposure score, for the record (lower is better)
systemd-analyze security --offline=yes "$R/lib/systemd/system/ixfwd.service" 2>&1 | tail -n 1
exit $failed
