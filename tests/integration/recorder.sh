#!/usr/bin/env bash
# exray-record end to end, real eBPF: a scripted workload with known ground
# truth (fork/exec chain with hostile argv, an argv over --argv-max, a failed
# exec, known exit codes, a death by signal, TCP connects over IPv4 and IPv6
# to a test host in a network namespace), real runc containers placed as
# docker and kubelet place them, a process alive before the recorder (the
# snapshot), SIGHUP rotation, SIGINT shutdown, SIGKILL mid-capture, the
# /proc snapshot fallback, and the documented exit codes. Segments are
# decoded with the codec by build/tests/test_recorder (capture mode), which
# checks every expected fact field by field.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/container.sh"
exr_need_root

B=$EXR_BUILD
make -s -C "$EXR_ROOT" BUILD="$B" "$B/exray-record" "$B/tests/test_recorder" >&2 ||
	exr_die "cannot build the recorder"
REC=$B/exray-record
CHECK=$B/tests/test_recorder
exr_tool rec_workload
WL=$EXR_TOOL
exr_tool exr-net
exr_rootfs # after the tools: the container rootfs carries rec_workload

fails=0
ok() { echo "ok   $1"; }
fail() { echo "FAIL $1"; fails=$((fails + 1)); }
check() { if "${@:2}"; then ok "$1"; else fail "$1"; fi; }
hexs() { printf '%s\0' "$1" | od -An -v -tx1 | tr -d ' \n'; }
hexaddr() { "$WL" hexaddr "$1"; } # as the recorder stores it: 16 bytes
stat_field() { awk -v f="$2" '{ sub(/^.*\) /, ""); print $(f - 2) }' "/proc/$1/stat"; }

# start_recorder DIR ARGS...: start exray-record, wait until it is attached
# (its first segment exists). Sets RECPID.
start_recorder() {
	local dir=$1 n
	shift
	"$REC" -o "$dir" "$@" 2>>"$EXR_STATE/rec.err" &
	RECPID=$!
	exr_register pid "$RECPID"
	for n in $(seq 600); do
		compgen -G "$dir/*.exray.zst" >/dev/null && return 0
		kill -0 "$RECPID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$EXR_STATE/rec.err"
	exr_die "exray-record did not start"
}

host_pidns=$(stat -L -c %i /proc/self/ns/pid)

# ---------------------------------------------------- the test network
# Net 0 (192.0.2.0/24) is not used: this machine's own eth0 sits in it.
srv=${EXR_TAG}srv
exr_testnet_up "$srv" "" 1
H4=$EXR_NET_HOST4 H6=$EXR_NET_HOST6
exr_listen "$srv" 8080 "$EXR_STATE/listen.log"

# Containers get their own client namespace, wired to a second test host.
cli=${EXR_TAG}cli srv2=${EXR_TAG}srv2
exr_netns_add "$cli"
exr_testnet_up "$srv2" "$cli" 2
C4=$EXR_NET_HOST4 C6=$EXR_NET_HOST6
exr_listen "$srv2" 8081 "$EXR_STATE/listen2.log"

# A process alive before the recorder starts: the snapshot must show it.
exr_bg "$EXR_STATE/pre.log" sleep 60
pre=$EXR_BGPID
for n in $(seq 50); do [ "$(stat_field "$pre" 2)" = "(sleep)" ] && break; sleep 0.02; done

# --------------------------------------------------- phase 1: capture
out=$EXR_STATE/out
exp=$EXR_STATE/expect
start_recorder "$out" --argv-max 256 --flush-interval 200ms
check "output directory is 0700" [ "$(stat -c %a "$out")" = 700 ]

echo "snapshot $pre $(stat_field "$pre" 4) $(stat_field "$pre" 22) sleep" >>"$exp"
echo "snapshot-pid 1 0" >>"$exp" # the task iterator skips pid 1 here: /proc completes it
"$WL" run "$exp" 256 "$H4" "$H6" 8080 || fail "workload"

# Two containers, as docker and as kubelet place them, connecting out.
for kind in docker kubepods; do
	if [ $kind = docker ]; then dst=$C4 fam=4; else dst=$C6 fam=6; fi
	exr_container_create --netns "$cli" "rec-$kind" $kind /usr/local/bin/rec_workload connect "$dst" 8081
	cgid=$EXR_CGID
	echo "cgroup $cgid $(hexs "$EXR_CGPATH")" >>"$exp"
	echo "cgexec $cgid $(hexs /usr/local/bin/rec_workload) $host_pidns" >>"$exp"
	echo "cgconnect $cgid $fam $(hexaddr "$dst") 8081" >>"$exp"
	exr_container_start "rec-$kind"
	exr_container_wait "rec-$kind" 10 || fail "container $kind did not finish"
	exr_container_delete "rec-$kind"
done

# Rotation on SIGHUP, then more activity in the new segment.
kill -HUP "$RECPID"
sleep 0.5
"$WL" connect "$H4" 8080 || fail "connect after rotation"
sleep 0.3
echo "absent $RECPID" >>"$exp"
echo "self-contained" >>"$exp"
kill -INT "$RECPID"
wait "$RECPID"
check "SIGINT: exit 0" [ $? = 0 ]
nseg=$(ls "$out"/*.exray.zst | wc -l)
check "SIGHUP rotated ($nseg segments)" [ "$nseg" -ge 2 ]
check "segments are 0600" [ -z "$(find "$out" -name '*.exray.zst' ! -perm 0600)" ]
check "segment names" [ -z "$(ls "$out" | grep -vE '^exray-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}-[0-9]{6}\.exray\.zst$')" ]
check "summary line on stderr" grep -q "^exray-record: .* events, .* records" "$EXR_STATE/rec.err"
check "readiness line on stderr without -v" grep -q "^exray-record: recording: snapshot of [0-9]* processes" "$EXR_STATE/rec.err"
EXRAY_REC_DIR=$out EXRAY_REC_EXPECT=$exp "$CHECK" >"$EXR_STATE/check1.log" 2>&1
check "capture decodes with every expected fact" [ $? = 0 ]
grep -E "check failed|FAILED|capture:" "$EXR_STATE/check1.log" | head -30
# The checker must notice a wrong fact: shift every exit status by one.
awk '$1 == "exit" { $3 = $3 + 1 } { print }' "$exp" >"$exp.bad"
EXRAY_REC_DIR=$out EXRAY_REC_EXPECT=$exp.bad "$CHECK" >"$EXR_STATE/check1bad.log" 2>&1
check "checker rejects wrong exit codes" [ $? != 0 ]
check "checker names each wrong one" [ "$(grep -c 'check failed: exit' "$EXR_STATE/check1bad.log")" = "$(grep -c '^exit ' "$exp")" ]

# ----------------------------------------- phase 2: SIGKILL mid-capture
out2=$EXR_STATE/out2
exp2=$EXR_STATE/expect2
start_recorder "$out2" --flush-interval 200ms
"$WL" storm 40 "killmark$$" || fail "storm"
sleep 0.7 # more than three flush windows: all of it must be on disk
echo "marker 40 killmark$$" >"$exp2"
kill -KILL "$RECPID"
wait "$RECPID" 2>/dev/null
EXRAY_REC_DIR=$out2 EXRAY_REC_EXPECT=$exp2 EXRAY_REC_TORN_OK=1 "$CHECK" >"$EXR_STATE/check2.log" 2>&1
check "SIGKILL: segments readable, nothing older than the flush window lost" [ $? = 0 ]
grep -E "check failed|FAILED" "$EXR_STATE/check2.log" | head

# ----------------------------------------- phase 3: /proc snapshot fallback
out3=$EXR_STATE/out3
exp3=$EXR_STATE/expect3
"$REC" -o "$out3" --no-iter --duration 300ms 2>"$EXR_STATE/rec3.err"
check "--no-iter --duration: exit 0" [ $? = 0 ]
echo "snapshot $pre $(stat_field "$pre" 4) $(stat_field "$pre" 22) sleep" >"$exp3"
echo "self-contained" >>"$exp3"
EXRAY_REC_DIR=$out3 EXRAY_REC_EXPECT=$exp3 "$CHECK" >"$EXR_STATE/check3.log" 2>&1
check "/proc snapshot fallback" [ $? = 0 ]
grep -E "check failed|FAILED" "$EXR_STATE/check3.log" | head

# ------------------------------- phase 4: forced losses are counted
out4=$EXR_STATE/out4
exp4=$EXR_STATE/expect4
start_recorder "$out4" --ring-size 4K --events exec --flush-interval 100ms
kill -STOP "$RECPID" # the consumer stops; the 4 KiB ring fills at once
"$WL" storm 100 "lossmark$$" || fail "storm"
kill -CONT "$RECPID"
sleep 0.3
kill -INT "$RECPID"
wait "$RECPID"
check "after losses: exit 0" [ $? = 0 ]
echo "lossexec 100 lossmark$$" >"$exp4"
EXRAY_REC_DIR=$out4 EXRAY_REC_EXPECT=$exp4 "$CHECK" >"$EXR_STATE/check4.log" 2>&1
check "forced losses counted in loss records and the footer" [ $? = 0 ]
grep -E "check failed|losses:" "$EXR_STATE/check4.log" | head

# ------------------------------------------------------ exit codes
"$REC" --bogus >/dev/null 2>&1
check "usage error: exit 2" [ $? = 2 ]
# into a file, not a pipe: grep -q would quit at its first match and a help
# longer than one stdio buffer would then die of SIGPIPE
"$REC" --help >"$EXR_STATE/help.txt"
check "--help exits 0" [ $? = 0 ]
check "--help documents options" grep -q -- --max-total "$EXR_STATE/help.txt"
mkdir -m 0777 "$EXR_STATE/open" && chmod 0777 "$EXR_STATE/open"
"$REC" -o "$EXR_STATE/open" --duration 1 2>"$EXR_STATE/open.err"
check "group/other-writable directory refused: exit 1" [ $? = 1 ]
grep -q "writable by group or others" "$EXR_STATE/open.err" || fail "refusal message"
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
	"$REC" -o "$EXR_STATE/nobody" --duration 1 2>"$EXR_STATE/nobody.err"
check "unprivileged: exit 3" [ $? = 3 ]
grep -q "need root" "$EXR_STATE/nobody.err" || fail "privilege message"
full=$EXR_STATE/full
mkdir -p "$full"
exr_on_exit "umount '$full'"
mount -t tmpfs -o size=4k,mode=0700 tmpfs "$full"
"$REC" -o "$full" --duration 3 2>"$EXR_STATE/full.err" &
fullpid=$!
exr_register pid "$fullpid"
# the workload must run while it records (a sanitizer build starts slowly)
for _ in $(seq 600); do
	grep -q 'recording:' "$EXR_STATE/full.err" 2>/dev/null && break
	kill -0 "$fullpid" 2>/dev/null || break
	sleep 0.05
done
"$WL" storm 200 "fill$$" >/dev/null 2>&1
wait "$fullpid"
check "disk full: exit 4" [ $? = 4 ]
grep -q "No space left" "$EXR_STATE/full.err" || { fail "disk full message"; cat "$EXR_STATE/full.err"; }

[ "$fails" = 0 ] || { echo "recorder: $fails check(s) failed"; exit 1; }
echo "recorder: all checks passed"
