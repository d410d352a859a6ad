#!/usr/bin/env bash
# Every built-in rule (analyzer/rules/*.sql) against the committed recorded
# fixtures (fixtures/*/segments): for each, one recording where it must
# fire and one where it must stay silent, checked on `exray check` output
# with the fixture's own policy.txt. A rule without a row here fails the
# test, so a new rule comes with its recordings. (The exact expected alerts
# of every fixture are checked by fixtures_replay.sh.) No root needed.
set -u -o pipefail
cd "${EXRAY_ROOT:-$(dirname "$0")/../..}"
BUILD=${BUILD:-build}
X=$BUILD/exray
[ -x "$X" ] || { echo "detection_fixtures: $X not built"; exit 1; }

# rule | fires in FIXTURE | on an alert whose message has TEXT (- any)
#      | silent in FIXTURE | for alerts whose message has TEXT (- any); why
TABLE='
shell-in-container    | interactive-shell | /bin/sh -i            | miner             | -                 | the init is a shell entrypoint (pid 1)
shell-in-container    | reverse-shell     | (argv[0] sh)          | benign-web        | -                 | argv[0] names busybox applets run as /proc/self/exe
egress-not-allowed    | miner             | 203.0.113.50:3333     | miner             | 192.0.2.2:443     | the allowed API call
exec-then-egress      | download-and-run  | 198.51.100.10:80      | miner             | /usr/local/bin/xmrig | exec by the container init (pid 1)
exec-from-temp        | download-and-run  | /tmp/kworkerd         | interactive-shell | -                 | runc re-executing itself from a memfd (runc init)
host-namespace-entry  | nsenter-host      | /usr/bin/nsenter      | interactive-shell | -                 | runc exec into the container namespaces
setuid-root-gain      | setuid-root       | suid_shell            | interactive-shell | -                 | root in, root out
suspicious-port       | miner             | 203.0.113.50:3333     | miner             | 192.0.2.2:443     | an ordinary port
raw-socket-syn        | syn-scan          | 203.0.113.1:22        | syn-scan          | 203.0.113.1:8080  | the SYN of a socket-level connect
new-tool-in-container | download-and-run  | wget run in container | benign-web        | -                 | the host side runs wget (health probes), not the container
'

tmp=$(mktemp -d /tmp/exray-detfix-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

# alerts FIXTURE: exray check's lines for FIXTURE (cached), as "RULE MESSAGE".
alerts() {
	local f=$1
	if [ ! -f "$tmp/$f" ]; then
		[ -d "fixtures/$f/segments" ] || { echo "no fixture $f" >&2; return 1; }
		"$X" check --policy "fixtures/$f/policy.txt" "fixtures/$f/segments" 2>"$tmp/$f.err" |
			awk '{ r = $3; $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print r " " $0 }' >"$tmp/$f" ||
			{ cat "$tmp/$f.err" >&2; return 1; }
	fi
	cat "$tmp/$f"
}

# hits RULE FIXTURE TEXT: how many of RULE's alerts in FIXTURE mention TEXT.
hits() {
	local lines
	lines=$(alerts "$2") || { echo -1; return; }
	if [ "$3" = - ]; then
		grep -c "^$1 " <<<"$lines"
	else
		grep "^$1 " <<<"$lines" | grep -cF -- "$3"
	fi
}

declare -A covered
while IFS='|' read -r rule fin ftext sin stext why; do
	rule=$(echo $rule) fin=$(echo $fin) sin=$(echo $sin)
	[ -n "$rule" ] || continue
	ftext=$(sed 's/^ *//; s/ *$//' <<<"$ftext") stext=$(sed 's/^ *//; s/ *$//' <<<"$stext")
	why=$(sed 's/^ *//' <<<"$why")
	covered[$rule]=1
	n=$(hits "$rule" "$fin" "$ftext")
	[ "$n" -gt 0 ] && ok "$rule fires in $fin ($ftext)" || bad "$rule does not fire in $fin on '$ftext'"
	n=$(hits "$rule" "$sin" "$stext")
	[ "$n" = 0 ] && ok "$rule silent in $sin ($stext: $why)" || bad "$rule fires in $sin on '$stext' ($n): $why"
done <<<"$TABLE"

for f in analyzer/rules/*.sql; do
	id=$(sed -n 's/^-- *id: *//p' "$f" | head -1 | tr -d ' \r')
	[ -n "${covered[$id]:-}" ] && ok "rule $id has fixtures" || bad "rule $id ($f) has no row in this table"
done

[ "$fails" -eq 0 ] && echo "detection_fixtures: all checks passed" || echo "detection_fixtures: $fails check(s) failed"
[ "$fails" -eq 0 ]
