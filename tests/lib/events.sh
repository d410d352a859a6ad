# shellcheck shell=bash
# tests/lib/events.sh: what the tests/integration/events_*.sh scripts share.
# Sourcing it loads tests/lib/container.sh (skips unless root with BTF) and
# tests/lib/reliability.sh ($REC, $EXRAY, $S, check, rel_done), then:
#
#     ev_start [RECORDER ARGS...]     record into $S/rec until ev_stop
#     ... do things, writing ground truth with ev_fact KEY VALUE ...
#     ev_stop                         stop, dump every record to $S/dump.json
#     ev_py 'label' <<'PY'            check the dump in Python (evcheck.py)
#     ...
#     PY
#
# ev_py runs the script with tests/lib/evcheck.py imported (EV: the dump,
# F: the facts, check(), find(), one()); every "FAIL" line it prints counts
# as a failed check of the calling test (rel_fails), so one script holds many
# named checks and a crash is a failure too.
[ -n "${EV_LIB_LOADED:-}" ] && return 0
EV_LIB_LOADED=1
. "$(dirname "${BASH_SOURCE[0]}")/container.sh"
exr_need_root
. "$(dirname "${BASH_SOURCE[0]}")/reliability.sh"

exr_tool exr-events
EVT=$EXR_TOOL                   # tests/tools/exr-events.c
EV_FACTS=$S/facts
: >"$EV_FACTS"

# ev_fact KEY VALUE: note a piece of ground truth for the checks (F[KEY]).
ev_fact() { printf '%s=%s\n' "$1" "$2" >>"$EV_FACTS"; }

# ev_start [ARGS...]: start exray-record on $S/rec (flush every 100 ms) and
# wait for its "recording:" line: probes attached, snapshot written.
ev_start() {
	EV_OUT=$S/rec
	rm -rf "$EV_OUT"
	rel_start "$EV_OUT" "$S/rec.err" -f 100ms "$@" || exr_die "recorder did not start: $(cat "$S/rec.err")"
	local n
	for n in $(seq 300); do
		grep -q 'exray-record: recording:' "$S/rec.err" && return 0
		kill -0 "$RECPID" 2>/dev/null || exr_die "recorder exited: $(cat "$S/rec.err")"
		sleep 0.1
	done
	exr_die "recorder not ready after 30 s: $(cat "$S/rec.err")"
}

# ev_stop: let the last events reach the ring, stop the recorder (SIGINT),
# check it exited 0 and dump the capture to $S/dump.json.
ev_stop() {
	sleep 0.3
	kill -INT "$RECPID"
	wait "$RECPID"
	check "recorder: exit 0" [ $? = 0 ]
	"$EXRAY" dump "$EV_OUT" >"$S/dump.json" 2>"$S/dump.err"
	check "dump: exit 0, no damage" [ $? = 0 ]
}

# ev_py LABEL: run the Python checks on stdin against $S/dump.json.
ev_py() {
	local out rc nfail
	out=$(PYTHONPATH="$EXR_ROOT/tests/lib" python3 - "$S/dump.json" "$EV_FACTS" 2>&1)
	rc=$?
	echo "$out"
	nfail=$(grep -c '^FAIL' <<<"$out")
	rel_fails=$((rel_fails + nfail))
	if [ "$rc" != 0 ] && [ "$nfail" = 0 ]; then
		fail "$1: the checks themselves failed (exit $rc)"
	fi
}
