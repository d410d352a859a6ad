#!/usr/bin/env bash
# Functional smoke test of the trace generator (bench/exray-gen) and the
# segment counter (bench/exray-count): what the generator says it wrote is
# what the segment reader finds, the same seed gives the same bytes, a small
# pid space forces pid reuse, and segments rotate. Nothing here is timed.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
gen=$BUILD/bench/exray-gen count=$BUILD/bench/exray-count
for b in "$gen" "$count"; do
	[ -x "$b" ] || { echo "FAIL: $b not built (make $b)"; exit 1; }
done
command -v jq >/dev/null || { echo "FAIL: jq missing (make deps)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # DESCRIPTION COMMAND...
	if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}

"$gen" -o "$tmp/a" -n 60k -s 42 -c 6 --pid-max 2500 --segment-size 200K > "$tmp/a.json" ||
	{ echo "FAIL: exray-gen exited $?"; exit 1; }
"$gen" -o "$tmp/b" -n 60k -s 42 -c 6 --pid-max 2500 --segment-size 200K -t "$tmp/b.json" ||
	{ echo "FAIL: exray-gen exited $?"; exit 1; }
"$count" "$tmp/a" > "$tmp/count.json" || { echo "FAIL: exray-count exited $?"; exit 1; }

same_field() { # FIELD: truth and reader agree
	[ "$(jq -c "$1" "$tmp/a.json")" = "$(jq -c "$1" "$tmp/count.json")" ] ||
		{ echo "  truth $(jq -c "$1" "$tmp/a.json") reader $(jq -c "$1" "$tmp/count.json")"; false; }
}
check "records by type match the reader" same_field .records_by_type
check "record total matches" same_field .records
check "distinct processes match" same_field .processes
check "bytes on disk match" test "$(jq .bytes_on_disk "$tmp/a.json")" = "$(jq .bytes "$tmp/count.json")"
check "segment count matches" test "$(jq .segments "$tmp/a.json")" = "$(jq .files "$tmp/count.json")"
check "segments rotated" test "$(jq .segments "$tmp/a.json")" -gt 3
check "segments are valid zstd streams" zstd -qt "$tmp"/a/*.exray.zst
check "file names follow the contract" bash -c \
	"ls '$tmp/a' | grep -vqE '^exray-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}-[0-9]{6}\.exray\.zst$' && exit 1 || exit 0"
check "no reader issues" test "$(jq .issues "$tmp/count.json")" = 0
check "at least the asked-for records" test "$(jq .records "$tmp/a.json")" -ge 60000
check "same seed, same truth" cmp -s "$tmp/a.json" "$tmp/b.json"
# stats/footer frames carry the real time they were written: compare the
# record streams (zstdcat skips the metadata frames) and the file names
same_records() {
	[ "$(ls "$tmp/a")" = "$(ls "$tmp/b")" ] &&
		cmp -s <(zstdcat "$tmp"/a/*.exray.zst) <(zstdcat "$tmp"/b/*.exray.zst)
}
check "same seed, same files and records" same_records
check "pid reuse happened" test "$(jq .pids_reused "$tmp/a.json")" -gt 100
check "IPv4 and IPv6 connects" test "$(jq '.connects_v4 > 0 and .connects_v6 > 0' "$tmp/a.json")" = true
check "every connect has a result" test "$(jq '.records_by_type.connect == .records_by_type.connect_result' "$tmp/a.json")" = true
check "containers: 6 + 3 started live" test "$(jq '.containers | length' "$tmp/a.json")" = 9
check "container runtimes vary" test "$(jq '[.containers[].runtime] | unique | length' "$tmp/a.json")" -ge 3
check "container processes add up" test \
	"$(jq '([.containers[].processes] | add) == .container_processes and .container_processes + .host_processes == .processes' "$tmp/a.json")" = true
check "deep trees" test "$(jq .max_depth "$tmp/a.json")" -ge 10
"$gen" -o "$tmp/c" -n 60k -s 43 -c 6 --pid-max 2500 --segment-size 200K > "$tmp/c.json"
check "another seed, other bytes" bash -c "! cmp -s '$tmp/a.json' '$tmp/c.json'"
check "bad option is a usage error" bash -c "'$gen' -o '$tmp/d' --pid-max 10 2>/dev/null; [ \$? = 2 ]"
[ "$fails" = 0 ] && echo "bench_gen: all checks passed" && exit 0
echo "bench_gen: $fails check(s) failed"
exit 1
