#!/usr/bin/env bash
# What a responder sees from `exray` (issue 18), on recorded fixtures and
# crafted cases: the case database is private, conclusions state what is
# missing, output is summarised before it floods, and the commands agree on
# options, exit codes and wording. No root or BTF needed: no eBPF runs here.
set -u
cd "${EXRAY_ROOT:-$(dirname "$0")/../..}"
BUILD=${BUILD:-build}
X=$BUILD/exray
[ -x "$X" ] || { echo "analyzer_ux: $X not built"; exit 1; }
tmp=$(mktemp -d /tmp/exray-ux-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
check() { if "${@:2}"; then ok "$1"; else bad "$1"; fi; }
# run WANT_RC DESCRIPTION COMMAND...: stdout in $tmp/out, stderr in $tmp/err
run() {
	local want=$1 what=$2; shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$what"; else
		bad "$what: exit $rc, want $want"; sed 's/^/    /' "$tmp/err" | head -5; fi
}
FIX=fixtures/download-and-run/segments

# --- item 3: the case database is created 0600 whatever the umask; a wider
# one is warned about on every open
(umask 0 && "$X" ingest -q -d "$tmp/case.db" "$FIX")
check "case database created 0600 under umask 0" [ "$(stat -c %a "$tmp/case.db")" = 600 ]
run 0 "tree on a private database" "$X" tree -d "$tmp/case.db"
check "no mode warning for a 0600 database" [ ! -s "$tmp/err" ]
chmod 644 "$tmp/case.db"
run 0 "tree on a 0644 database" "$X" tree -d "$tmp/case.db"
check "a 0644 database is warned about" grep -q "^exray: warning: .*case.db is open to group or others (mode 0644)" "$tmp/err"

# --- item 6: losses and damage stated where conclusions are drawn
LOSS=fixtures/ring-loss/segments
run 0 "check on a capture with kernel losses" "$X" check "$LOSS"
check "  ... says alerts may be missing" grep -q '^check: incomplete: 1,757 exec events lost in the kernel, reported .*: alerts may be missing$' "$tmp/err"
run 0 "tree on a capture with kernel losses" "$X" tree "$LOSS"
check "  ... says processes may be missing" grep -q '^tree: incomplete: 1,816 fork events lost in the kernel, reported .*: processes and events may be missing$' "$tmp/err"
run 0 "verify of an intact capture with kernel losses" "$X" verify "$LOSS"
check "  ... ok, N events lost" grep -q ': ok, 5,395 events lost in the kernel, ' "$tmp/out"
run 0 "check on a complete capture" "$X" check "$FIX"
check "  ... says it is complete" grep -q '^check: complete: no events lost in the kernel' "$tmp/err"

# --- item 14: no floods on a big case: summaries first, the rest counted
GEN=$BUILD/bench/exray-gen
if [ -x "$GEN" ]; then
	"$GEN" -o "$tmp/gen" -n 30000 -s 5 -c 3 -t "$tmp/truth.json" >/dev/null
	"$X" ingest -q -d "$tmp/gen.db" "$tmp/gen"
	run 0 "tree on a generated case" "$X" tree -d "$tmp/gen.db"
	check "  ... starts with a summary of the groups" grep -q '^tree: [0-9,]* processes in [0-9]* groups; at most 200 shown per group' "$tmp/out"
	check "  ... counts what it left out" grep -q '^  \.\.\. [0-9,]* more processes in this group' "$tmp/out"
	n_lim=$(wc -l <"$tmp/out")
	run 0 "tree --all on it" "$X" tree --all -d "$tmp/gen.db"
	n_all=$(wc -l <"$tmp/out")
	check "  ... shows every process ($n_all lines, $n_lim limited)" [ "$n_all" -gt $((n_lim * 2)) ]
	run 0 "check on it" "$X" check -d "$tmp/gen.db"
	n_alerts=$("$X" sql -d "$tmp/gen.db" --csv "SELECT count(*) FROM alerts" | tail -1 | tr -d '\r')
	check "  ... summarises $n_alerts alerts by rule" grep -q "^[0-9,]* alerts; by rule, then the first 3 of each" "$tmp/out"
	check "  ... in fewer lines than alerts ($(wc -l <"$tmp/out"))" [ "$(wc -l <"$tmp/out")" -lt "$n_alerts" ]
	run 0 "check --all lists every alert" "$X" check --all -d "$tmp/gen.db"
	check "  ... one line each" [ "$(wc -l <"$tmp/out")" = "$n_alerts" ]
	run 0 "check -n 7" "$X" check --all -n 7 -d "$tmp/gen.db"
	check "  ... 7 lines and the rest counted" [ "$(grep -c '' "$tmp/out")" = 8 ]
else
	bad "no $GEN: item 14 not tested"
fi

# --- item 16: an interrupted ingest says so, exits 130, is warned about by
# every command, and a re-run finishes it; progress with total and ETA
if [ -x "$GEN" ]; then
	mkfifo "$tmp/fifo" # open() waits there for a writer: the run is mid-way
	"$X" ingest -d "$tmp/int.db" "$tmp/gen" "$tmp/fifo" >"$tmp/int.out" 2>"$tmp/int.err" &
	pid=$!
	# the mark is written once Ctrl-C is caught; a read-only command sees it
	for _ in $(seq 100); do
		"$X" tree -d "$tmp/int.db" 2>&1 >/dev/null | grep -q 'did not finish' && break
		sleep 0.1
	done
	kill -INT "$pid"
	wait "$pid"
	rc=$?
	check "ingest stopped by SIGINT exits 130 (got $rc)" [ "$rc" = 130 ]
	check "  ... says: interrupted; re-run to resume" grep -q '^exray: ingest interrupted; re-run to resume' "$tmp/int.err"
	# (nothing committed: 30,000 records are one batch, rolled back)
	run 1 "tree on the unfinished case" "$X" tree -d "$tmp/int.db"
	check "  ... warns that the ingest did not finish" grep -q "^exray: warning: .*int.db: an ingest did not finish (interrupted?)" "$tmp/err"
	run 0 "ingest re-run" "$X" ingest -d "$tmp/int.db" "$tmp/gen"
	check "  ... says it resumes" grep -q '^ingest: resuming: an earlier ingest' "$tmp/err"
	run 0 "tree after it" "$X" tree --all -d "$tmp/int.db"
	check "  ... no warning" bash -c "! grep -q 'did not finish' '$tmp/err'"
	"$X" tree --all -d "$tmp/gen.db" >"$tmp/tree.want" 2>/dev/null
	check "  ... the same tree as an uninterrupted ingest" cmp -s "$tmp/out" "$tmp/tree.want"
	script -qec "$X ingest -d $tmp/tty.db $tmp/gen" /dev/null >"$tmp/pty" 2>&1
	check "ingest progress on a terminal: total, percentage and ETA" grep -qE 'ingest: file 1 of 1, [0-9]+% of [0-9.]+ MiB, .* ETA [0-9]' "$tmp/pty"
fi

# --- item 17: one meaning per short option across both tools: every "-X,
# --long" pair in every --help gives each letter one long name
REC=$BUILD/exray-record
cmds=$("$X" --help | awk '/^commands:/ {on = 1; next} on && !NF {exit} on {print $1}')
{
	[ -x "$REC" ] && "$REC" --help
	for c in $cmds; do "$X" "$c" --help; done
} >"$tmp/helps"
grep -oE '^ +-[A-Za-z], --[a-z-]+' "$tmp/helps" | sed 's/^ *//; s/,//' | sort -u >"$tmp/pairs"
dups=$(awk '{print $1}' "$tmp/pairs" | uniq -d | tr '\n' ' ')
check "each short option has one meaning across exray-record and exray ($(wc -l <"$tmp/pairs") pairs)${dups:+: $dups differ}" [ -z "$dups" ]
for c in $cmds; do
	"$X" "$c" --help >"$tmp/help"
	awk '/Example/ {on = 1} on && /exray [a-z]/ {found = 1} END {exit !found}' "$tmp/help" ||
		bad "exray $c --help has no example"
done
[ -x "$REC" ] && { "$REC" --version | grep -q '^exray-record ' && ok "exray-record --version" || bad "exray-record --version"; }
run 2 "exray-record -d is refused, pointing at --duration" "$REC" -d 5
check "  ... with the pointer" grep -q "use --duration" "$tmp/err"

# failed execs by errno name, empty results said, tree reads segments
run 1 "tree of a pid not in the case" "$X" tree -d "$tmp/case.db" -p 999999
check "  ... says so" grep -q "^exray: no process 999999 in this case" "$tmp/err"
run 2 "tree of a container not in the case" "$X" tree -d "$tmp/case.db" -c nosuch
check "  ... says so" grep -q "^exray tree: -c 'nosuch' matches no container" "$tmp/err"
run 1 "tree of a window after the capture" "$X" tree -d "$tmp/case.db" --since 2030-01-01T00:00:00Z
check "  ... says so" grep -q "^exray: no process alive in that time window" "$tmp/err"
run 0 "tree straight from segments" "$X" tree -c job "$FIX"
check "  ... shows the container" grep -q '^== host vm: container 5b66c792ab8a "job" docker image registry.local/ci/job:2.1$' "$tmp/out"

run 0 "containers straight from segments" "$X" containers "$FIX"
check "  ... lists the container" grep -q '^vm  *5b66c792ab8a  *job  *docker  *registry.local/ci/job:2.1 ' "$tmp/out"
run 1 "containers of a case without any" "$X" containers fixtures/pid-reuse/segments
check "  ... says so" grep -q '^exray: no containers in this case' "$tmp/err"

# a policy section that applies to no process is warned about
printf '[all]\nallow 127.0.0.0/8\n[container 5b66c792ab8a]\nallow 198.51.100.10/32 port 80\n[container ffff00001234]\nallow 10.0.0.0/8\n[pod 1234-abcd]\nallow 10.0.0.1\n' >"$tmp/pol"
run 0 "check with a policy naming an absent container" "$X" check -P "$tmp/pol" -d "$tmp/case.db"
check "  ... warns about that section" grep -q "^check: warning: policy section \[container ffff00001234\] ($tmp/pol:5) applies to no process in this case" "$tmp/err"
check "  ... and the absent pod" grep -q "^check: warning: policy section \[pod 1234-abcd\] ($tmp/pol:7)" "$tmp/err"
check "  ... not about the present one" bash -c "! grep -q '5b66c792ab8a\]' '$tmp/err'"
run 0 "report with it" "$X" report -P "$tmp/pol" -d "$tmp/case.db" -o "$tmp/r.html"
check "  ... warns too" grep -q "^report: warning: policy section \[container ffff00001234\]" "$tmp/err"

# --- item 15: sql never cuts or drops a column on a terminal; the query
# from stdin or a file; segments like check and tree
Q="SELECT * FROM v_execs ORDER BY exec_id LIMIT 2"
script -qec "stty cols 60; $X sql -d $tmp/case.db '$Q'" /dev/null >"$tmp/pty" 2>&1
check "sql on a 60-column terminal: every column, one value per line" grep -q '^ *exe_flags = ' "$tmp/pty"
check "  ... says why" grep -q '^sql: [0-9]* columns wider than the terminal' "$tmp/pty"
check "  ... no value cut" bash -c "! grep -q '~\s*\$' '$tmp/pty' && grep -q 'argv = \[\"make\",\"-s\",\"fixtures\",\"SCENARIOS=download-and-run implant nsenter-host setuid-root pid-reuse preexisting ring-loss syn-scan baseline-clean baseline-drift\"\]' '$tmp/pty'"
script -qec "stty cols 60; $X sql -d $tmp/case.db 'SELECT pid, comm FROM processes ORDER BY proc_id LIMIT 1'" /dev/null >"$tmp/pty" 2>&1
check "  ... a table when it fits" grep -q '^ *pid  *comm' "$tmp/pty"
run 0 "sql - reads the query from stdin" bash -c "echo 'SELECT count(*) AS n FROM execs' | $X sql -d $tmp/case.db -"
check "  ... and runs it" grep -qx '37' "$tmp/out"
echo 'SELECT count(*) AS n FROM execs;' >"$tmp/q.sql"
run 0 "sql --file F" "$X" sql --file "$tmp/q.sql" "$FIX"
check "  ... on segments" grep -qx '37' "$tmp/out"
run 2 "sql with an unquoted query" "$X" sql -d "$tmp/case.db" SELECT 1 FROM execs
check "  ... says to quote it" grep -q "neither a segment nor a directory (give the QUERY as one quoted argument)" "$tmp/err"
run 0 "sql with no rows" "$X" sql -d "$tmp/case.db" "SELECT pid FROM processes WHERE pid < 0"
check "  ... says so" grep -qx 'sql: no rows' "$tmp/err"

# --- item 13: a timeline of a container or process, by event time
run 0 "timeline of a container" "$X" timeline -d "$tmp/case.db" -c job
check "  ... in time order" bash -c "cut -d' ' -f1 '$tmp/out' | LC_ALL=C sort -c"
check "  ... the payload's exec" grep -q ' vm/5b66c792ab8a [0-9]* kworkerd exec /tmp/kworkerd /tmp/kworkerd connect' "$tmp/out"
check "  ... its connect" grep -q ' kworkerd connect established 198.51.100.10:4444$' "$tmp/out"
check "  ... and its exit" grep -q ' kworkerd exit \[exit 0\]$' "$tmp/out"
check "  ... only that container" bash -c "! grep -v ' vm/5b66c792ab8a ' '$tmp/out'"
n_ctr=$(wc -l <"$tmp/out")
t1=$(sed -n 3p "$tmp/out" | cut -d' ' -f1) t2=$(sed -n 6p "$tmp/out" | cut -d' ' -f1)
run 0 "timeline --since --until" "$X" timeline -d "$tmp/case.db" -c job --since "$t1" --until "$t2"
check "  ... the events between, by event time (4 of $n_ctr)" [ "$(wc -l <"$tmp/out")" = 4 ]
run 0 "timeline -t connect" "$X" timeline -d "$tmp/case.db" --types connect
check "  ... connects only" bash -c "[ -s '$tmp/out' ] && ! grep -v ' connect ' '$tmp/out'"
run 0 "timeline --json" "$X" timeline -d "$tmp/case.db" -p "$(sed -n 1p "$tmp/out" | cut -d' ' -f3)" -j
check "  ... JSON lines with time and type" bash -c "python3 -c 'import json,sys; [json.loads(l)[\"type\"] for l in open(sys.argv[1])]' '$tmp/out'"
run 1 "timeline after the capture" "$X" timeline -d "$tmp/case.db" --since 2030-01-01T00:00:00Z
check "  ... says so" grep -q '^exray: no event in that time window' "$tmp/err"
run 1 "timeline of a pid not in the case" "$X" timeline -d "$tmp/case.db" -p 999999
check "  ... says so" grep -q '^exray: no process 999999 in this case' "$tmp/err"
run 2 "timeline with an unknown type" "$X" timeline -d "$tmp/case.db" -t exec,bogus
run 0 "timeline -n 2" "$X" timeline -n 2 "$FIX"
check "  ... 2 events and the rest counted" bash -c "[ \$(wc -l <'$tmp/out') = 3 ] && grep -q '^\\.\\.\\. [0-9,]* more events' '$tmp/out'"

[ "$fails" = 0 ] || { echo "analyzer_ux: $fails check(s) failed"; exit 1; }
echo "analyzer_ux: all checks passed"
