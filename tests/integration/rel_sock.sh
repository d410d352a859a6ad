#!/usr/bin/env bash
# Socket ids in connect records leak no kernel address (KASLR): over
# loopback, an established and a refused connection are recorded; their
# `sock` ids do not look like kernel pointers (0xffff... prefix), differ
# between two recorder runs for the same kind of socket, and still join each
# connect to its connect_result (established / failed).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/container.sh"
exr_need_root
. "$here/../lib/reliability.sh"

port=$((20000 + $$ % 20000))
# the listener says when it listens (a file appears), so the first connect
# cannot be refused because it came too early
python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); open(sys.argv[2], "w").close()
time.sleep(30)' "$port" "$S/listening" &
exr_register pid $!
for _ in $(seq 200); do [ -e "$S/listening" ] && break; sleep 0.05; done
[ -e "$S/listening" ] || exr_die "the test listener on 127.0.0.1:$port did not start"
connect() { python3 -c 'import socket, sys
try: socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2).close()
except OSError: pass' "$1"; }

for run in 1 2; do
	rel_start "$S/r$run" "$S/r$run.err" -f 100ms -e connect || exr_die "recorder: $(cat "$S/r$run.err")"
	connect "$port"           # established
	connect $((port + 1))     # refused: nothing listens there
	# both results are in the ring buffer once connect() has returned, and
	# the recorder drains it on SIGINT: no need to wait for a flush
	kill -INT "$RECPID"
	wait "$RECPID" || fail "recorder run $run"
	"$EXRAY" dump -t connect,connect_result "$S/r$run" >"$S/d$run.json"
done
check "sock ids: never a kernel address, joined to results, differ between runs" python3 - "$S/d1.json" "$S/d2.json" "$port" <<'PY'
import json, sys
port = int(sys.argv[3])
ids = []
for f in sys.argv[1:3]:
    ev = [json.loads(l) for l in open(f)]
    ev.sort(key=lambda e: e["ts"])
    conns = {}
    for i, e in enumerate(ev):
        if e["type"] != "connect" or e["dport"] not in (port, port + 1):
            continue
        # its result: the next connect_result with the same id (a freed
        # socket's memory, hence its id, may be reused by the next one)
        r = next((x for x in ev[i + 1:] if x["type"] == "connect_result" and x["sock"] == e["sock"]), None)
        conns[e["dport"]] = (e["sock"], r and r["state"])
    assert set(conns) == {port, port + 1}, conns
    for dport, (sock, state) in conns.items():
        v = int(sock, 16)
        assert v >> 48 != 0xffff, f"kernel-looking sock id {sock}"
        want = "established" if dport == port else "failed"
        assert state == want, (dport, sock, state)
        print(f"dport {dport}: sock {sock} -> {want}")
    ids.append({s for s, _ in conns.values()})
assert not ids[0] & ids[1], "the same ids in two runs: no per-capture key?"
PY
"$EXRAY" ingest -d "$S/case.db" "$S/r1" >/dev/null 2>&1
"$EXRAY" sql -d "$S/case.db" --csv "SELECT dport, state FROM connections WHERE dport IN ($port, $((port + 1))) ORDER BY dport" |
	tr -d '\r' >"$S/joined.csv"
check "ingest joins each connect to its result" [ "$(tail -n +2 "$S/joined.csv" | tr '\n' ' ')" = "$port,established $((port + 1)),failed " ]
cat "$S/joined.csv"
rel_done rel_sock
