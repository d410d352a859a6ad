#!/usr/bin/env bash
# What a responder sees from `exray` (issue 18), on recorded fixtures and
# crafted cases: the case database is private, conclusions state what is
# missing, output is summarised before it floods, and the commands agree on
# options, exit codes and wording. No root or BTF needed: no eBPF runs here.
set -u
cd "${EXRAY_ROOT:-$(dirname "$0")/../..}"
BUILD=${BUILD:-build}
X=$BUILD/exray
[ -x "$X" ] || { echo "analyzer_ux: $X not built"; exit 1; }
tmp=$(mktemp -d /tmp/exray-ux-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
check() { if "${@:2}"; then ok "$1"; else bad "$1"; fi; }
# run WANT_RC DESCRIPTION COMMAND...: stdout in $tmp/out, stderr in $tmp/err
run() {
	local want=$1 what=$2; shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$what"; else
		bad "$what: exit $rc, want $want"; sed 's/^/    /' "$tmp/err" | head -5; fi
}
FIX=fixtures/download-and-run/segments

# --- item 3: the case database is created 0600 whatever the umask; a wider
# one is warned about on every open
(umask 0 && "$X" ingest -q -d "$tmp/case.db" "$FIX")
check "case database created 0600 under umask 0" [ "$(stat -c %a "$tmp/case.db")" = 600 ]
run 0 "tree on a private database" "$X" tree -d "$tmp/case.db"
check "no mode warning for a 0600 database" [ ! -s "$tmp/err" ]
chmod 644 "$tmp/case.db"
run 0 "tree on a 0644 database" "$X" tree -d "$tmp/case.db"
check "a 0644 database is warned about" grep -q "^exray: warning: .*case.db is open to group or others (mode 0644)" "$tmp/err"

[ "$fails" = 0 ] || { echo "analyzer_ux: $fails check(s) failed"; exit 1; }
echo "analyzer_ux: all checks passed"
