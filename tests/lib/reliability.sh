# shellcheck shell=bash
# tests/lib/reliability.sh: what the tests/integration/rel_*.sh scripts share.
# Source after tests/lib/container.sh (cleanup registry, EXR_BUILD). Sets REC
# and EXRAY to the binaries under $BUILD (so `make test SANITIZE=1` tests the
# sanitized ones) and builds them, and the helper tools, when missing.
[ -n "${REL_LIB_LOADED:-}" ] && return 0
REL_LIB_LOADED=1

REC=$EXR_BUILD/exray-record
EXRAY=$EXR_BUILD/exray
make -s -C "$EXR_ROOT" BUILD="$EXR_BUILD" "$REC" "$EXRAY" >&2 || exr_die "cannot build exray-record and exray"
exr_tool rel_burst
WL=$EXR_TOOL                    # tests/tools/rel_burst.c: workloads with ground truth
S=$EXR_STATE                    # scratch, removed at exit

rel_fails=0
ok() { echo "ok   $1"; }
fail() { echo "FAIL $1"; rel_fails=$((rel_fails + 1)); }
check() { if "${@:2}"; then ok "$1"; else fail "$1"; fi; }
# all CMD...: run the commands separated by ';;' arguments; true if all are
# (for check: check "label" all [ $rc = 1 ] ';;' grep -q x f)
all() {
	local -a cmd=()
	while [ $# -gt 0 ]; do
		if [ "$1" = ";;" ]; then "${cmd[@]}" || return 1; cmd=(); else cmd+=("$1"); fi
		shift
	done
	[ ${#cmd[@]} = 0 ] || "${cmd[@]}"
}
# rel_done NAME: the script's last line.
rel_done() {
	[ "$rel_fails" = 0 ] || { echo "$1: $rel_fails check(s) failed"; exit 1; }
	echo "$1: all checks passed"
	exit 0
}

# rel_start DIR ERRFILE ARGS...: start exray-record on DIR in the background
# and wait until it is recording (its first segment exists), up to 30 s:
# loading and verifying its programs took 3.9 s on a slow machine, more
# with the sanitizers, where 4 s had been allowed. Sets RECPID.
# Returns 1 (and leaves RECPID) if it exited first.
rel_start() {
	local dir=$1 err=$2 n
	shift 2
	"$REC" -o "$dir" "$@" 2>"$err" &
	RECPID=$!
	exr_register pid "$RECPID"
	for n in $(seq 1500); do
		compgen -G "$dir/*.exray.zst" >/dev/null && return 0
		kill -0 "$RECPID" 2>/dev/null || return 1
		sleep 0.02
	done
	return 1
}

# rel_no_ctl FILE: true when FILE holds no byte a terminal acts on: no C0
# control but newline and tab, no DEL, no C1 control (raw 0x80-0x9f would be
# invalid UTF-8 anyway; UTF-8 encoded C1 is \xc2\x80-\xc2\x9f).
rel_no_ctl() {
	[ "$(LC_ALL=C tr -d '\n\t\040-\176\200-\377' <"$1" | wc -c)" = 0 ] &&
		! LC_ALL=C grep -qaP '\xc2[\x80-\x9f]' "$1"
}
