#!/usr/bin/env bash
# Loss accounting of the 1.2 families, real eBPF (as rel_loss.sh does for
# exec, fork, exit): a recorder T with a 4 KiB ring, paused during a burst
# of COUNT rounds of one file create (under --watch), one setuid, one
# memfd_create and one AF_PACKET socket each, must account for every event
# of those types exactly. A reference recorder R with a 64 MiB ring (which
# must lose nothing) runs alongside with the same filter:
#   1. R saw exactly what the burst says it did (file, priv, memfd, socket
#      records of the burst's pid);
#   2. between two sentinel execs A and B around the burst, for each type,
#      R's events = T's events + the counts of T's loss records; T lost some
#      of each type;
#   3. the burst's events T is missing are at most what T reported lost.
# A run whose window is ambiguous (a sentinel lost, losses reported near a
# sentinel) is retried, up to 3 attempts.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/events.sh"
count=${REL_BURST:-2000}
D=$(mktemp -d /tmp/exr-loss.XXXXXX)
exr_register dir "$D"

attempt() { # N: 0 balanced, 1 wrong, 2 ambiguous (retry)
	local n=$1 r=$S/R$1 t=$S/T$1
	rm -f "$D"/b*
	rel_start "$r" "$S/R$n.err" --ring-size 64M -f 100ms --no-iter --watch "$D" ||
		exr_die "reference recorder did not start: $(cat "$S/R$n.err")"
	local rpid=$RECPID
	rel_start "$t" "$S/T$n.err" --ring-size 4K -f 100ms --no-iter --watch "$D" ||
		exr_die "tiny-ring recorder did not start: $(cat "$S/T$n.err")"
	local tpid=$RECPID
	for f in "$S/R$n.err" "$S/T$n.err"; do
		until grep -q 'recording:' "$f"; do sleep 0.1; done
	done
	sleep 0.5
	"$WL" mark "evA-$$-$n" 0
	sleep 0.5
	kill -STOP "$tpid"
	"$EVT" burst "$D" "$count" >"$S/burst$n" || { kill -CONT "$tpid"; exr_die "burst failed"; }
	kill -CONT "$tpid"
	sleep 0.5
	"$WL" mark "evZ-$$-$n" 0
	sleep 0.3
	kill -INT "$tpid"
	wait "$tpid"
	local trc=$?
	kill -INT "$rpid"
	wait "$rpid"
	[ $trc = 0 ] && [ $? = 0 ] || exr_die "a recorder failed"
	"$EXRAY" dump -t exec,file,priv,memfd,socket,loss "$r" >"$S/R$n.json" || exr_die "dump R"
	"$EXRAY" dump -t exec,file,priv,memfd,socket,loss "$t" >"$S/T$n.json" || exr_die "dump T"
	PYTHONPATH="$EXR_ROOT/tests/lib" python3 - "$S/R$n.json" "$S/T$n.json" "$S/burst$n" \
		"evA-$$-$n" "evZ-$$-$n" <<'PY'
import sys
from lossbalance import balance, load
rf, tf, bf, ta, tz = sys.argv[1:6]
b = open(bf).read().split()  # "burst PID file N priv N memfd N socket N"
bpid, gen = int(b[1]), {b[i]: int(b[i + 1]) for i in range(2, 10, 2)}
mine = lambda ev, ty: [e for e in ev if e["type"] == ty and e["pid"] == bpid]
sys.exit(balance(load(rf), load(tf), gen, mine, ta, tz))
PY
}

for n in 1 2 3; do
	attempt "$n"
	rc=$?
	[ $rc = 2 ] && { echo "attempt $n ambiguous, again"; continue; }
	break
done
check "happened = recorded + reported lost, per type (file, priv, memfd, socket), exactly" [ "$rc" = 0 ]
rel_done events_loss
