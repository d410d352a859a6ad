#!/usr/bin/env bash
# Runs every test: the cmocka unit binaries in $BUILD/tests, then the
# integration scripts in tests/integration (exit 0 = pass, 77 = skipped with
# a reason printed, anything else = fail). Prints each suite's own summary and
# one closing line "tests: N passed, N failed, N skipped" (test cases for
# cmocka binaries, one per integration script). Exit status: 0 only if
# nothing failed. TESTS=pattern runs only suites whose name contains it.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD EXRAY_ROOT=$PWD
pass=0 fail=0 skip=0 failed_suites=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_suite() { # name, command...
	local name=$1; shift
	[ -n "${TESTS:-}" ] && [[ $name != *"$TESTS"* ]] && return 0
	echo "=== $name"
	# Integration suites that record (eBPF) share the host (routes, cgroups,
	# qdiscs, tracefs): one at a time machine-wide, even across checkouts
	# running at once. Analyzer-only suites run freely.
	if [[ $name == integration/* ]] && grep -qE 'exr_need_root|\$REC\b|exray-record ' "$2"; then
		flock /run/exray-integration.lock "$@" 2>&1 | tee "$log"
	else
		"$@" 2>&1 | tee "$log"
	fi
	local rc=${PIPESTATUS[0]}
	if [[ $name == unit/* ]]; then
		local p f s
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
		s=$(grep -c '^\[  SKIPPED \]' "$log")
		pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then fail=$((fail + 1)); fi
		[ "$rc" -ne 0 ] && failed_suites+=("$name")
	else
		case $rc in
		0) pass=$((pass + 1)) ;;
		77) skip=$((skip + 1)); echo "--- $name: SKIPPED" ;;
		*) fail=$((fail + 1)); failed_suites+=("$name"); echo "--- $name: FAILED (exit $rc)" ;;
		esac
	fi
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	run_suite "unit/${t##*/}" "$t"
done
for t in tests/integration/*.sh; do
	[ -f "$t" ] || continue
	run_suite "integration/${t##*/}" bash "$t"
done

echo
[ ${#failed_suites[@]} -gt 0 ] && echo "failed suites: ${failed_suites[*]}"
echo "tests: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
