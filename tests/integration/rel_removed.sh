#!/usr/bin/env bash
# The output directory removed while recording (issue 18 item 2), real
# eBPF: within a flush interval the recorder makes the directory again and
# writes the open segment back whole (its descriptor still reads the
# unlinked file), says so on stderr, records on, and exits 5, never 0. The
# segment put back holds the events from before and after the removal, and
# its seals verify.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/container.sh"
exr_need_root
. "$here/../lib/reliability.sh"

dir=$S/out key=$S/k
if ! rel_start "$dir" "$S/rec.err" --flush-interval 200ms --seal-key "$key"; then
	cat "$S/rec.err"; exr_die "recorder did not start"
fi
"$WL" burst 200 2 before >/dev/null 2>&1
sleep 0.5
rm -rf "$dir"
for n in $(seq 300); do compgen -G "$dir/*.exray.zst" >/dev/null && break; sleep 0.1; done
check "directory and segment back within a second" [ -n "$(compgen -G "$dir/*.exray.zst")" ]
"$WL" burst 200 2 after >/dev/null 2>&1
sleep 0.5
kill -INT "$RECPID"
wait "$RECPID"
rc=$?
check "exit 5 (got $rc)" [ $rc = 5 ]
grep -q 'was removed while recording: written back whole' "$S/rec.err"
check "stderr says the segment was written back" [ $? = 0 ]
grep -q 'segments or the directory were removed while recording' "$S/rec.err"
check "the last line says why the exit is not 0" [ $? = 0 ]
"$EXRAY" verify --key "$key" "$dir" >"$S/v" 2>&1
check "the segment put back verifies, seals and all" all [ $? = 0 ] ';;' grep -q 'seals verified, complete' "$S/v"
"$EXRAY" dump -t exec "$dir" 2>/dev/null | jq -r 'select(.argv[1] == "mark") | .argv[2]' | sort -u >"$S/tags"
check "events from before and after the removal are in it" all grep -qx before "$S/tags" ';;' grep -qx after "$S/tags"
rel_done rel_removed
