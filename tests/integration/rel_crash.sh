#!/usr/bin/env bash
# Crash consistency, real eBPF: exray-record under load (a fork/exec loop
# that numbers its execs, plus small segments so kills also land in
# rotations) is killed with SIGKILL at seeded random moments, REL_KILLS times
# (default 50; REL_SEED picks the moments, printed for replay). After each
# kill: every segment reads back, every one but the newest is complete
# (footer), the only issue the reader reports anywhere is a torn tail of the
# newest segment, there is no sequence gap, and every exec that had finished
# four flush windows before the kill is in the recording. A copy of the
# newest segment cut at a random offset (power loss mid-write) reads as a torn
# tail at most, and yields a prefix of the records of the whole file.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/container.sh"
exr_need_root
. "$here/../lib/reliability.sh"

kills=${REL_KILLS:-50}
seed=${REL_SEED:-$(date +%s)}
echo "seed $seed (REL_SEED=$seed REL_KILLS=$kills to replay)"
RANDOM=$seed
torn=0 rotated=0 marks_total=0

for ((i = 1; i <= kills; i++)); do
	dir=$S/c$i tag=crash$$-$i
	if ! rel_start "$dir" "$S/rec$i.err" --flush-interval 100ms --segment-size 48K \
		--seal-key "$S/key$i"; then
		fail "kill $i: recorder did not start"; cat "$S/rec$i.err"; continue
	fi
	"$WL" marks "$S/count$i" "$tag" &
	wl=$!
	exr_register pid "$wl"
	# 0.2 .. 0.8 s of load, then note what has surely been exec'd, then let
	# 4 flush windows pass (plus random jitter within a window): one window
	# is the promise; the rest covers the ring-buffer drain and scheduling
	# delay of the writer thread on a saturated 2-core machine (2.5 windows
	# failed there under a concurrent benchmark)
	sleep "0.$((2 + RANDOM % 6))$((RANDOM % 10))"
	# every tenth kill lands after a rotation whatever the machine's exec
	# rate: wait (up to 30 s) for the second segment first
	if ((i % 10 == 1)); then
		for ((n = 0; n < 600; n++)); do
			[ "$(compgen -G "$dir/*.exray.zst" | wc -l)" -gt 1 ] && break
			sleep 0.05
		done
	fi
	done_n=$(tr -d ' \n' <"$S/count$i" 2>/dev/null)
	sleep "0.4$((RANDOM % 10))"
	kill -KILL "$RECPID"
	wait "$RECPID" 2>/dev/null
	kill -KILL "$wl"
	wait "$wl" 2>/dev/null
	[ -n "$done_n" ] || done_n=0
	marks_total=$((marks_total + done_n))

	segs=("$dir"/*.exray.zst)
	last=${segs[-1]}
	[ ${#segs[@]} -gt 1 ] && rotated=$((rotated + 1))
	"$EXRAY" verify --key "$S/key$i" "${segs[@]}" >"$S/verify$i" 2>&1
	rc=$?
	bad=
	# Every segment but the newest: "ok ... complete"; the newest: "ok" or
	# "damaged" with exactly one issue, a torn tail.
	for s in "${segs[@]}"; do
		if [ "$s" != "$last" ]; then
			grep -qF "$s: ok, " "$S/verify$i" && grep -qE ', complete$' <(grep -F "$s: ok, " "$S/verify$i") ||
				bad="$bad; $s not complete"
		fi
	done
	issues=$(grep -c 'DAMAGED:' "$S/verify$i")
	if [ "$issues" -gt 0 ]; then
		torn=$((torn + 1))
		[ "$issues" = 1 ] && grep -q "^$last: DAMAGED: torn_tail at" "$S/verify$i" && [ $rc = 1 ] ||
			bad="$bad; issues other than the newest segment's torn tail"
	else
		[ $rc = 0 ] || bad="$bad; verify exit $rc without damage"
	fi
	grep -qiE 'gap|missing seq' "$S/verify$i" && bad="$bad; sequence gap"
	grep -q 'SEAL FAILED' "$S/verify$i" && bad="$bad; a seal does not verify"
	[ "$(grep -c ' seals verified' "$S/verify$i")" = ${#segs[@]} ] || bad="$bad; not every segment's seals verified"
	# Every finished mark is there (dump reports only the torn tail too).
	"$EXRAY" dump -t exec "${segs[@]}" 2>"$S/dump$i.err" |
		jq -r --arg t "$tag" 'select(.argv[1] == "mark" and .argv[2] == $t) | .argv[3]' |
		sort -un >"$S/marks$i"
	[ "${PIPESTATUS[0]}" -le 1 ] || bad="$bad; dump failed"
	grep -v 'torn_tail' "$S/dump$i.err" | grep -q . && bad="$bad; dump reports more than a torn tail"
	have=$(awk -v n="$done_n" '$1 >= 1 && $1 <= n' "$S/marks$i" | wc -l)
	[ "$have" = "$done_n" ] || bad="$bad; $((done_n - have)) of $done_n finished marks missing"
	# Power loss mid-write: a copy of the newest segment cut at a random
	# offset reads as a torn tail at most, and yields a prefix of the records.
	size=$(stat -c %s "$last")
	cut=$(( (RANDOM * 32768 + RANDOM) % size ))
	head -c "$cut" "$last" >"$S/cut.exray.zst"
	"$EXRAY" verify --key "$S/key$i" "$S/cut.exray.zst" >"$S/vcut$i" 2>&1
	grep 'DAMAGED:' "$S/vcut$i" | grep -vq ': DAMAGED: torn_tail at' && bad="$bad; cut at $cut: more than a torn tail"
	# (a cut between a footer and its final seal is a finished segment cut
	# short: that verdict is right)
	grep 'SEAL FAILED' "$S/vcut$i" | grep -vq 'footer is not sealed' &&
		bad="$bad; cut at $cut: seals before the cut do not verify"
	"$EXRAY" dump "$last" 2>/dev/null >"$S/full.json"
	"$EXRAY" dump "$S/cut.exray.zst" 2>/dev/null >"$S/cut.json"
	cmp -s "$S/cut.json" <(head -n "$(wc -l <"$S/cut.json")" "$S/full.json") ||
		bad="$bad; cut at $cut: records are not a prefix of the whole file's"
	if [ -n "$bad" ]; then
		fail "kill $i after ${done_n} marks:${bad#;}"
		cat "$S/verify$i" "$S/dump$i.err" | head -20
	fi
	rm -rf "$dir" "$S"/*"$i" "$S"/*.json "$S/cut.exray.zst"
done
echo "$kills kills, $marks_total marks checked, $torn torn tails, $rotated runs with rotation"
check "at least one kill saw rotation" [ "$rotated" -gt 0 ]
check "marks were generated" [ "$marks_total" -gt $((kills * 10)) ]
rel_done rel_crash
