#!/usr/bin/env bash
# make demo: on a fresh machine, as root: install what is missing, build,
# record one scenario live in real runc containers (a web app's command
# injection turned into a reverse shell), ingest it, and print the container
# tree and the alerts. Without root (or without kernel BTF) it replays the
# committed recording of the same scenario instead, and says so.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SCENARIO=reverse-shell
EXRAY=$BUILD/exray
work=$(mktemp -d "${TMPDIR:-/tmp}/exray-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
step() { printf '\n==> %s\n' "$*"; }

live=1
if [ "$(id -u)" != 0 ]; then
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

step "ingesting $segs"
"$EXRAY" ingest -d "$work/case.db" "$segs" 2>/dev/null
cid=$(sed -n 's/^container\.[a-z]*\.id=//p' "$facts" | head -1)
step "container tree (exray tree -c ${cid:0:12})"
"$EXRAY" tree -d "$work/case.db" -c "$cid"
step "alerts (exray check --policy fixtures/$SCENARIO/policy.txt)"
"$EXRAY" check -d "$work/case.db" --policy "fixtures/$SCENARIO/policy.txt" 2>/dev/null || true
# the case report, kept after the demo (an earlier demo report is replaced)
report=${EXRAY_DEMO_REPORT:-$PWD/$BUILD/demo-report.html}
step "case report (exray report)"
"$EXRAY" report -d "$work/case.db" --policy "fixtures/$SCENARIO/policy.txt" -o "$report" 2>/dev/null
echo "report: $report (open it in any browser; it loads nothing)"
