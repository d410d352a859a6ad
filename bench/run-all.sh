#!/usr/bin/env bash
# `make bench`: every figure in bench/RESULTS.md. Needs root for the recorder
# parts; the analyzer parts run anywhere. Results and raw data go to
# $BUILD/bench-results; the tables are printed.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
OUT=$BUILD/bench-results
mkdir -p "$OUT"
echo "# exray benchmarks, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $(uname -r)"
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"
rc=0
bench/run-overhead.sh -o "$OUT" || rc=1
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $rc
