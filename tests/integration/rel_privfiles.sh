#!/usr/bin/env bash
# Privilege and files, real eBPF: exray-record refuses to run without the
# capabilities it needs, naming them (as nobody, and as root with CAP_BPF,
# CAP_PERFMON and CAP_SYS_ADMIN dropped); creates its directory 0700 and
# segments 0600 whatever the umask; refuses an output directory writable by
# group or others, and one that is a symlink; never follows a symlink
# planted where its next segment will be written (the target is neither
# created nor changed, and the segments before it stay valid).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/container.sh"
exr_need_root
. "$here/../lib/reliability.sh"
command -v capsh >/dev/null || exr_die "capsh not installed (libcap2-bin)"
chmod 755 "$S"
capmsg='CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON'

setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$REC" -o "$S/nobody" --duration 1 >/dev/null 2>"$S/err"
check "as nobody: exit 3" [ $? = 3 ]
check "as nobody: one line naming the capabilities" all [ "$(wc -l <"$S/err")" = 1 ] ';;' grep -qF "$capmsg" "$S/err"
check "as nobody: nothing created" [ ! -e "$S/nobody" ]
capsh --drop=cap_bpf,cap_perfmon,cap_sys_admin -- -c "'$REC' -o '$S/nocap' --duration 1" >/dev/null 2>"$S/err"
check "root without CAP_BPF/CAP_PERFMON/CAP_SYS_ADMIN: exit 3" [ $? = 3 ]
check "root without the capabilities: the message names them" grep -qF "$capmsg" "$S/err"

(umask 0 && "$REC" -o "$S/um" --duration 200ms 2>/dev/null)
check "umask 0: exit 0" [ $? = 0 ]
check "umask 0: directory 0700" [ "$(stat -c %a "$S/um")" = 700 ]
check "umask 0: segments 0600" all [ -n "$(ls "$S/um")" ] ';;' [ -z "$(find "$S/um" -type f ! -perm 0600)" ]

for m in 0777 0770 0702 1777; do
	mkdir -p "$S/open$m" && chmod "$m" "$S/open$m"
	"$REC" -o "$S/open$m" --duration 1 2>"$S/err"
	check "directory $m refused: exit 1" [ $? = 1 ]
	check "directory $m: one line saying why" all [ "$(wc -l <"$S/err")" = 1 ] ';;' grep -q "writable by group or others" "$S/err"
	check "directory $m: nothing written" [ -z "$(ls -A "$S/open$m")" ]
done
mkdir -m 0700 "$S/real"
ln -s "$S/real" "$S/link"
"$REC" -o "$S/link" --duration 1 2>"$S/err"
check "symlinked output directory refused: exit 1" [ $? = 1 ]
check "symlinked output directory: one line naming it" all [ "$(wc -l <"$S/err")" = 1 ] ';;' grep -q "$S/link" "$S/err"
check "symlinked output directory: nothing written through it" [ -z "$(ls -A "$S/real")" ]

# A symlink planted under the next segment's name (known once the first
# segment exists: same capture prefix, sequence + 1), then SIGHUP rotates.
for target in "$S/victim-new" "$S/victim-old"; do
	echo "precious" >"$S/victim-old"
	out=$S/plant${target##*-}
	rel_start "$out" "$S/rec.err" -f 100ms || exr_die "recorder: $(cat "$S/rec.err")"
	first=$(ls "$out")
	ln -s "$target" "$out/${first%-000000.exray.zst}-000001.exray.zst"
	kill -HUP "$RECPID"
	sleep 0.4
	kill -INT "$RECPID" 2>/dev/null
	wait "$RECPID"
	rc=$?
	if [ "$target" = "$S/victim-new" ]; then
		check "planted symlink (dangling): not followed, no file created" [ ! -e "$target" ]
	else
		check "planted symlink (to a file): not followed, the file unchanged" [ "$(cat "$target")" = precious ]
	fi
	check "planted symlink: the recorder stops with exit 1 (got $rc) and says why" \
		all [ $rc = 1 ] ';;' grep -q "File exists" "$S/rec.err"
	"$EXRAY" verify "$out/$first" >/dev/null
	check "planted symlink: the segment before it is intact" [ $? = 0 ]
done
rel_done rel_privfiles
