#!/usr/bin/env bash
# Load one exray case database into ClickHouse (schema/clickhouse.sql,
# docs/fleet.md): every table, exported by `exray export --format clickhouse`
# as JSONEachRow and inserted through the Distributed tables, so each host's
# rows land on the shard its name hashes to. Loading a case again (or again
# after it grew) is safe: the tables keep one row per identity once merged.
#
#   schema/clickhouse-load.sh CASE.db [clickhouse-client options...]
#   e.g. schema/clickhouse-load.sh web-1.db --host ch-1.example --port 9000
#
# EXRAY names the exray binary (default: exray on PATH). Exit: 0 loaded,
# 1 a table failed (the ones before it are loaded), 2 usage.
set -u -o pipefail
[ $# -ge 1 ] && [ -f "$1" ] || { echo "usage: $0 CASE.db [clickhouse-client options...]" >&2; exit 2; }
db=$1
shift
EXRAY=${EXRAY:-exray}
for t in hosts containers processes execs connections syns file_events priv_events ns_events ptrace_events \
	socket_events memfd_events bpf_events uring_events losses alerts; do
	# clickhouse-client refuses an INSERT without rows: send a table only
	# when it has some
	"$EXRAY" export -d "$db" --format clickhouse --table "$t" 2>/dev/null | {
		IFS= read -r first || exit 0
		{ printf '%s\n' "$first"; cat; } |
			clickhouse-client "$@" --insert_distributed_sync=1 --query "INSERT INTO exray.$t FORMAT JSONEachRow"
	} || { echo "clickhouse-load: $db: table $t failed" >&2; exit 1; }
	echo "clickhouse-load: $db: $t loaded" >&2
done
