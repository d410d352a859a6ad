#!/usr/bin/env bash
# Analyzer speed at scale (bench/README.md): for each size, a generated case
# (bench/exray-gen, fixed seed), then
#   - `exray ingest` into a fresh database: events/s and peak memory;
#   - the ceiling: the same rows into one bare table in one transaction with
#     one prepared statement (bench/sqlite-ceiling), and the sqlite3 CLI's
#     `.import` of the same rows as CSV into a bare table;
#   - `exray tree` of the whole largest container; correlation queries on the
#     views (every connection with the image that made it and its container;
#     one process's ancestry); `exray check` (all built-in rules) on every
#     size (issue 19's target is at 10M), cut at CHECK_TIMEOUT seconds.
#
#   bench/run-analyzer.sh [-s "1M 10M"] [-o OUTDIR] [-t CHECK_TIMEOUT]
#
# Writes OUTDIR/analyzer.tsv and prints a markdown table.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SIZES="1M 10M" OUT=$BUILD/bench-results CHECK_TIMEOUT=300
while getopts s:o:t: o; do
	case $o in
	s) SIZES=$OPTARG ;; o) OUT=$OPTARG ;; t) CHECK_TIMEOUT=$OPTARG ;;
	*) echo "usage: $0 [-s SIZES] [-o OUTDIR] [-t CHECK_TIMEOUT]" >&2; exit 2 ;;
	esac
done
B=$BUILD/bench X=$BUILD/exray
for b in "$B/exray-gen" "$B/sqlite-ceiling" "$X"; do
	[ -x "$b" ] || { echo "run-analyzer: $b is not built (make all)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "run-analyzer: /usr/bin/time missing (make bench-deps)" >&2; exit 1; }
mkdir -p "$OUT"
work=$(mktemp -d "${TMPDIR:-/var/tmp}/exray-ana.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# cpu_s: user+sys seconds (check runs its rules on two threads where the
# machine has two CPUs: its wall time is then below its CPU time)
printf 'size\tstep\trecords\tseconds\trecords_per_s\tpeak_rss_kb\texit\tcpu_s\n' > "$OUT/analyzer.tsv"
timed() { # SIZE STEP RECORDS COMMAND... (stdout discarded)
	local size=$1 step=$2 n=$3 rc
	shift 3
	/usr/bin/time -f '%e %M %U %S' -o "$work/time" "$@" > /dev/null 2> "$work/err"
	rc=$?
	read -r secs kb usr sys < <(tail -1 "$work/time")
	[ "$rc" = 0 ] || echo "run-analyzer: $size $step exited $rc: $(grep -v 'exit status' "$work/err" | head -c 200)" >&2
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$step" "$n" "$secs" \
		"$(awk -v n="$n" -v s="$secs" 'BEGIN { if (n > 0 && s > 0) printf "%.0f", n / s; else print "-" }')" \
		"$kb" "$rc" "$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')" >> "$OUT/analyzer.tsv"
	printf '  %-4s %-24s %8s s  %8s KB  exit %s\n' "$size" "$step" "$secs" "$kb" "$rc" >&2
}

BARE_TABLE='CREATE TABLE events (type INTEGER, ts INTEGER, pid INTEGER, tid INTEGER, ppid INTEGER,
 start INTEGER, pstart INTEGER, cgroup_id INTEGER, uid INTEGER, euid INTEGER, comm TEXT,
 filename TEXT, argv TEXT, ret INTEGER, exit_code INTEGER, family INTEGER, saddr TEXT,
 sport INTEGER, daddr TEXT, dport INTEGER, sock INTEGER, path TEXT)'
for size in $SIZES; do
	d=$work/case-$size
	echo "== analyzer, $size events" >&2
	"$B/exray-gen" -o "$d" -n "$size" -s 9 -c 40 -t "$work/truth.json" || exit 1
	n=$(jq .records "$work/truth.json")
	cid=$(jq -r '.containers | max_by(.processes) | .cid[0:12]' "$work/truth.json")
	cprocs=$(jq '.containers | max_by(.processes) | .processes' "$work/truth.json")
	db=$work/case.db
	timed "$size" "exray ingest" "$n" "$X" ingest -q -d "$db" "$d"
	timed "$size" "bare insert (ceiling)" "$n" "$B/sqlite-ceiling" --db "$work/bare.db" "$d"
	rm -f "$work"/bare.db*
	"$B/sqlite-ceiling" --csv "$work/rows.csv" "$d" > /dev/null
	sqlite3 "$work/imp.db" "$BARE_TABLE"
	timed "$size" "sqlite3 .import" "$n" sqlite3 "$work/imp.db" ".import --csv --skip 1 $work/rows.csv events"
	rm -f "$work/imp.db" "$work/rows.csv"
	timed "$size" "tree, container ($cprocs procs)" 0 "$X" tree -n 0 -d "$db" -c "$cid"
	timed "$size" "tree --json, container" 0 "$X" tree -j -d "$db" -c "$cid"
	timed "$size" "view: conns by image+ctr" 0 "$X" sql -d "$db" \
		"SELECT container, filename, daddr, dport, count(*) FROM v_connections GROUP BY 1, 2, 3, 4"
	timed "$size" "view: one container's conns" 0 "$X" sql -d "$db" \
		"SELECT * FROM v_connections WHERE container = '$cid'"
	timed "$size" "view: deepest ancestry" 0 "$X" sql -d "$db" \
		"SELECT count(*) FROM v_ancestry WHERE proc_id = (SELECT proc_id FROM processes ORDER BY last_ts DESC LIMIT 1)"
	# exports stream: peak RSS should not grow with the case
	timed "$size" "export ocsf" 0 "$X" export -d "$db" -o /dev/null --force
	timed "$size" "export clickhouse execs" 0 "$X" export -d "$db" --format clickhouse --table execs
	timed "$size" "exray check (all rules)" 0 timeout "$CHECK_TIMEOUT" "$X" check --all -d "$db"
	rm -rf "$d" "$db"*
done

echo
echo "### Analyzer: generated cases (exray-gen -s 9 -c 40), fresh database each"
echo
echo "| size | step | seconds | CPU s | records/s | peak RSS MB | exit |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
tail -n +2 "$OUT/analyzer.tsv" | awk -F'\t' '{printf "| %s | %s | %s | %s | %s | %.0f | %s |\n", $1, $2, $4, $8, $5, $6 / 1024, $7}'
echo
# issue 19's ingest target: exray ingest's rate over the bare-insert ceiling's
awk -F'\t' '$2 == "exray ingest" {i[$1] = $4} $2 == "bare insert (ceiling)" {c[$1] = $4}
	END {for (s in i) if (c[s] > 0 && i[s] > 0) printf "Ingest at %s: %.2fx the bare-insert ceiling (%s s vs %s s).\n", s, c[s] / i[s], i[s], c[s]}' \
	"$OUT/analyzer.tsv" | sort
