#!/usr/bin/env bash
# Recorder capacity (bench/README.md): the highest event rate this machine
# can generate, all CPUs at once (exec burst, connect burst, both together),
# recorded at the default ring size; then the same exec+connect burst with
# smaller and smaller rings until the kernel drops events, to show where loss
# starts and that every missing event is counted as lost.
#
#   bench/run-capacity.sh [-x EXEC_N] [-k CONNECT_N] [-o OUTDIR]
#
# Writes OUTDIR/capacity.tsv and prints a markdown table. Needs root.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
EXEC_N=8000 CONN_N=80000 OUT=$BUILD/bench-results
while getopts x:k:o: o; do
	case $o in
	x) EXEC_N=$OPTARG ;; k) CONN_N=$OPTARG ;; o) OUT=$OPTARG ;;
	*) echo "usage: $0 [-x EXEC_N] [-k CONNECT_N] [-o OUTDIR]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "run-capacity: needs root (eBPF)"; exit 77; }
B=$BUILD/bench
mkdir -p "$OUT"
work=$(mktemp -d /tmp/exray-cap.XXXXXX)
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
J=$((2 * $(nproc)))

printf 'case\tring\twall_ns\texecs\tconnects\trecords\trecords_per_s\tlost\tlost_exec\tlost_connect\tcaptured_exec\tcaptured_connect\tcap_window_ms\tus_per_record\n' > "$OUT/capacity.tsv"
run_case() { # NAME RING WORKLOAD-SHELL-COMMAND
	local name=$1 ring=$2 d=$work/$1-$2 line c ex cn wall ropt=
	[ "$ring" = default ] || ropt="--ring-size $ring"
	line=$("$B/bench-run" -c "$BUILD/exray-record $ropt -o $d" -w "exray-record: recording:" -- sh -c "$3" 2>"$work/err") ||
		echo "run-capacity: $name/$ring: $(head -c 300 "$work/err")" >&2
	port=$(grep -o ' port=[1-9][0-9]*' <<<"$line" | head -1 | cut -d= -f2)
	c=$("$B/exray-count" --exec-comm exr-true --dport "${port:-0}" "$d")
	ex=$(grep -o ' execs=[0-9]*' <<<"$line" | cut -d= -f2 | awk '{s+=$1} END {print s+0}')
	cn=$(grep -o ' connects=[0-9]*' <<<"$line" | cut -d= -f2 | awk '{s+=$1} END {print s+0}')
	wall=$(sed -n 's/^run wall_ns=\([0-9]*\).*/\1/p' <<<"$line")
	capms=$(grep -o ' cap_window_ms=[0-9.]*' <<<"$line" | cut -d= -f2)
	jq -r --arg n "$name" --arg r "$ring" --argjson w "${wall:-1}" --argjson ex "$ex" --argjson cn "$cn" \
		--argjson cap "${capms:-0}" \
		'[$n, $r, $w, $ex, $cn, .records, (.records / ($w / 1e9) | round), .lost,
		  (.lost_by_type.exec // 0), (.lost_by_type.connect // 0), .match_exec, .match_connect,
		  $cap, ($cap * 1000 / .records * 100 | round / 100)] | @tsv' <<<"$c" >> "$OUT/capacity.tsv"
	tail -1 "$OUT/capacity.tsv" | awk -F'\t' '{printf "  %-14s ring %-8s %8d records/s, lost %s\n", $1, $2, $7, $8}' >&2
	rm -rf "$d"
}

EXEC_BURST="$B/exr-storm burst $EXEC_N -j $J"
CONN_BURST="$B/exr-storm cburst $CONN_N -j $J"
echo "== capacity: $J generators on $(nproc) CPUs" >&2
run_case exec-burst default "$EXEC_BURST"
run_case connect-burst default "$CONN_BURST"
run_case both default "$EXEC_BURST & $CONN_BURST & wait"
for ring in 1M 256K 64K 16K 4K; do
	run_case both "$ring" "$EXEC_BURST & $CONN_BURST & wait"
done

echo
echo "### Capacity: $J generator processes on $(nproc) CPUs, exray-record with default options"
echo
echo "| case | ring | records/s recorded | execs / connects generated | captured execs / connects | lost (exec, connect) | consumer CPU µs/record |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
tail -n +2 "$OUT/capacity.tsv" | awk -F'\t' '{printf "| %s | %s | %s | %s / %s | %s / %s | %s (%s, %s) | %s |\n", $1, $2, $7, $4, $5, $11, $12, $8, $9, $10, $14}'
