#!/usr/bin/env bash
# Hostile strings, real eBPF: an executable whose path and name hold
# terminal escape sequences (CSI, OSC, the alternate screen), a newline,
# C1 controls and invalid UTF-8, run with such arguments plus a NUL-free
# 4 KiB word and 3000 more arguments, in a cgroup named the same way (but
# the newline) under a
# docker-like scope, travels through record, ingest, tree (text, wide,
# JSON), dump, check (text, JSON) and sql (table, CSV, JSON). Every line of
# JSON output parses (and the 4 KiB word and the ESC bytes survive in it);
# text output (stdout and stderr) holds no control byte and is valid UTF-8;
# CSV parses with Python's csv module into rows of equal width.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/container.sh"
exr_need_root
. "$here/../lib/reliability.sh"
exr_cgroup2_mount

evil=$'\e[31mRED\e]0;owned\a\e[?1049h\nNEWLINE\xff\xfe\xc0\x80\xc2\x9b2J\x7f\x01'
bindir="$S/bin$evil"
mkdir -p "$bindir"
exe="$bindir/x$evil"
cp "$WL" "$exe"
word=$(head -c 4096 /dev/zero | tr '\0' W)
args=("$evil" $'a\nb\tc' $'\xff\xfe\xfd' "$word")
for ((i = 0; i < 3000; i++)); do args+=("arg$i"); done
ID=$(printf 'e%.0s' {1..64})
# (the kernel refuses a newline in a cgroup name; everything else goes)
cg="/exr-hostile-$$/docker-$ID.scope/leaf${evil//$'\n'/}"
# the leaf: cleanup removes it and then each parent up to /exr-hostile-$$
exr_register_cgroup "$cg"
mkdir -p "$EXR_CG2$cg" || exr_die "cannot create a cgroup named with escapes"

out=$S/rec
rel_start "$out" "$S/rec.err" -f 100ms --argv-max 32768 || exr_die "recorder: $(cat "$S/rec.err")"
( echo "$BASHPID" >"$EXR_CG2$cg/cgroup.procs" && exec "$exe" "${args[@]}" ) 2>/dev/null
"$exe" mark "$evil" 0
sleep 0.3
kill -INT "$RECPID"
wait "$RECPID"
check "recorder: exit 0" [ $? = 0 ]
echo 0 >"$EXR_CG2/cgroup.procs" 2>/dev/null

# text_ok LABEL FILE: no control bytes, valid UTF-8
text_ok() {
	check "$1: no control bytes" rel_no_ctl "$2"
	check "$1: valid UTF-8" python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$2"
}
# json_ok LABEL FILE: every line is one valid JSON value (jq and Python)
json_ok() {
	check "$1: every line is JSON (jq)" jq -e -c . "$2" >/dev/null
	check "$1: every line is JSON (python)" python3 -c '
import json, sys
for l in open(sys.argv[1], "rb"):
    json.loads(l)' "$2"
	text_ok "$1" "$2"
}
db=$S/case.db
"$EXRAY" dump "$out" >"$S/dump.json" 2>"$S/dump.err"
check "dump: exit 0" [ $? = 0 ]
json_ok dump "$S/dump.json"
text_ok "dump stderr" "$S/dump.err"
check "dump: the hostile exec, its 3004 arguments, the 4 KiB word, ESC intact" python3 -c '
import json, sys
word = "W" * 4096
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["type"] == "exec" and len(e.get("argv") or []) == 3005:
        a = e["argv"]
        assert a[1].startswith("\x1b[31mRED\x1b]0;owned\x07"), a[1][:40]
        assert "\nNEWLINE" in a[1] and a[2] == "a\nb\tc" and a[4] == word
        assert a[3004] == "arg2999" and not e.get("argv_truncated")
        assert e["filename"].endswith("\nNEWLINE\ufffd\ufffd" + "\ufffd" * 2 + "\u009b2J\x7f\x01") or "\x1b" in e["filename"]
        sys.exit(0)
sys.exit(1)' "$S/dump.json"
check "dump: the cgroup path with escapes" grep -q '"cgroup_path":"/exr-hostile-[0-9]*/docker-e*\.scope/leaf\\u001b\[31mRED' "$S/dump.json"

"$EXRAY" ingest -d "$db" "$out" >"$S/ingest.out" 2>"$S/ingest.err"
check "ingest: exit 0" [ $? = 0 ]
text_ok "ingest stdout" "$S/ingest.out"
text_ok "ingest stderr" "$S/ingest.err"
for mode in "" -w; do
	# -w --all: every process whole, wherever the hostile one falls
	"$EXRAY" tree -d "$db" $mode ${mode:+--all} >"$S/tree$mode.txt" 2>"$S/tree.err"
	check "tree $mode: exit 0" [ $? = 0 ]
	text_ok "tree $mode" "$S/tree$mode.txt"
	text_ok "tree $mode stderr" "$S/tree.err"
done
check "tree: shows the container and the escaped name" grep -q 'x\\x1b\[31mRED' "$S/tree-w.txt"
check "tree -w: shows the 4 KiB word" grep -q "$word" "$S/tree-w.txt"
"$EXRAY" tree -d "$db" -c eeee >"$S/treec.txt" 2>&1
check "tree -c: the hostile cgroup is a container" grep -q 'x\\x1b' "$S/treec.txt"
"$EXRAY" tree -d "$db" --json >"$S/tree.json" 2>"$S/tree.err"
check "tree --json: exit 0" [ $? = 0 ]
json_ok "tree --json" "$S/tree.json"
check "tree --json: the word survives" grep -q "$word" "$S/tree.json"

"$EXRAY" timeline --all -d "$db" >"$S/timeline.txt" 2>"$S/timeline.err"
check "timeline: exit 0" [ $? = 0 ]
text_ok timeline "$S/timeline.txt"
text_ok "timeline stderr" "$S/timeline.err"
check "timeline: the escaped name" grep -q 'x\\x1b\[31mRED' "$S/timeline.txt"
"$EXRAY" timeline -d "$db" --json >"$S/timeline.json" 2>/dev/null
json_ok "timeline --json" "$S/timeline.json"

"$EXRAY" check -d "$db" >"$S/check-summary.txt" 2>"$S/check.err"
check "check: exit 0" [ $? = 0 ]
text_ok "check (summary)" "$S/check-summary.txt"
"$EXRAY" check --all -w -d "$db" >"$S/check.txt" 2>"$S/check.err"
check "check --all: exit 0" [ $? = 0 ]
text_ok check "$S/check.txt"
text_ok "check stderr" "$S/check.err"
check "check: alerts name the hostile exec" grep -q 'x\\x1b\[31mRED' "$S/check.txt"
"$EXRAY" check -d "$db" --json >"$S/check.json" 2>"$S/check.err"
json_ok "check --json" "$S/check.json"

q='SELECT * FROM v_execs; SELECT * FROM cgroups; SELECT * FROM v_processes'
"$EXRAY" sql -d "$db" "$q" >"$S/sql.txt" 2>"$S/sql.err"
check "sql: exit 0" [ $? = 0 ]
text_ok sql "$S/sql.txt"
text_ok "sql stderr" "$S/sql.err"
"$EXRAY" sql -d "$db" --json "$q" >"$S/sql.json" 2>"$S/sql.err"
json_ok "sql --json" "$S/sql.json"
check "sql --json: the 4 KiB word" grep -q "$word" "$S/sql.json"
for t in v_execs cgroups v_processes; do
	"$EXRAY" sql -d "$db" --csv "SELECT * FROM $t" >"$S/sql.csv"
	n=$("$EXRAY" sql -d "$db" --csv "SELECT count(*) FROM $t" | tail -1 | tr -dc 0-9)
	check "sql --csv $t: parses, $n rows of equal width" python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
assert len(rows) == int(sys.argv[2]) + 1, (len(rows), sys.argv[2])
assert len({len(r) for r in rows}) == 1' "$S/sql.csv" "$n"
	sed 's/\r$//' "$S/sql.csv" >"$S/sql-lf.csv" # CRLF ends a CSV record
	text_ok "sql --csv $t" "$S/sql-lf.csv"
done

# A file argument named with escapes: the error line is escaped too.
for cmd in verify info dump ingest; do
	"$EXRAY" "$cmd" -d "$S/x.db" "$S/missing$evil" >"$S/bad.out" 2>"$S/bad.err"
	check "$cmd on a hostile missing file: exit 3" [ $? = 3 ]
	text_ok "$cmd hostile file name error" "$S/bad.err"
done
"$REC" -o "$S/out$evil/x" --duration 1 2>"$S/rec2.err" >/dev/null
check "exray-record with a hostile output path: exit 1" [ $? = 1 ]
# (the recorder turns control bytes into '?' but passes bytes >= 0x80 as
# they are: the operator's own -o argument, not recorded data)
check "exray-record with a hostile output path: no C0 control bytes" \
	[ "$(LC_ALL=C tr -d '\n\040-\377' <"$S/rec2.err" | wc -c)" = 0 ]
rel_done rel_hostile
