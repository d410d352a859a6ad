#!/usr/bin/env bash
# Two recorders on the same boot at once (issue 18 item 5): every event is
# in both captures, stamped a few microseconds apart and with socket ids
# keyed differently. Ingested into one case (in one run, and in two runs in
# either order), nothing is doubled: the workload's execs and connections
# count exactly as in one capture, each connection keeps its result, and
# ingest says how many duplicates it skipped. A single capture skips none.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/container.sh"
exr_need_root
. "$here/../lib/reliability.sh"
exr_tool rec_workload
RW=$EXR_TOOL

N=150 K=12 mark=ovl$$
port=$((20000 + $$ % 20000))
python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64); open(sys.argv[2], "w").close()
end = time.time() + 60
while time.time() < end:
    c, _ = s.accept(); c.close()' "$port" "$S/listening" &
exr_register pid $!
for _ in $(seq 200); do [ -e "$S/listening" ] && break; sleep 0.05; done
[ -e "$S/listening" ] || exr_die "the test listener on 127.0.0.1:$port did not start"

ready() { # ERRFILE: the recorder's snapshot is done
	for _ in $(seq 300); do grep -q 'recording:' "$1" && return 0; sleep 0.05; done
	return 1
}
rel_start "$S/a" "$S/a.err" -f 200ms || exr_die "recorder a: $(cat "$S/a.err")"
A=$RECPID
rel_start "$S/b" "$S/b.err" -f 200ms || exr_die "recorder b: $(cat "$S/b.err")"
B=$RECPID
ready "$S/a.err" && ready "$S/b.err" || exr_die "recorders not ready: $(cat "$S/a.err" "$S/b.err")"
"$RW" storm "$N" "$mark" >/dev/null || exr_die "storm failed"
for _ in $(seq "$K"); do "$RW" connect 127.0.0.1 "$port" || exr_die "connect failed"; done
sleep 0.5 # the results (softirq) reach both rings
kill -INT "$A" "$B"
wait "$A" || fail "recorder a exit"
wait "$B" || fail "recorder b exit"

# what one capture says, and what one case of both must say
counts() { # DB: marked execs, connections to the port, established ones
	"$EXRAY" sql -d "$1" --csv "SELECT
	 (SELECT count(*) FROM execs WHERE kind = 'exec' AND cmdline LIKE '%$mark%'),
	 (SELECT count(*) FROM connections WHERE dport = $port),
	 (SELECT count(*) FROM connections WHERE dport = $port AND state = 'established'),
	 (SELECT count(*) FROM processes WHERE exec_id IN
	   (SELECT exec_id FROM execs WHERE cmdline LIKE '%$mark%'))" 2>&1 | tr -d '\r' | tail -1
}
"$EXRAY" ingest -d "$S/a.db" "$S/a" >"$S/a.sum" || fail "ingest a"
want=$(counts "$S/a.db")
check "one capture: $want (marked execs, connects, established, processes)" \
	[ "$want" = "$((N + 1)),$K,$K,$((N + 1))" ]
check "one capture: no duplicates claimed" [ "$(grep -c duplicate "$S/a.sum")" = 0 ]

"$EXRAY" ingest -d "$S/ab.db" "$S/a" "$S/b" >"$S/ab.sum" || fail "ingest a b"
check "both captures, one run: $(counts "$S/ab.db")" [ "$(counts "$S/ab.db")" = "$want" ]
n=$(sed -n 's/^  \([0-9]*\) duplicate events from overlapping captures skipped$/\1/p' "$S/ab.sum")
check "the summary says what was skipped (${n:-nothing})" [ "${n:-0}" -ge $((N + 1 + K)) ]
"$EXRAY" ingest -q -d "$S/ba.db" "$S/b" || fail "ingest b"
"$EXRAY" ingest -d "$S/ba.db" "$S/a" >"$S/ba.sum" || fail "ingest a after b"
check "both captures, two runs, b first: $(counts "$S/ba.db")" [ "$(counts "$S/ba.db")" = "$want" ]
"$EXRAY" ingest -q -d "$S/ab2.db" "$S/a" || fail "ingest a"
"$EXRAY" ingest -q -d "$S/ab2.db" "$S/b" || fail "ingest b after a"
check "both captures, two runs, a first: $(counts "$S/ab2.db")" [ "$(counts "$S/ab2.db")" = "$want" ]
check "ingesting both again changes nothing" all "$EXRAY" ingest -q -d "$S/ab.db" "$S/a" "$S/b" ';;' \
	[ "$(counts "$S/ab.db")" = "$want" ]
# (one capture may hold the same exec twice within microseconds: a shell's
# failed PATH lookups, each a real event, kept)
dups=$("$EXRAY" sql -d "$S/ab.db" --csv "SELECT count(*) FROM execs a JOIN execs b
	ON a.proc_id = b.proc_id AND a.exec_id < b.exec_id AND a.filename IS b.filename
	AND a.argv IS b.argv AND a.kind = b.kind AND abs(a.ts - b.ts) < 1000000
	JOIN segments sa ON sa.segment_id = a.segment_id
	JOIN segments sb ON sb.segment_id = b.segment_id AND sb.capture_id <> sa.capture_id" |
	tr -d '\r' | tail -1)
check "no exec left twice from the two captures ($dups)" [ "$dups" = 0 ]
rel_done rel_overlap
