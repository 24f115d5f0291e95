#!/bin/sh
# test_manpages.sh: the manual pages say what the code does.  No root.
#
#   man_lint           mandoc -Tlint -W warning is silent on man/*.5 man/*.8
#   man_keys           every key in the tables of conf/conf_*.c (the schema:
#                      conf_schema.c and a file per section) has an item
#                      ".It Cm KEY Ar TYPE" in ixfwd.yaml.5, with the
#                      table's type
#   man_keys_known     every such item in ixfwd.yaml.5 is a key of the tables
#   man_key_facts      each key's item states its table's range ("MIN to MAX",
#                      "MIN or more", "power of two"), "default DEF" and
#                      "Required."
#   man_synopsis       the SYNOPSIS of ixfwd.8, as mandoc renders it, is the
#                      usage() string of cmd/ixfwd.c
#   man_example_LN     each literal block of ixfwd.yaml.5 that is a whole
#                      configuration (its first line is "ports:"), at line N
#                      of the page, passes `ixfwd -t`
. "$(dirname "$0")/lib.sh"
trap 'rm -rf "$WORK"' EXIT INT TERM

MAN5=$TOP/man/ixfwd.yaml.5
MAN8=$TOP/man/ixfwd.8
# the files with key tables: conf_schema.c and one per section
SCHEMA="$TOP/conf/conf_*.c"
MAIN=$TOP/cmd/ixfwd.c

have() { command -v "$1" >/dev/null 2>&1; }
oneline() { head -n 5 | tr '\n' ' '; }

# --- mandoc -Tlint ----------------------------------------------------------
if ! have mandoc; then
	skip man_lint "mandoc is not installed (make deps)"
else
	out=$(mandoc -Tlint -W warning "$TOP"/man/*.5 "$TOP"/man/*.8 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && [ -z "$out" ]; then
		pass man_lint
	else
		fail man_lint "mandoc exit $rc: $(echo "$out" | oneline)"
	fi
fi

# --- keys of the schema tables ----------------------------------------------
# One line per key: name type min max def required pow2 ("-" when absent).
# A key's entry runs from its ".name =" to the next one or the table's end.
awk '
function field(re, skip,   v) {
	if (match($0, re)) {
		v = substr($0, RSTART + skip, RLENGTH - skip)
		gsub(/"/, "", v)
		return v
	}
	return ""
}
function emit() {
	if (name != "")
		print name, type, min, max, def, req, pow2
	name = ""
}
/^static const struct conf_key / { intable = 1; next }
intable && /^};/ { emit(); intable = 0; next }
!intable { next }
/\.name = "/ {
	emit()
	name = field("\\.name = \"[^\"]*\"", 8)
	type = min = max = def = "-"
	req = pow2 = 0
}
{
	if ((v = field("\\.type = CONF_T_[A-Z]+", 15)) != "") type = v
	if ((v = field("\\.min = -?[0-9]+", 7)) != "") min = v
	if ((v = field("\\.max = -?[0-9A-Z_]+", 7)) != "") max = v
	if ((v = field("\\.def = \"[^\"]*\"", 7)) != "") def = v
	if ($0 ~ /CONF_K_REQUIRED/) req = 1
	if ($0 ~ /CONF_K_POW2/) pow2 = 1
}
' $SCHEMA >"$WORK/keys"

# The text of every item ".It Cm KEY Ar ..." of the page, one line each:
# KEY TYPE text...  (the item ends at the next .It or .El).
awk '
function flush() { if (key != "") print key, type, text; key = "" }
/^\.It Cm [a-z_0-9]+ Ar / { flush(); key = $3; type = $5; text = ""; next }
/^\.(It|El)( |$)/ { flush(); next }
key != "" { text = text " " $0 }
END { flush() }
' "$MAN5" >"$WORK/items" 2>/dev/null

doc_type() {
	case $1 in
	INT) echo integer ;;
	BOOL) echo boolean ;;
	STRING) echo string ;;
	MAP) echo mapping ;;
	SEQ) echo list ;;
	NAMES) echo name ;;
	SIZE) echo size ;;
	NUMBER) echo number ;;
	*) echo "?$1" ;;
	esac
}

if [ ! -f "$MAN5" ]; then
	fail man_keys "$MAN5 does not exist"
elif [ ! -s "$WORK/keys" ]; then
	fail man_keys "no key found in the tables of conf/conf_*.c"
else
	missing=
	facts=
	while read -r name type min max def req pow2; do
		want=$(doc_type "$type")
		if ! grep -q "^\.It Cm $name Ar $want\( \|$\)" "$MAN5"; then
			missing="$missing $name($want)"
			continue
		fi
		# Every fact must be in the text of one of the key's items.
		text=$(awk -v k="$name" '$1 == k' "$WORK/items" |
		    tr -s ' \t' '  ')
		need=
		if [ "$max" = LLONG_MAX ]; then
			need="$min or more"
		elif [ "$min" != - ]; then
			need="$min to $max"
		fi
		[ "$pow2" = 1 ] && need="$need|power of two"
		[ "$def" != - ] && need="$need|default $def"
		[ "$req" = 1 ] && need="$need|Required."
		IFS='|'
		for phrase in $need; do
			[ -z "$phrase" ] && continue
			case $text in
			*"$phrase"*) ;;
			*) facts="$facts $name:\"$phrase\"" ;;
			esac
		done
		unset IFS
	done <"$WORK/keys"
	if [ -z "$missing" ]; then
		pass man_keys
	else
		fail man_keys "not documented as .It Cm KEY Ar TYPE:$missing"
	fi
	if [ -z "$facts" ]; then
		pass man_key_facts
	else
		fail man_key_facts "the page does not say:$facts"
	fi
	unknown=
	for k in $(cut -d' ' -f1 "$WORK/items" | sort -u); do
		grep -q "^$k " "$WORK/keys" || unknown="$unknown $k"
	done
	if [ -z "$unknown" ]; then
		pass man_keys_known
	else
		fail man_keys_known "documented but not in conf/conf_*.c:$unknown"
	fi
fi

# --- SYNOPSIS of ixfwd.8 and usage() ----------------------------------------
usage=$(sed -n 's/.*"usage: \(.*\)\\n".*/\1/p' "$MAIN" | head -n 1)
if ! have mandoc; then
	skip man_synopsis "mandoc is not installed (make deps)"
elif [ -z "$usage" ]; then
	fail man_synopsis "no \"usage: ...\" string in $MAIN"
else
	# Remove the overstrike of bold and underlined text.
	if have col; then
		plain() { col -bx; }
	else
		bs=$(printf '\b')
		plain() { sed "s/.$bs//g"; }
	fi
	synopsis=$(mandoc -Tascii "$MAN8" | plain |
	    awk '/^SYNOPSIS/ { on = 1; next }
		on && /^[^ \t]/ { exit }
		on { printf "%s ", $0 }' |
	    tr -s ' \t' '  ' | sed 's/^ //; s/ $//')
	if [ "$synopsis" = "$usage" ]; then
		pass man_synopsis
	else
		fail man_synopsis "ixfwd.8 says \"$synopsis\", usage() says \"$usage\""
	fi
fi

# --- the examples of ixfwd.yaml.5 pass ixfwd -t -----------------------------
if [ ! -x "$IXFWD" ]; then
	skip man_examples "$IXFWD is not built (make)"
elif [ ! -f "$MAN5" ]; then
	fail man_examples "$MAN5 does not exist"
else
	# Each literal block to $WORK/ex.LINE/ixfwd.yaml, mdoc escapes undone.
	awk -v dir="$WORK" '
	/^\.Bd -literal/ { on = 1; n = 0; at = NR; next }
	/^\.Ed/ { if (f != "") close(f); on = 0; f = ""; next }
	on {
		line = $0
		gsub(/\\&/, "", line)
		gsub(/\\\(dq/, "\"", line)
		gsub(/\\e/, "\\", line)
		if (++n == 1) {
			if (line != "ports:") { on = 0; next }
			f = dir "/ex." at
			system("mkdir -p " f)
			f = f "/ixfwd.yaml"
		}
		print line > f
		if (n == 1) print f > (dir "/examples")
	}
	' "$MAN5"
	# -t counts the hugepages each needs (16 at most) against the free
	# ones: as root, make sure there are enough.
	[ "$(id -u)" = 0 ] && hugepages 32
	# conf_load() counts the CPUs the same way.
	ncpus=$(getconf _NPROCESSORS_CONF 2>/dev/null || nproc --all)
	if [ ! -s "$WORK/examples" ]; then
		fail man_examples "no literal block starting with \"ports:\" in $MAN5"
	fi
	while read -r f; do
		at=${f%/ixfwd.yaml}
		name=man_example_L${at##*/ex.}
		top=-1
		# cpu: N, and every N of cpus: [N, M]
		for c in $(sed -n 's/.*cpu: *\([0-9][0-9]*\).*/\1/p
		    s/.*cpus: *\[\([0-9, ]*\)\].*/\1/p' "$f" | tr ',' ' '); do
			[ "$c" -gt "$top" ] && top=$c
		done
		if [ "$top" -ge "$ncpus" ]; then
			# written for a bigger box: its CPUs renumbered
			if ! fit_cpus "$f" "$f.fit" "$ncpus"; then
				skip "$name" "uses more CPUs than this machine's $ncpus"
				continue
			fi
			f=$f.fit
		fi
		if out=$("$IXFWD" -t -c "$f" 2>&1) &&
		    [ "$out" = "configuration OK" ]; then
			pass "$name"
		elif only_missing_nics "$f" "$out"; then
			pass "$name"	# good file; this machine lacks its NICs
		else
			fail "$name" "$(echo "$out" | oneline)"
		fi
	done <"$WORK/examples"
fi

exit "$failed"
