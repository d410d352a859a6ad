#!/usr/bin/env bash
# Replays the committed eval corpus (eval/corpus/*/segments: every attack
# and benign scenario of eval/scenarios, recorded in real runc containers)
# through the analyzer, as any machine can without root: `exray check
# --expect` must give exactly each scenario's expected-alerts.txt, every
# scenario must have its recording, and the scored table
# (docs/detection-rates.md) is printed with the gate's verdict: the seed's
# rates in its four categories, at most 0.1 false-positive alerts per
# benign scenario. A rate below the gate fails the test (EVAL_GATE=0 only
# prints the verdict: for a session that adds held-out scenarios and must
# record their misses before anything is developed against them).
# Re-recording: eval/README.md.
set -u
cd "${EXRAY_ROOT:-$(dirname "$0")/../..}"
BUILD=${BUILD:-build}
export BUILD
fails=0
missing=$(for n in $(bash eval/run.sh list | awk '{print $1}'); do [ -d "eval/corpus/$n/segments" ] || echo "$n"; done)
if [ -n "$missing" ]; then
	echo "FAIL scenarios without a recording in eval/corpus: $(echo $missing)"
	fails=$((fails + 1))
fi
bash eval/run.sh check eval/corpus || fails=$((fails + 1))
if ! bash eval/run.sh score --gate eval/corpus; then
	[ "${EVAL_GATE:-1}" = 0 ] || fails=$((fails + 1))
fi
[ $fails = 0 ] && echo "eval_corpus: all checks passed" || echo "eval_corpus: $fails check(s) failed"
[ $fails = 0 ]
