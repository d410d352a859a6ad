#!/usr/bin/env bash
# What exray-record itself costs at a realistic rate (issue 19): its resident
# memory broken down by where it goes, its CPU as a share of one core, and the
# machine-wide CPU it adds per event, at 100 execs/s and 1,000 connects/s
# (exr-storm -r paces them), each for $SECS seconds, bare and recorded.
#
#   bench/run-recorder-cost.sh [OUT.tsv]      (root; make bench runs it)
#
# Memory: /proc/PID/smaps of the recorder at the end of each loaded window.
# The BPF ring buffer is mapped into the recorder twice over (its data pages
# follow themselves so a record never wraps), so RSS counts a 16 MiB ring as
# 32 MiB of "bpf-map"; the rest is the recorder's own: heap and anonymous
# memory (batches, zstd contexts, scratch), and file-backed pages (the
# binary and shared libraries, shared with every other process using them).
# CPU: utime+stime of all the recorder's threads (/proc/PID/stat) over the
# window; machine CPU: busy jiffies of /proc/stat over the window, recorded
# minus bare, divided by the events generated.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SECS=${SECS:-20}
OUT=${1:-$BUILD/bench-results/recorder-cost.tsv}
REC=$BUILD/exray-record
STORM=$BUILD/bench/exr-storm
[ "$(id -u)" = 0 ] || { echo "run-recorder-cost: needs root" >&2; exit 77; }
make -s BUILD="$BUILD" "$REC" "$STORM" "$BUILD/bench/exr-true" >&2
mkdir -p "$(dirname "$OUT")"
tmp=$(mktemp -d)
rec_pid=
cleanup() {
	[ -n "$rec_pid" ] && kill -INT "$rec_pid" 2>/dev/null && wait "$rec_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
hz=$(getconf CLK_TCK)

busy_jiffies() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
proc_jiffies() { awk '{print $14+$15}' "/proc/$1/stat"; }
# smaps_kb PID: ring, anon, file (kB of RSS)
smaps_kb() {
	awk '/^[0-9a-f]+-[0-9a-f]+ /{name=$6; anon=($6=="" || $6 ~ /^\[/)}
	     /^Rss:/{ if (name ~ /bpf-map/) r+=$2; else if (anon) a+=$2; else f+=$2 }
	     END {printf "%d %d %d\n", r, a, f}' "/proc/$1/smaps"
}
# workload NAME: the paced load for one window
workload() {
	case $1 in
	idle) sleep "$SECS" ;;
	exec100) "$STORM" exec $((100 * SECS)) -r 100 >"$tmp/storm" ;;
	conn1000) "$STORM" connect $((1000 * SECS)) -r 1000 >"$tmp/storm" ;;
	esac
}
events_of() {
	case $1 in
	idle) echo 0 ;;
	exec100) echo $((100 * SECS)) ;;
	conn1000) echo $((1000 * SECS)) ;;
	esac
}

printf 'load\tmode\tseconds\tevents\trec_cpu_pct\tmachine_busy_jiffies\tring_kb\tanon_kb\tfile_kb\trss_kb\n' >"$OUT"
for load in idle exec100 conn1000; do
	for mode in bare exray; do
		rec_pid=
		if [ "$mode" = exray ]; then
			"$REC" -o "$tmp/out-$load" 2>"$tmp/err" &
			rec_pid=$!
			for _ in $(seq 300); do grep -q 'recording:' "$tmp/err" && break; sleep 0.05; done
			grep -q 'recording:' "$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
			sleep 1
			r0=$(proc_jiffies "$rec_pid")
		fi
		m0=$(busy_jiffies)
		t0=$(date +%s.%N)
		workload "$load"
		t1=$(date +%s.%N)
		m1=$(busy_jiffies)
		secs=$(echo "$t1 - $t0" | bc -l)
		if [ "$mode" = exray ]; then
			r1=$(proc_jiffies "$rec_pid")
			read -r ring anon file < <(smaps_kb "$rec_pid")
			rss=$(awk '/^VmRSS/{print $2}' "/proc/$rec_pid/status")
			cpu=$(echo "100 * ($r1 - $r0) / $hz / $secs" | bc -l)
			kill -INT "$rec_pid"
			wait "$rec_pid" || true
			rec_pid=
		else
			ring=- anon=- file=- rss=- cpu=-
		fi
		printf '%s\t%s\t%.1f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$load" "$mode" "$secs" \
			"$(events_of "$load")" "$( [ "$cpu" = - ] && echo - || printf '%.2f' "$cpu")" \
			$((m1 - m0)) "$ring" "$anon" "$file" "$rss" >>"$OUT"
	done
done
column -t "$OUT"
# Machine-wide extra CPU per event, from the busy jiffies of each pair.
awk -F'\t' -v hz="$hz" 'NR > 1 { busy[$1, $2] = $6; ev[$1] = $4 }
	END { for (l in ev) if (ev[l] > 0)
		printf "%s: machine-wide extra CPU per event %.1f us (busy jiffies %d bare, %d recorded)\n",
		       l, (busy[l, "exray"] - busy[l, "bare"]) / hz * 1e6 / ev[l],
		       busy[l, "bare"], busy[l, "exray"] }' "$OUT"
