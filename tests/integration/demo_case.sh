#!/usr/bin/env bash
# make demo (issue 18 item 18), replaying the committed recording: the case
# stays in a named directory, the end says how to explore it (and those
# commands work), the demo flags nothing of its own harness (the host
# listener standing in for the attacker), and a directory that is not an
# earlier demo's is never replaced.
set -u
cd "${EXRAY_ROOT:-$(dirname "$0")/../..}"
BUILD=${BUILD:-build}
X=$BUILD/exray
[ -x "$X" ] || { echo "demo_case: $X not built"; exit 1; }
tmp=$(mktemp -d /tmp/exray-demo-case-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
check() { if "${@:2}"; then ok "$1"; else bad "$1"; fi; }
demo() { EXRAY_DEMO_DIR=$tmp/demo EXRAY_DEMO_REPLAY=1 BUILD=$BUILD bash tests/demo.sh >"$tmp/out" 2>"$tmp/err"; }

demo
check "make demo (replay): exit 0" [ $? = 0 ]
for f in .exray-demo case.db report.html segments; do
	check "  ... keeps $f in the demo directory" [ -e "$tmp/demo/$f" ]
done
check "  ... says where to explore it" grep -q "^==> explore the case in $tmp/demo" "$tmp/out"
check "  ... shows its alerts" grep -q ' critical reverse-shell ' "$tmp/out"
check "  ... flags nothing of its own harness" bash -c "! grep -q 'flags its own harness' '$tmp/err'"
n=$("$X" sql -d "$tmp/demo/case.db" --csv "SELECT count(*) FROM alerts WHERE container_id IS NULL" | tail -1 | tr -d '\r')
check "  ... no alert on the host, where its listener ran ($n)" [ "$n" = 0 ]
check "  ... the listener is in the case" bash -c "\"$X\" sql -d '$tmp/demo/case.db' --csv \"SELECT count(*) FROM v_processes WHERE container = 'host' AND comm = 'exr-net'\" | tail -1 | grep -qv '^0'"
sed -n '/^==> explore the case/,$p' "$tmp/out" | grep "^  $X " | sed 's/^  //' >"$tmp/cmds"
check "  ... suggests 5 commands" [ "$(wc -l <"$tmp/cmds")" = 5 ]
while read -r cmd; do
	bash -c "$cmd" >/dev/null 2>&1
	check "  ... which work: $cmd" [ $? = 0 ]
done <"$tmp/cmds"
demo
check "a second demo replaces the first: exit 0" [ $? = 0 ]
mkdir "$tmp/mine" && echo keep >"$tmp/mine/notes"
EXRAY_DEMO_DIR=$tmp/mine EXRAY_DEMO_REPLAY=1 BUILD=$BUILD bash tests/demo.sh >/dev/null 2>"$tmp/err"
check "a directory that is not a demo's is refused (exit $?)" [ $? = 2 ]
check "  ... and left alone" [ "$(cat "$tmp/mine/notes")" = keep ]

[ "$fails" = 0 ] || { echo "demo_case: $fails check(s) failed"; exit 1; }
echo "demo_case: all checks passed"
