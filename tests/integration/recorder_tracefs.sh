#!/usr/bin/env bash
# exray-record mounts tracefs itself when it is absent, as real tools do: in
# a private mount namespace (the host's mounts are not touched) tracefs is
# unmounted, and the recorder must mount it at /sys/kernel/tracing, attach
# its tracepoints and record an exec.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/container.sh"
exr_need_root
exr_init
REC=$EXR_BUILD/exray-record EXRAY=$EXR_BUILD/exray
out=$EXR_STATE/seg
unshare -m --propagation private sh -c '
	umount /sys/kernel/tracing 2>/dev/null
	umount /sys/kernel/debug/tracing 2>/dev/null
	umount /sys/kernel/debug 2>/dev/null
	if [ -e /sys/kernel/tracing/events ] || [ -e /sys/kernel/debug/tracing/events ]; then
		echo "FAIL tracefs is still visible after umount"; exit 1
	fi
	"$1" -o "$2" --duration 2 2>"$2.err" &
	rec=$!
	for i in $(seq 600); do grep -q "recording:" "$2.err" 2>/dev/null && break; sleep 0.05; done
	/bin/true tracefs-marker-$$
	wait $rec || { echo "FAIL recorder exit $?"; cat "$2.err"; exit 1; }
	grep -q " /sys/kernel/tracing tracefs " /proc/self/mounts ||
		{ echo "FAIL tracefs not mounted by the recorder"; exit 1; }
	echo "ok   recorder mounted tracefs and ran"
' sh "$REC" "$out" || exit 1
"$EXRAY" dump -t exec "$out" | grep -q '"tracefs-marker-' &&
	echo "ok   exec recorded with tracefs mounted by the recorder" ||
	{ echo "FAIL the marker exec is not recorded"; exit 1; }
grep -q " /sys/kernel/tracing tracefs " /proc/self/mounts && echo "ok   the host's tracefs is untouched" ||
	{ echo "FAIL the host lost its tracefs mount"; exit 1; }
