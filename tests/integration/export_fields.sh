#!/usr/bin/env bash
# One meaning per field, in every interface (issue 16): on a generated
# capture with known exits (exit codes and killing signals), `exit_code` is
# the exit code and `signal` the signal instead, never both, in dump, the
# SQL tables and views, tree --json, the OCSF export and the ClickHouse
# rows, and they agree with each other record by record; `sql --json` and
# the ClickHouse rows write argv as a JSON array. No root needed.
set -u
ROOT=$(cd "${EXRAY_ROOT:-$(dirname "$0")/../..}" && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
X=$BUILD/exray GEN=$BUILD/bench/exray-gen
for b in "$X" "$GEN"; do [ -x "$b" ] || { echo "export_fields: $b not built"; exit 1; }; done
command -v jq >/dev/null || { echo "export_fields: jq missing (make deps)"; exit 1; }
tmp=$(mktemp -d /tmp/exray-fields-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
eq() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: got '$2', want '$3'"; fi; }

"$GEN" -o "$tmp/seg" -n 3000 -s 5 -c 2 >/dev/null || { echo "exray-gen failed"; exit 1; }
"$X" ingest -q -d "$tmp/case.db" "$tmp/seg" || { echo "ingest failed"; exit 1; }
sql() { "$X" sql -d "$tmp/case.db" --csv "$1" | tail -n +2 | tr -d '\r'; }

# ---- dump: exit_code or signal, one of them on every exit record
"$X" dump -t exit "$tmp/seg" >"$tmp/exits.jsonl"
eq "dump: every exit has exactly one of exit_code and signal" \
	"$(jq -s 'map(select((has("exit_code") | not) == (has("signal") | not))) | length' "$tmp/exits.jsonl")" 0
eq "dump: exit codes are 0-255" "$(jq -s 'map(select(has("exit_code") and (.exit_code < 0 or .exit_code > 255))) | length' "$tmp/exits.jsonl")" 0
nsig=$(jq -s 'map(select(has("signal"))) | length' "$tmp/exits.jsonl")
ncode=$(jq -s 'map(select(has("exit_code") and .exit_code > 0)) | length' "$tmp/exits.jsonl")
[ "$nsig" -gt 0 ] && [ "$ncode" -gt 0 ] && ok "the capture has $nsig killed and $ncode failed processes" ||
	bad "the capture lacks killed ($nsig) or failed ($ncode) processes"

# ---- SQL: the same values, per process key
jq -r '[.pid, .start, (.exit_code // ""), (.signal // "")] | @csv' "$tmp/exits.jsonl" | tr -d '"' | sort >"$tmp/dump.csv"
sql "SELECT pid, start, coalesce(exit_code, ''), coalesce(signal, '') FROM processes WHERE exit_ts IS NOT NULL" |
	sort >"$tmp/sql.csv"
eq "processes.exit_code / signal = dump's, per process" "$(diff "$tmp/dump.csv" "$tmp/sql.csv" >/dev/null && echo same)" same
eq "v_processes: never both" "$(sql "SELECT count(*) FROM v_processes WHERE exit_code IS NOT NULL AND signal IS NOT NULL")" 0
eq "raw status kept" "$(sql "SELECT count(*) FROM processes WHERE exit_ts IS NOT NULL AND (exit_status IS NULL
	OR coalesce(exit_code, -1) <> CASE WHEN exit_status & 127 = 0 THEN exit_status >> 8 ELSE -1 END)")" 0

# ---- tree --json: the same
"$X" tree -d "$tmp/case.db" --json >"$tmp/tree.jsonl"
jq -r 'select(has("exit_time")) | [.pid, .start, (.exit_code // ""), (.signal // "")] | @csv' "$tmp/tree.jsonl" |
	tr -d '"' | sort >"$tmp/tree.csv"
eq "tree --json: exit_code / signal = dump's" "$(diff "$tmp/dump.csv" "$tmp/tree.csv" >/dev/null && echo same)" same

# ---- ClickHouse rows: the same, and argv an array
"$X" export -d "$tmp/case.db" --format clickhouse --table processes 2>/dev/null |
	jq -r 'select(.exit_ts != null) | [.pid, .start, (.exit_code // ""), (.signal // "")] | @csv' | tr -d '"' |
	sort >"$tmp/ch.csv"
eq "export --format clickhouse: exit_code / signal = dump's" "$(diff "$tmp/dump.csv" "$tmp/ch.csv" >/dev/null && echo same)" same
eq "export --format clickhouse: execs' argv is an array" "$("$X" export -d "$tmp/case.db" --format clickhouse \
	--table execs 2>/dev/null | jq -s -r 'map(.argv | type) | unique | join(",")')" array

# ---- sql --json: argv is an array, also through a view; other text stays text
"$X" sql -d "$tmp/case.db" --json "SELECT argv, cmdline FROM v_execs WHERE kind = 'exec' LIMIT 20" >"$tmp/argv.jsonl"
eq "sql --json: argv is an array" "$(jq -s 'map(.argv | type) | unique | join(",")' -r "$tmp/argv.jsonl")" array
eq "sql --json: cmdline is a string" "$(jq -s 'map(.cmdline | type) | unique | join(",")' -r "$tmp/argv.jsonl")" string
eq "sql --json: argv joined = cmdline" "$(jq -s 'map(select((.argv | join(" ")) != .cmdline)) | length' "$tmp/argv.jsonl")" 0
eq "sql --json: a string that looks like an array stays a string" \
	"$("$X" sql -d "$tmp/case.db" --json "SELECT '[1]' AS x" | jq -r '.x | type')" string

[ "$fails" -eq 0 ] && echo "export_fields: all checks passed" || echo "export_fields: $fails check(s) failed"
[ "$fails" -eq 0 ]
