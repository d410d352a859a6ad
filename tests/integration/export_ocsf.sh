#!/usr/bin/env bash
# exray export --format ocsf (issue 16): every event exported from every
# fixture (and from a generated capture with containers, pods, IPv6 and
# failed connects) validates against the OCSF 1.8.0 schema tree; one event
# per recorded exec, fork, exit, connect and SYN and one finding per alert;
# metadata.uid is unique, the same on re-export and in another case
# database holding the same recording, and every finding's related event is
# exported; -o FILE.zst is a zstd stream of the same lines; -o refuses an
# existing file; -c, --since and --until select what they say; exits carry
# exit_code or a signal; rules' ATT&CK techniques reach the findings. No
# root needed.
set -u
ROOT=$(cd "${EXRAY_ROOT:-$(dirname "$0")/../..}" && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
X=$BUILD/exray GEN=$BUILD/bench/exray-gen
. "$ROOT/tests/lib/ocsf.sh"
for b in "$X" "$GEN"; do [ -x "$b" ] || { echo "export_ocsf: $b not built"; exit 1; }; done
for t in jq python3 zstd; do command -v $t >/dev/null || { echo "export_ocsf: $t missing (make deps)"; exit 1; }; done
SCHEMA=$(ocsf_schema_dir) || { echo "export_ocsf: no OCSF schema tree (shared/ocsf-schema-1.8.0)"; exit 1; }
V="python3 $ROOT/tests/tools/ocsf_validate.py --schema $SCHEMA"
tmp=$(mktemp -d /tmp/exray-ocsf-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
eq() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: got '$2', want '$3'"; fi; }
sql() { "$X" sql -d "$1" --csv "$2" | tail -n +2 | tr -d '\r'; }
# events of a class in an export
count() { jq -c "select(.class_uid == $2)" "$1" | wc -l; }
# count_kind FILE CLASS REGEX: events of CLASS whose metadata.uid names a
# record kind matching REGEX (HOST:KIND:...); the acts of the 1.2 families
# share classes with the process lifecycle and connections
count_kind() { jq -r "select(.class_uid == $2) | .metadata.uid | split(\":\")[1]" "$1" | grep -cxE "$3"; }

# case NAME SEGMENTS [POLICY]: ingest, check, export to $tmp/NAME.jsonl
case_of() {
	local db=$tmp/$1.db
	"$X" ingest -q -d "$db" "$2" || { bad "$1: ingest"; return 1; }
	"$X" check -q -d "$db" ${3:+--policy "$3"} 2>/dev/null
	"$X" export -d "$db" -o "$tmp/$1.jsonl" 2>"$tmp/$1.err" || { bad "$1: export: $(cat "$tmp/$1.err")"; return 1; }
}

# ---- every fixture, and a generated capture: valid, complete, stable
"$GEN" -o "$tmp/gen" -n 20000 -s 11 -c 4 >/dev/null || { echo "exray-gen failed"; exit 1; }
cases=()
for d in "$ROOT"/fixtures/*/segments; do
	n=$(basename "$(dirname "$d")")
	pol=$(dirname "$d")/policy.txt
	[ -f "$pol" ] || pol=
	case_of "$n" "$d" "$pol" && cases+=("$n")
done
case_of gen "$tmp/gen" && cases+=(gen)
[ ${#cases[@]} -ge 12 ] && ok "${#cases[@]} cases exported" || bad "only ${#cases[@]} cases exported"

for n in "${cases[@]}"; do
	db=$tmp/$n.db f=$tmp/$n.jsonl
	out=$($V "$f" 2>&1) && ok "$n: every event validates ($(wc -l <"$f") events)" ||
		bad "$n: events do not validate: $(head -5 <<<"$out")"
	eq "$n: Process Activity per exec, snapshot, fork, exit" "$(count_kind "$f" 1007 'exec|snapshot|fork|exit')" \
		"$(sql "$db" "SELECT (SELECT count(*) FROM execs) + (SELECT count(*) FROM processes WHERE fork_ts IS NOT NULL)
			+ (SELECT count(*) FROM processes WHERE exit_ts IS NOT NULL)")"
	eq "$n: Network Activity per connect and SYN" "$(count_kind "$f" 4001 'connect|syn')" \
		"$(sql "$db" "SELECT (SELECT count(*) FROM connections) + (SELECT count(*) FROM syns)")"
	eq "$n: an event per act of the 1.2 families" \
		"$(jq -r '.metadata.uid | split(":")[1]' "$f" | grep -cxE 'file|memfd|priv|ns|ptrace|socket|bpf|uring')" \
		"$(sql "$db" "SELECT (SELECT count(*) FROM file_events) + (SELECT count(*) FROM memfd_events)
			+ (SELECT count(*) FROM priv_events) + (SELECT count(*) FROM ns_events) + (SELECT count(*) FROM ptrace_events)
			+ (SELECT count(*) FROM socket_events) + (SELECT count(*) FROM bpf_events) + (SELECT count(*) FROM uring_events)")"
	eq "$n: a Detection Finding per alert" "$(count "$f" 2004)" "$(sql "$db" "SELECT count(*) FROM alerts")"
	eq "$n: metadata.uid unique" "$(jq -r .metadata.uid "$f" | sort | uniq -d | wc -l)" 0
	jq -r '.finding_info.related_events[]?.uid' "$f" | sort -u >"$tmp/rel"
	jq -r .metadata.uid "$f" | sort -u >"$tmp/uids"
	eq "$n: every finding's related event is exported" "$(comm -23 "$tmp/rel" "$tmp/uids" | wc -l)" 0
	"$X" export -d "$db" 2>/dev/null | cmp -s - "$f" && ok "$n: a re-export is identical" ||
		bad "$n: a re-export differs"
done
eq "the fixtures' findings are not empty" "$(cat "$tmp"/*.jsonl | jq -c 'select(.class_uid == 2004)' | wc -l | awk '$1 > 20 {print "many"}')" many

# the same recording in another case database (other row ids): same uids
"$X" ingest -q -d "$tmp/two.db" "$ROOT/fixtures/miner/segments" "$ROOT/fixtures/reverse-shell/segments"
pol=$ROOT/fixtures/reverse-shell/policy.txt
"$X" check -q -d "$tmp/two.db" $([ -f "$pol" ] && echo --policy "$pol") 2>/dev/null
"$X" export -d "$tmp/two.db" -o "$tmp/two.jsonl" 2>/dev/null
jq -r .metadata.uid "$tmp/reverse-shell.jsonl" | sort >"$tmp/a"
jq -r .metadata.uid "$tmp/two.jsonl" | sort >"$tmp/b"
eq "another case database holding the recording: the same uids" "$(comm -23 "$tmp/a" "$tmp/b" | wc -l)" 0

# ---- the generated case: what fixtures lack
f=$tmp/gen.jsonl db=$tmp/gen.db
eq "containers carry uid and runtime" \
	"$(jq -c 'select(.class_uid == 4001) | .actor.process.container | select(. != null) | select(.uid and .runtime) | 1' "$f" | wc -l)" \
	"$(sql "$db" "SELECT count(*) FROM connections WHERE container_id IS NOT NULL")"
eq "pods: pod_uuid and orchestrator" "$(jq -r 'select(.process.container.pod_uuid) | .process.container.orchestrator' "$f" | sort -u)" Kubernetes
eq "IPv6 connections" "$(jq -c 'select(.class_uid == 4001 and .connection_info.protocol_ver_id == 6)' "$f" | wc -l)" \
	"$(sql "$db" "SELECT count(*) FROM connections WHERE family = 6")"
eq "failed connects are Refuse, with status Failure" \
	"$(jq -c 'select(.class_uid == 4001 and .activity_id == 5 and .status_id == 2)' "$f" | wc -l)" \
	"$(sql "$db" "SELECT count(*) FROM connections WHERE state = 'failed'")"
eq "failed execs: status Failure with the errno's name" \
	"$(jq -r 'select(.class_uid == 1007 and .status_id == 2) | .status_code' "$f" | grep -c '^E[A-Z]')" \
	"$(sql "$db" "SELECT count(*) FROM execs WHERE ret < 0")"
eq "launches name their parent as actor, with ancestry" \
	"$(jq -c 'select(.class_uid == 1007 and .activity_id == 1 and (.actor.process.ancestry | length) > 0)' "$f" | wc -l | awk '$1 > 100 {print "yes"}')" yes
# exits: exit_code or signal, as in the database
jq -r 'select(.class_uid == 1007 and .activity_id == 2) | [.process.pid, (.process.uid | split(":")[2]),
	(.exit_code // ""), (.unmapped.signal // "")] | @csv' "$f" | tr -d '"' | sort >"$tmp/exits.ocsf"
sql "$db" "SELECT pid, start, coalesce(exit_code, ''), coalesce(signal, '') FROM processes WHERE exit_ts IS NOT NULL" |
	sort >"$tmp/exits.sql"
eq "Terminate: exit_code or unmapped.signal = the database's" "$(cmp -s "$tmp/exits.ocsf" "$tmp/exits.sql" && echo same)" same
eq "time is ms and time_dt the same instant" \
	"$(jq -r '[.time, .time_dt] | @tsv' "$f" | head -200 | while IFS=$'\t' read -r ms dt; do
		s=$(date -u -d "${dt%.*}Z" +%s); frac=${dt#*.}; [ "$ms" = "$s${frac:0:3}" ] || echo x; done | wc -l)" 0

# ---- ATT&CK techniques from the rules' headers (-- technique: T1059.004, ...)
for r in "$ROOT"/analyzer/rules/*.sql; do
	printf '%s\t%s\n' "$(sed -n 's/^-- id: *//p' "$r" | head -1)" \
		"$(sed -n 's/^-- technique: *//p' "$r" | head -1 | tr ', ' '\n\n' | grep '^T' | sort | paste -sd,)"
done | sort >"$tmp/techniques"
cat "$tmp"/*.jsonl | jq -r 'select(.class_uid == 2004) | [.finding_info.analytic.uid,
	([.finding_info.attacks[]? | .sub_technique.uid // .technique.uid] | sort | join(","))] | @tsv' | sort -u >"$tmp/got"
eq "findings carry their rule's techniques ($(cut -f1 "$tmp/got" | sort -u | wc -l) rules)" \
	"$(join -t $'\t' "$tmp/got" "$tmp/techniques" | awk -F'\t' '$2 != $3' | wc -l)" 0
eq "a sub-technique is also named as its technique" "$(cat "$tmp"/*.jsonl | jq -c '.finding_info.attacks[]? |
	select(.sub_technique and (.sub_technique.uid | startswith(.technique.uid + ".") | not))' 2>/dev/null | wc -l)" 0
[ "$(cut -f2 "$tmp/got" | grep -c .)" -gt 0 ] && ok "some findings name techniques" || bad "no finding names a technique"

# ---- filters
db=$tmp/gen.db
cid=$(sql "$db" "SELECT cid FROM containers ORDER BY cid LIMIT 1")
"$X" export -d "$db" -c "${cid:0:8}" >"$tmp/c.jsonl" 2>/dev/null
eq "-c PREFIX: only that container's events" \
	"$(jq -r '[.process.container.uid, .actor.process.container.uid, .src_endpoint.container.uid, .evidences[0].container.uid]
		| map(select(. != null)) | unique | join(",")' "$tmp/c.jsonl" | sort -u)" "$cid"
eq "-c PREFIX: all of them" "$(count "$tmp/c.jsonl" 4001)" \
	"$(sql "$db" "SELECT count(*) FROM connections k JOIN containers c USING (container_id) WHERE c.cid = '$cid'")"
"$X" export -d "$db" -c host >"$tmp/h.jsonl" 2>/dev/null
eq "-c host: no container" "$(jq -c 'select(.process.container or .actor.process.container)' "$tmp/h.jsonl" | wc -l)" 0
read -r lo hi <<<"$(jq -r .time "$tmp/gen.jsonl" | sort -n | awk '{v[NR] = $1} END {print v[int(NR / 3)], v[int(2 * NR / 3)]}')"
since=$(date -u -d "@$((lo / 1000))" +%Y-%m-%dT%H:%M:%S).$(printf %03d $((lo % 1000)))Z
until=$(date -u -d "@$((hi / 1000))" +%Y-%m-%dT%H:%M:%S).$(printf %03d $((hi % 1000)))999999Z
"$X" export -d "$db" --since "$since" --until "$until" >"$tmp/w.jsonl" 2>/dev/null
eq "--since/--until: only events inside" "$(jq -c "select(.time < $lo or .time > $hi)" "$tmp/w.jsonl" | wc -l)" 0
eq "--since/--until: all of them" "$(wc -l <"$tmp/w.jsonl")" "$(jq -c "select(.time >= $lo and .time <= $hi)" "$tmp/gen.jsonl" | wc -l)"

# ---- output files
"$X" export -d "$db" -o "$tmp/gen.jsonl.zst" 2>/dev/null
zstd -tq "$tmp/gen.jsonl.zst" && ok "-o FILE.zst is a valid zstd stream" || bad "-o FILE.zst: zstd -t fails"
zstdcat "$tmp/gen.jsonl.zst" | cmp -s - "$tmp/gen.jsonl" && ok "-o FILE.zst holds the same lines" || bad "-o FILE.zst differs"
eq "-o FILE is created 0600" "$(stat -c %a "$tmp/gen.jsonl.zst")" 600
echo keep >"$tmp/exists"
"$X" export -d "$db" -o "$tmp/exists" 2>"$tmp/err"
eq "-o an existing FILE: exit 2" "$?" 2
eq "-o an existing FILE: untouched" "$(cat "$tmp/exists")" keep
grep -q "exists (--force replaces it)" "$tmp/err" && ok "-o an existing FILE: says why" || bad "no reason: $(cat "$tmp/err")"
"$X" export -d "$db" -o "$tmp/exists" --force 2>/dev/null
eq "--force replaces it" "$(cmp -s "$tmp/exists" "$tmp/gen.jsonl" && echo replaced)" replaced
# a FIFO (as /dev/null or a shell's >(...)) is written through, not replaced
mkfifo "$tmp/fifo"
timeout 30 cat "$tmp/fifo" >"$tmp/fifo.out" &  # cut short if nobody writes it
reader=$!
"$X" export -d "$db" -o "$tmp/fifo" --force 2>"$tmp/err" || bad "-o a FIFO: $(cat "$tmp/err")"
wait $reader
eq "-o a FIFO: still a FIFO" "$(stat -c %F "$tmp/fifo")" "fifo"
eq "-o a FIFO: the export went through it" "$(cmp -s "$tmp/fifo.out" "$tmp/gen.jsonl" && echo same)" same
eq "-o a FIFO: no temporary file left beside it" "$(ls "$tmp" | grep -c '^fifo\.tmp')" 0
"$X" export -d "$tmp/nosuch.db" -o "$tmp/none.jsonl" 2>/dev/null
eq "a missing case: exit 3" "$?" 3
eq "a failed export leaves no file" "$(ls "$tmp"/none.jsonl* 2>/dev/null | wc -l)" 0
"$X" export --format nosuch 2>/dev/null
eq "--format nosuch: exit 2" "$?" 2

# ---- container identity (recorded from the runtime's state; set
# here on the generated case, whose generator writes none)
cp "$tmp/gen.db" "$tmp/id.db"
db=$tmp/id.db
cid=$(sql "$db" "SELECT cid FROM containers ORDER BY cid LIMIT 1")
"$X" sql -d "$db" "UPDATE containers SET name = 'payments-web', image = 'registry.local:5000/shop/web:1.4',
	image_digest = 'sha256:0123abcd' WHERE cid = '$cid'" >/dev/null
"$X" export -d "$db" -c payments-web >"$tmp/id.jsonl" 2>/dev/null
eq "-c NAME: that container" "$(jq -r '.actor.process.container.uid // .process.container.uid // empty' "$tmp/id.jsonl" | sort -u)" "$cid"
eq "container name and image (name, tag, digest as uid)" \
	"$(jq -c '.process.container // .actor.process.container // .evidences[0].container | {name, image}' "$tmp/id.jsonl" | sort -u)" \
	'{"name":"payments-web","image":{"uid":"sha256:0123abcd","name":"registry.local:5000/shop/web","tag":"1.4"}}'
out=$($V "$tmp/id.jsonl" 2>&1) && ok "with identity: every event validates" || bad "with identity: $(head -3 <<<"$out")"

[ "$fails" -eq 0 ] && echo "export_ocsf: all checks passed" || echo "export_ocsf: $fails check(s) failed"
[ "$fails" -eq 0 ]
