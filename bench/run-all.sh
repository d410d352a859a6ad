#!/usr/bin/env bash
# `make bench`: every figure in bench/RESULTS.md, in about 26 minutes on a
# 2-CPU machine (most of it the 10M-record analyzer part). Recorder parts need root (they print why and are skipped
# otherwise); the analyzer part runs anywhere. Raw data goes to
# $BUILD/bench-results/*.tsv; the tables are printed (markdown) as they
# appear in RESULTS.md. Environment: REPS (default 5), EXEC_N (3000),
# CONN_N (30000), MIXED_N (3000), SIZES ("1M 10M"), FILEWORK_REPS (3).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
OUT=$BUILD/bench-results
mkdir -p "$OUT"
echo "## exray benchmarks: $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "Machine: $(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, kernel $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME")."
echo "Load average before: $(cut -d' ' -f1-3 /proc/loadavg)."
# The 1-minute load average every 10 s during the run (the benchmark's own
# load included), so a reader can tell a quiet run from a shared one.
(while :; do echo "$(date -u +%H:%M:%S) $(cut -d' ' -f1 /proc/loadavg)"; sleep 10; done) > "$OUT/loadavg.txt" &
sampler=$!
trap 'kill $sampler 2>/dev/null' EXIT
rc=0
bench/run-overhead.sh -o "$OUT" -r "${REPS:-5}" -x "${EXEC_N:-3000}" -k "${CONN_N:-30000}" -m "${MIXED_N:-3000}"
case $? in 0) ;; 77) ;; *) rc=1 ;; esac
bench/run-capacity.sh -o "$OUT"
case $? in 0) ;; 77) ;; *) rc=1 ;; esac
bench/run-filework.sh -o "$OUT" -r "${FILEWORK_REPS:-3}"
case $? in 0) ;; 77) ;; *) rc=1 ;; esac
echo
echo "### The recorder's own cost at a realistic rate"
bench/run-recorder-cost.sh "$OUT/recorder-cost.tsv"
case $? in 0) ;; 77) ;; *) rc=1 ;; esac
bench/run-analyzer.sh -o "$OUT" -s "${SIZES:-1M 10M}" || rc=1
echo
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)."
echo "1-minute load average during the run (every 10 s, $OUT/loadavg.txt): min $(awk 'NR == 1 || $2 < m {m = $2} END {print m}' "$OUT/loadavg.txt"), median $(sort -n -k2 "$OUT/loadavg.txt" | awk '{v[NR] = $2} END {print v[int((NR + 1) / 2)]}'), max $(awk '$2 > m {m = $2} END {print m}' "$OUT/loadavg.txt")."
exit $rc
