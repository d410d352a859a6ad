#!/usr/bin/env bash
# exray analyzer end to end on a real recording: a scripted host workload
# (hostile argv, known exit codes, a failed exec, a TCP connect to a test
# host) and a real runc container placed as docker places it (a shell with
# a known exit code, connecting to a second test host). Then: verify, ingest,
# check SQL rows and `exray tree` against that ground truth, ingest twice
# and check nothing changed, ingest a torn copy and check that what was
# intact is there and the damage is reported.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/container.sh"
exr_need_root

B=$EXR_BUILD
make -s -C "$EXR_ROOT" BUILD="$B" "$B/exray-record" "$B/exray" >&2 || exr_die "cannot build"
REC=$B/exray-record
X=$B/exray
exr_tool exr-net
NET=$EXR_TOOL
exr_rootfs

fails=0
ok() { echo "ok   $1"; }
fail() { echo "FAIL $1"; fails=$((fails + 1)); }
check() { if "${@:2}"; then ok "$1"; else fail "$1"; fi; }
eq() { # name, got, want
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', want '$3'"; fi
}
db=$EXR_STATE/case.db
sql() { sqlite3 "$db" "$@"; }

# Test hosts: one for the host workload, one wired to the container's netns.
srv=${EXR_TAG}srv cli=${EXR_TAG}cli srv2=${EXR_TAG}srv2
exr_testnet_up "$srv" "" 1
H4=$EXR_NET_HOST4
exr_listen "$srv" 8080 "$EXR_STATE/listen.log"
exr_netns_add "$cli"
exr_testnet_up "$srv2" "$cli" 2
C4=$EXR_NET_HOST4
exr_listen "$srv2" 8081 "$EXR_STATE/listen2.log"

out=$EXR_STATE/out
"$REC" -o "$out" --flush-interval 200ms 2>"$EXR_STATE/rec.err" &
recpid=$!
exr_register pid "$recpid"
for n in $(seq 600); do
	compgen -G "$out/*.exray.zst" >/dev/null && break
	kill -0 "$recpid" 2>/dev/null || exr_die "recorder died: $(cat "$EXR_STATE/rec.err")"
	sleep 0.05
done

# ---- host workload (ground truth)
esc=$(printf 'x\033[31mRED\nline')
sh -c 'exit 3' exray-e2e-marker-$$ "$esc"
"$EXR_STATE/no-such-binary" 2>/dev/null
"$NET" connect "$H4" 8080 >/dev/null 2>&1 || fail "host connect"

# ---- container workload
exr_container_create --netns "$cli" e2e docker /bin/sh -c \
	"/usr/local/bin/exr-net connect $C4 8081 >/dev/null 2>&1; /bin/true; exit 5"
cid=$EXR_CID
exr_container_start e2e
exr_container_wait e2e 10 || fail "container did not finish"
exr_container_delete e2e
sleep 0.5
kill -INT "$recpid"
wait "$recpid" || fail "recorder exit $?"

# ---- verify, ingest
"$X" verify -q "$out" >"$EXR_STATE/verify.out"
eq "verify clean" "$?" 0
"$X" ingest -d "$db" "$out" >"$EXR_STATE/ingest.out"
eq "ingest exit" "$?" 0

# host process: exit status 3, hostile argv stored as recorded
eq "sh exit 3" "$(sql "SELECT p.exit_code FROM processes p JOIN execs e ON e.proc_id=p.proc_id
	WHERE e.cmdline LIKE '%exray-e2e-marker-$$%' AND e.ret=0")" 3
eq "argv as JSON" "$(sql "SELECT json_extract(argv,'\$[4]') FROM execs WHERE cmdline LIKE '%exray-e2e-marker-$$%'")" "$esc"
eq "failed exec" "$(sql "SELECT ret FROM execs WHERE filename LIKE '%no-such-binary'" | head -1)" -2
eq "host connect + image" "$(sql "SELECT state || ' ' || (e.filename LIKE '%exr-net') || ' ' || coalesce(k.container_id,'host')
	FROM connections k JOIN execs e USING (exec_id) WHERE k.daddr='$H4' AND k.dport=8080")" "established 1 host"

# container: named, its shell exited 5, its connection attributed
eq "container" "$(sql "SELECT runtime FROM containers WHERE cid='$cid'")" docker
eq "container shell exit 5" "$(sql "SELECT p.exit_code FROM processes p JOIN containers c USING (container_id)
	JOIN execs e ON e.exec_id=p.exec_id WHERE c.cid='$cid' AND e.filename='/bin/sh'")" 5
eq "container connect" "$(sql "SELECT c.runtime || ' ' || k.state FROM v_connections k JOIN containers c USING (container_id)
	WHERE k.daddr='$C4' AND k.dport=8081")" "docker established"
eq "container connect parent is the shell" "$(sql "SELECT e.filename FROM connections k JOIN processes p USING (proc_id)
	JOIN processes pp ON pp.proc_id=p.parent_id JOIN execs e ON e.exec_id=pp.exec_id
	WHERE k.daddr='$C4'")" /bin/sh

# the host's namespaces come from the recorder (segment format 1.1), not a guess
eq "host namespaces recorded" "$(sql "SELECT host_ns_recorded, host_pidns, host_mntns, host_netns FROM hosts")" \
	"1|$(stat -L -c %i /proc/self/ns/pid)|$(stat -L -c %i /proc/self/ns/mnt)|$(stat -L -c %i /proc/self/ns/net)"

# tree: escaped, container grouped, exit codes, connections
"$X" tree -n 0 -d "$db" >"$EXR_STATE/tree.out"
eq "tree exit" "$?" 0
check "tree has no control bytes" bash -c "! LC_ALL=C grep -q \$'[\x01-\x08\x0b-\x1f\x7f]' '$EXR_STATE/tree.out'"
check "tree shows escaped argv" grep -qF 'x\x1b[31mRED\nline' "$EXR_STATE/tree.out"
"$X" tree -d "$db" -c "${cid:0:12}" >"$EXR_STATE/ctree.out"
check "container tree header" grep -q "container ${cid:0:12} docker" "$EXR_STATE/ctree.out"
check "container tree exit 5" grep -qF '[exit 5]' "$EXR_STATE/ctree.out"
check "container tree connection" grep -qF -- "-> " "$EXR_STATE/ctree.out"
"$X" tree -d "$db" --json | jq -e . >/dev/null
eq "tree --json is valid JSON" "$?" 0

# idempotent
snap() { sql "SELECT (SELECT count(*) FROM processes),(SELECT count(*) FROM execs),
	(SELECT count(*) FROM connections),(SELECT count(*) FROM containers),(SELECT total(records) FROM segments)"; }
before=$(snap)
"$X" ingest -q -d "$db" "$out"
eq "re-ingest exit" "$?" 0
eq "re-ingest changes nothing" "$(snap)" "$before"

# torn copy: cut the segments' tails (into the footer: every event frame
# stays intact), as a power loss would, and ingest into a fresh case
torn=$EXR_STATE/torn
mkdir -p "$torn"
for f in "$out"/*.exray.zst; do
	size=$(stat -c %s "$f")
	head -c $((size - 100)) "$f" >"$torn/${f##*/}"
done
"$X" ingest -d "$EXR_STATE/torn.db" "$torn" >"$EXR_STATE/torn.out" 2>&1
eq "torn ingest exit (damage)" "$?" 1
check "torn: damage recorded" [ "$(sqlite3 "$EXR_STATE/torn.db" "SELECT count(*) FROM segment_issues")" -ge 1 ]
eq "torn: every intact record loaded" "$(sqlite3 "$EXR_STATE/torn.db" "SELECT count(*) FROM processes")" \
	"$(sql "SELECT count(*) FROM processes")"
"$X" verify "$torn" >/dev/null
eq "verify torn exit" "$?" 1

if [ $fails -gt 0 ]; then
	echo "analyzer_e2e: $fails failure(s); state in $EXR_STATE"
	cat "$EXR_STATE/tree.out" | head -40
	exit 1
fi
echo "analyzer_e2e: all passed"
