#!/usr/bin/env bash
# make demo: on a fresh machine, as root: install what is missing, build,
# record one scenario live in real runc containers (a web app's command
# injection turned into a reverse shell), ingest it, and print the container
# tree and the alerts. Without root (or without kernel BTF, or with
# EXRAY_DEMO_REPLAY=1) it replays the committed recording of the same
# scenario instead, and says so. The case stays in a named directory
# (EXRAY_DEMO_DIR, default build/demo: segments, case.db, report.html) and
# the end says how to explore it.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SCENARIO=reverse-shell
EXRAY=$BUILD/exray
case_dir=${EXRAY_DEMO_DIR:-$BUILD/demo}
work=$(mktemp -d "${TMPDIR:-/tmp}/exray-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
step() { printf '\n==> %s\n' "$*"; }

# an earlier demo's case is replaced, anything else is never touched
if [ -e "$case_dir" ] && [ ! -f "$case_dir/.exray-demo" ]; then
	echo "make demo: $case_dir exists and is not a demo case: not replacing it (EXRAY_DEMO_DIR=DIR to choose another)" >&2
	exit 2
fi

live=1
if [ "${EXRAY_DEMO_REPLAY:-0}" = 1 ]; then
	live=0 why="EXRAY_DEMO_REPLAY=1"
elif [ "$(id -u)" != 0 ]; then
	live=0 why="not root"
elif [ ! -r /sys/kernel/btf/vmlinux ]; then
	live=0 why="this kernel has no BTF (/sys/kernel/btf/vmlinux)"
fi

if [ $live = 1 ]; then
	step "installing what is missing (make deps)"
	make -s deps
	step "building"
	make -s "$BUILD/exray-record" "$EXRAY" "$BUILD/fixtures/fixture-cut" \
		"$BUILD/tools/exr-net" "$BUILD/tools/suid_shell"
	step "recording scenario '$SCENARIO' live (fixtures/$SCENARIO/README.md)"
	EXRAY_FIXTURE_OUT=$work/capture BUILD=$BUILD fixtures/run-scenarios.sh record "$SCENARIO" >"$work/record.log" 2>&1 ||
		{ cat "$work/record.log" >&2; exit 1; }
	segs=$work/capture/segments
	facts=$work/capture/facts.txt
	grep -E '^recorder=' "$facts" | sed 's/^recorder=/recorded: /'
else
	echo "make demo: $why: replaying the committed recording fixtures/$SCENARIO instead of recording live."
	[ -x "$EXRAY" ] || { step "building the analyzer"; make -s "$EXRAY"; }
	segs=fixtures/$SCENARIO/segments
	facts=fixtures/$SCENARIO/facts.txt
fi

rm -rf "$case_dir"
mkdir -p "$case_dir"
touch "$case_dir/.exray-demo"
cp -r "$segs" "$case_dir/segments"
db=$case_dir/case.db
policy=fixtures/$SCENARIO/policy.txt
step "ingesting $case_dir/segments"
"$EXRAY" ingest -d "$db" "$case_dir/segments" 2>/dev/null
cid=$(sed -n 's/^container\.[a-z]*\.id=//p' "$facts" | head -1)
name=$(sed -n 's/^container\.\([a-z]*\)\.id=.*/\1/p' "$facts" | head -1)
step "container tree (exray tree -c $name)"
"$EXRAY" tree -d "$db" -c "$name"
step "alerts (exray check --policy $policy)"
"$EXRAY" check -d "$db" --policy "$policy" 2>/dev/null || true
# the harness (its listener standing in for the attacker, the shells that
# drive the scenario) runs on the host beside the container: an alert there
# would be the demo flagging itself
own=$("$EXRAY" sql -d "$db" --csv "SELECT count(*) FROM alerts a LEFT JOIN containers c ON c.container_id = a.container_id WHERE c.cid IS NOT '$cid'" | tail -1 | tr -d '\r')
[ "$own" = 0 ] || echo "make demo: $own alert(s) outside the scenario's container: the demo flags its own harness" >&2
report=${EXRAY_DEMO_REPORT:-$case_dir/report.html}
step "case report (exray report)"
"$EXRAY" report -d "$db" --policy "$policy" -o "$report" 2>/dev/null
echo "report: $report (open it in any browser; it loads nothing)"
step "explore the case in $case_dir (kept until the next make demo)"
cat <<EOT
  # every process, host and container
  $EXRAY tree -d $db --all
  # the container's events in time order
  $EXRAY timeline -d $db -c $name
  # the alerts, and the connections
  $EXRAY check -d $db --policy $policy
  $EXRAY sql -d $db "SELECT time, container, filename, daddr, dport FROM v_connections"
  # the recording itself
  $EXRAY info $case_dir/segments
EOT
