#!/usr/bin/env bash
# exray export --format ocsf of what processes did (format 1.2 families):
# one act of each kind (file ops, memfd, priv, ns, ptrace, socket, bpf,
# io_uring; failed and unknown results too) is written into the family
# tables of a fixture's case (in place of the few it recorded), exported,
# and each must come out as its OCSF class and activity, with its status,
# the acting process as actor, and every event valid against the schema;
# so must every event of the eval corpus's real recordings, one per act.
# No root needed.
set -u
ROOT=$(cd "${EXRAY_ROOT:-$(dirname "$0")/../..}" && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
X=$BUILD/exray
. "$ROOT/tests/lib/ocsf.sh"
[ -x "$X" ] || { echo "export_activity: $X not built"; exit 1; }
for t in jq python3; do command -v $t >/dev/null || { echo "export_activity: $t missing (make deps)"; exit 1; }; done
SCHEMA=$(ocsf_schema_dir) || { echo "export_activity: no OCSF schema tree (shared/ocsf-schema-1.8.0)"; exit 1; }
tmp=$(mktemp -d /tmp/exray-act-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
eq() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: got '$2', want '$3'"; fi; }

db=$tmp/case.db
"$X" ingest -q -d "$db" "$ROOT/fixtures/download-and-run/segments" || { echo "ingest failed"; exit 1; }
# the acts' process: the payload (/tmp/kworkerd); a ptrace target: wget
pay=$("$X" sql -d "$db" --csv "SELECT pid FROM execs WHERE filename = '/tmp/kworkerd'" | tail -1 | tr -d '\r')
wget=$("$X" sql -d "$db" --csv "SELECT pid FROM execs WHERE argv LIKE '[\"wget\"%'" | tail -1 | tr -d '\r')
C="proc_id, host_id, pid, start, tid, ts, exec_id, uid, euid, cgroup_id, container_id, comm"
P="(SELECT proc_id FROM processes WHERE pid = $pay), 1, $pay, (SELECT start FROM processes WHERE pid = $pay), $pay,
   997033000000, (SELECT exec_id FROM processes WHERE pid = $pay), 0, 0, 1, 1, 'kworkerd'"
"$X" sql -d "$db" "
DELETE FROM file_events; DELETE FROM socket_events;
INSERT INTO file_events ($C, op, ret, path, path2, open_flags, mode, owner_uid, owner_gid, sensitive, exec_bits) VALUES
 ($P, 'write', 3, '/etc/passwd', NULL, 577, NULL, NULL, NULL, 1, 0),
 ($P, 'rename', 0, '/tmp/a', '/usr/bin/ls', NULL, NULL, NULL, NULL, 1, 0),
 ($P, 'symlink', 0, '/etc/shadow', '/tmp/s', NULL, NULL, NULL, NULL, 0, 0),
 ($P, 'chmod', -1, '/tmp/kworkerd', NULL, NULL, 2541, NULL, NULL, 0, 1),
 ($P, 'unlink', 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0);
UPDATE file_events SET rdev = (1 << 20) | 1, other_mount = 1, outside_mntns = 1, cgroup_target = 77,
  fs_magic = 1667723888, handle_type = 1, handle_bytes = 8, handle = '0200000000000000' WHERE op = 'write';
INSERT INTO memfd_events ($C, op, ret, name, mfd_flags) VALUES ($P, 'create', 4, 'x', 1);
INSERT INTO priv_events ($C, op, ret, old_real, old_effective, old_saved, new_real, new_effective, new_saved) VALUES
 ($P, 'setuid', 0, 1000, 1000, 1000, 0, 0, 0), ($P, 'capset', 0, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO ns_events ($C, op, ret, nstypes, call_flags, target_pid, target_ns, target, source, fstype) VALUES
 ($P, 'setns', 0, 'mnt,pid', 0, 1, 4026531840, '/proc/1/ns/mnt', NULL, NULL),
 ($P, 'mount', 0, NULL, 0, NULL, NULL, '/mnt', '/dev/sda1', 'ext4');
INSERT INTO ptrace_events ($C, op, ret, request, target_pid, target_proc_id) VALUES
 ($P, 'attach', 0, 16, $wget, (SELECT proc_id FROM processes WHERE pid = $wget)), ($P, 'poke', 0, 5, 99999, NULL);
INSERT INTO socket_events ($C, op, ret, family, sock_type, protocol, fd, oldfd, peer_family, daddr, dport) VALUES
 ($P, 'raw', 3, 2, 3, 6, 3, NULL, NULL, NULL, NULL), ($P, 'dup_stdio', 0, 2, 1, 0, 0, 3, 4, '198.51.100.10', 4444);
INSERT INTO bpf_events ($C, op, ret, cmd, prog_type, insn_cnt, prog_name) VALUES ($P, 'prog_load', 5, 5, 2, 100, 'sniff');
INSERT INTO uring_events ($C, op, ret, opcode, fd, user_data, path, path2, family, daddr, dport) VALUES
 ($P, 'openat', NULL, 18, -100, 1, '/etc/shadow', NULL, NULL, NULL, NULL),
 ($P, 'connect', NULL, 16, 5, 2, NULL, NULL, 4, '203.0.113.5', 443);" >/dev/null || { echo "insert failed"; exit 1; }
"$X" export -d "$db" -o "$tmp/all.jsonl" 2>"$tmp/err" || { echo "export failed: $(cat "$tmp/err")"; exit 1; }
eq "a device number and another mount in unmapped, as dump shows them" \
	"$(jq -r 'select(.metadata.event_code == "file" and .unmapped.op == "write") | "\(.unmapped.rdev) \(.unmapped.other_mount) \(.unmapped.outside_mntns) \(.unmapped.cgroup_target) \(.unmapped.fs_magic) \(.unmapped.handle_type) \(.unmapped.handle)"' "$tmp/all.jsonl")" "1:1 true true 77 1667723888 1 0200000000000000"
grep -q "other acts 17," "$tmp/err" && ok "the summary counts 17 other acts" || bad "summary: $(cat "$tmp/err")"
out=$(python3 "$ROOT/tests/tools/ocsf_validate.py" --schema "$SCHEMA" "$tmp/all.jsonl" 2>&1) &&
	ok "every event validates" || bad "events do not validate: $(head -5 <<<"$out")"
jq -r 'select(.metadata.event_code as $c | ["file","memfd","priv","ns","ptrace","socket","bpf","uring"] | index($c))
	| [.metadata.event_code, (.unmapped.op // .unmapped.io_uring.op), .class_uid, .activity_name, .status,
	   (.file.path // .kernel.name // .dst_endpoint.ip // .process.pid // "-"), .actor.process.pid] | @tsv' \
	"$tmp/all.jsonl" >"$tmp/got"
cat >"$tmp/want" <<T
file	write	1001	Open	Success	/etc/passwd	$pay
file	rename	1001	Rename	Success	/tmp/a	$pay
file	symlink	1001	Create	Success	/tmp/s	$pay
file	chmod	1001	Set Security	Failure	/tmp/kworkerd	$pay
file	unlink	1001	Delete	Success	-	$pay
memfd	create	1001	Create	Success	/memfd:x	$pay
priv	setuid	1007	Set User ID	Success	$pay	$pay
priv	capset	1007	capset	Success	$pay	$pay
ns	setns	1007	Enter Namespace	Success	$pay	$pay
ns	mount	1001	Mount	Success	/mnt	$pay
ptrace	attach	1007	Open	Success	$wget	$pay
ptrace	poke	1007	Inject	Success	99999	$pay
socket	raw	4001	Raw Socket	Success	-	$pay
socket	dup_stdio	4001	Socket on Stdio	Success	198.51.100.10	$pay
bpf	prog_load	1003	Create	Success	sniff	$pay
uring	openat	1001	Open	Unknown	/etc/shadow	$pay
uring	connect	4001	Open	Unknown	203.0.113.5	$pay
T
diff "$tmp/want" "$tmp/got" >"$tmp/diff" && ok "each act: its class, activity, status, object and actor" ||
	{ bad "acts differ:"; cat "$tmp/diff"; }
eq "rename: the new name is file_result" "$(jq -r 'select(.unmapped.op == "rename") | .file_result.path' "$tmp/all.jsonl")" /usr/bin/ls
eq "setns: the namespaces as an array" "$(jq -c 'select(.unmapped.op == "setns") | .unmapped.nstype' "$tmp/all.jsonl")" '["mnt","pid"]'
eq "a failed chmod says EPERM" "$(jq -r 'select(.unmapped.op == "chmod") | .status_code' "$tmp/all.jsonl")" EPERM
eq "-c host: no act of the container" "$("$X" export -d "$db" -c host 2>/dev/null | jq -c 'select(.metadata.event_code == "file")' | wc -l)" 0

# ---- real recordings: the eval corpus (every scenario, recorded in runc
# containers) holds acts of every family; every event of it validates and
# each recorded act is one event with its family's event_code
corpus=$tmp/corpus.db
"$X" ingest -q -d "$corpus" "$ROOT"/eval/corpus/*/segments && "$X" check -q -d "$corpus" >/dev/null 2>&1
"$X" export -d "$corpus" -o "$tmp/corpus.jsonl" 2>/dev/null || bad "export of the eval corpus failed"
out=$(python3 "$ROOT/tests/tools/ocsf_validate.py" --schema "$SCHEMA" "$tmp/corpus.jsonl" 2>&1) &&
	ok "eval corpus: $(tail -1 <<<"$out")" || { bad "eval corpus: invalid events:"; head -20 <<<"$out"; }
for f in file priv ns ptrace socket memfd bpf uring; do
	want=$("$X" sql -d "$corpus" --csv "SELECT count(*) FROM ${f}_events" | tail -1 | tr -d '\r')
	got=$(jq -c "select(.metadata.event_code == \"$f\")" "$tmp/corpus.jsonl" | wc -l)
	[ "$want" -gt 0 ] && [ "$got" = "$want" ] && ok "eval corpus: $f: $got recorded acts, $got events" ||
		bad "eval corpus: $f: $want recorded acts, $got events"
done

[ "$fails" -eq 0 ] && echo "export_activity: all checks passed" || echo "export_activity: $fails check(s) failed"
[ "$fails" -eq 0 ]
