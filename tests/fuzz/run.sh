#!/usr/bin/env bash
# Runs every libFuzzer harness in build/fuzz for FUZZ_SECONDS each (default
# 60): first over its named regression inputs (tests/fuzz/regressions/NAME,
# every one must pass), then fuzzing from a seed corpus made of
# tests/fuzz/corpus/NAME plus, for the segment reader, every committed
# fixture segment. A crash leaves its input in build/fuzz/crashes/NAME/: add
# it to tests/fuzz/regressions/NAME under a name that says what it caught.
set -u
cd "$(dirname "$0")/../.."
secs=${FUZZ_SECONDS:-60}
status=0
for bin in build/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=${bin##*/fuzz_}
	work=build/fuzz/work/$name crashes=build/fuzz/crashes/$name
	mkdir -p "$work" "$crashes"
	regress=(tests/fuzz/regressions/"$name"/*)
	if [ -e "${regress[0]}" ]; then
		if ! "$bin" "${regress[@]}" >"$work.log" 2>&1; then
			echo "fuzz $name: a regression input crashes again (see $work.log)"
			status=1
			continue
		fi
	fi
	seeds=("$work")
	[ -d tests/fuzz/corpus/$name ] && seeds+=(tests/fuzz/corpus/$name)
	if [ "$name" = segment ]; then
		mkdir -p build/fuzz/seeds-segment
		find fixtures tests/fuzz/corpus -name '*.exray.zst' -size -200k \
			-exec cp -t build/fuzz/seeds-segment {} + 2>/dev/null
		seeds+=(build/fuzz/seeds-segment)
	fi
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$crashes/" -print_final_stats=0 "${seeds[@]}" >"$work.log" 2>&1; then
		echo "fuzz $name: ${secs}s, $(grep -o 'cov: [0-9]*' "$work.log" | tail -1), no crash"
	else
		echo "fuzz $name: CRASH — input saved in $crashes/ (log: $work.log)"
		tail -30 "$work.log"
		status=1
	fi
done
exit $status
