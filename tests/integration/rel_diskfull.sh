#!/usr/bin/env bash
# Disk full, real eBPF: exray-record writes into a small tmpfs under a
# fork/exec load with small segments.
#   1. No --max-total: the disk fills; the recorder says "No space left" on
#      stderr naming the directory and exits 4; every finished segment is
#      complete and clean, the current one reads to its last frame (no damage
#      at all: the writer cuts a failed frame back), sequence numbers have no
#      gap.
#   2. --max-total below the disk size: retention deletes the oldest segments
#      and the recorder keeps going (exit 0 at SIGINT), the directory
#      stays under the cap plus one segment, and what is left verifies clean.
#   3. --max-total above the disk size: when the disk fills, retention frees
#      the oldest segments and the recorder keeps going.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/container.sh"
exr_need_root
. "$here/../lib/reliability.sh"
mnt=$S/mnt
mkdir -p "$mnt"
exr_on_exit "umount -l '$mnt'"

# load N: N fork/exec loops in the background; sets LOAD (pids).
load() {
	local n
	LOAD=
	for ((n = 0; n < $1; n++)); do
		"$WL" marks "$S/cnt$n" "full$$" &
		exr_register pid $!
		LOAD="$LOAD $!"
	done
}
unload() { kill -KILL $LOAD 2>/dev/null; wait $LOAD 2>/dev/null; }
# wait_exit PID SECONDS: wait for PID to exit; 1 on timeout
wait_exit() {
	local n
	for ((n = 0; n < $2 * 20; n++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	return 1
}
used_pct() { df --output=pcent "$mnt" | tail -1 | tr -dc 0-9; }
# verify_clean DIR LABEL: every segment ok, all complete but the newest
verify_clean() {
	local out=$S/verify.$2
	"$EXRAY" verify "$1" >"$out" 2>"$out.err"
	check "$2: verify exit 0 (no damage, no gap)" [ $? = 0 ]
	check "$2: no DAMAGED line" [ "$(grep -c DAMAGED "$out")" = 0 ]
	check "$2: finished segments are complete" \
		[ "$(head -n -1 "$out" | grep -vc ', complete$')" = 0 ]
	grep -v ', complete$' "$out" | head -3
}

# ------------------------------------------------ 1. no retention: exit 4
mount -t tmpfs -o size=384k,mode=0700 tmpfs "$mnt" || exr_die "cannot mount a tmpfs"
load 2
"$REC" -o "$mnt/out" -f 100ms -s 32K --duration 60 2>"$S/err1" &
rec=$!
exr_register pid "$rec"
if wait_exit "$rec" 30; then
	wait "$rec"
	rc=$?
else
	rc=timeout
fi
unload
check "disk full: exit 4 (got $rc)" [ "$rc" = 4 ]
check "disk full: one clear line naming the directory" \
	grep -q "^exray-record: $mnt/out: .*No space left on device" "$S/err1"
cat "$S/err1"
check "disk full: the disk was full" [ "$(used_pct)" -ge 95 ]
verify_clean "$mnt/out" full
"$EXRAY" dump "$mnt/out" >/dev/null 2>"$S/dump1.err"
check "disk full: every record dumps, no warning" all [ $? = 0 ] ';;' [ ! -s "$S/dump1.err" ]
umount "$mnt"

# ------------------------------- 2. --max-total below the disk: keeps going
mount -t tmpfs -o size=512k,mode=0700 tmpfs "$mnt"
load 2
"$REC" -o "$mnt/out" -f 100ms -s 32K -m 160K --duration 60 2>"$S/err2" &
rec=$!
exr_register pid "$rec"
# record until retention has had to delete (the first segment is gone and a
# few more were written), however fast this machine execs; then stop it
for ((n = 0; n < 600; n++)); do
	[ -z "$(ls "$mnt/out" 2>/dev/null | grep -- '-000000\.exray\.zst$')" ] &&
		ls "$mnt/out" 2>/dev/null | grep -q -- '-00000[6-9]\.exray\.zst$' && break
	kill -0 "$rec" 2>/dev/null || break
	sleep 0.05
done
kill -INT "$rec" 2>/dev/null
wait_exit "$rec" 10
wait "$rec"
rc=$?
unload
check "retention: kept recording until stopped, exit 0 (got $rc)" [ "$rc" = 0 ]
cat "$S/err2"
check "retention: oldest segments deleted" [ -z "$(ls "$mnt/out" | grep -- '-000000\.exray\.zst$')" ]
total=$(du -sbk "$mnt/out" | cut -f1)
check "retention: directory under the cap plus a segment (${total}K)" [ "$total" -le $((160 + 48)) ]
verify_clean "$mnt/out" retention
umount "$mnt"

# ---------------- 3. --max-total above the disk: retention makes room
mount -t tmpfs -o size=256k,mode=0700 tmpfs "$mnt"
load 2
"$REC" -o "$mnt/out" -f 100ms -s 32K -m 1M --duration 60 2>"$S/err3" &
rec=$!
exr_register pid "$rec"
for ((n = 0; n < 400; n++)); do
	[ "$(used_pct)" -ge 90 ] && break
	kill -0 "$rec" 2>/dev/null || break
	sleep 0.05
done
sleep 1 # the disk is (nearly) full: more data must go where old segments were
if kill -0 "$rec" 2>/dev/null; then
	kill -INT "$rec"
	wait_exit "$rec" 10
fi
wait "$rec"
rc=$?
unload
check "full disk under --max-total: keeps going, exit 0 at SIGINT (got $rc)" [ "$rc" = 0 ]
cat "$S/err3"
verify_clean "$mnt/out" full-retention
umount "$mnt"
rel_done rel_diskfull
