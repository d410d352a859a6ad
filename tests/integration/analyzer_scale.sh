#!/usr/bin/env bash
# The analyzer on generated segments with known ground truth (bench/exray-gen,
# no root needed): `exray info --json` parses and its counts match what the
# generator wrote; `exray ingest` into a case database reproduces the
# generator's processes, containers, execs and connections; ingesting the
# segments one run at a time, in reverse order, gives the same case; a torn
# copy is reported. Nothing here is timed.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
X=$BUILD/exray gen=$BUILD/bench/exray-gen
for b in "$X" "$gen"; do
	[ -x "$b" ] || { echo "FAIL: $b not built (make $b)"; exit 1; }
done
for c in jq sqlite3; do
	command -v $c >/dev/null || { echo "FAIL: $c missing (make deps)"; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok   $1"; }
eq() { # NAME GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else echo "FAIL $1: got '$2', want '$3'"; fails=$((fails + 1)); fi
}

"$gen" -o "$tmp/seg" -n 40k -s 7 -c 5 --pid-max 3000 --segment-size 300K -t "$tmp/truth.json" ||
	{ echo "FAIL: exray-gen exited $?"; exit 1; }
t() { jq -c "$1" "$tmp/truth.json"; }

# ---- info --json
"$X" info --json "$tmp/seg" >"$tmp/info.json"
eq "info --json exit" "$?" 0
jq -e . "$tmp/info.json" >/dev/null
eq "info --json is one valid JSON document" "$?" 0
i() { jq -c "$1" "$tmp/info.json"; }
eq "info: one host" "$(i '.hosts | length')" 1
eq "info: host name" "$(i '.hosts[0].host')" "$(t .host)"
eq "info: records" "$(i '.hosts[0].records')" "$(t .records)"
eq "info: segments" "$(i '.hosts[0].segments')" "$(t .segments)"
eq "info: all complete" "$(i '.hosts[0].complete')" "$(t .segments)"
eq "info: files" "$(i '.files')" "$(t .segments)"
eq "info: by type" "$(i '.hosts[0].by_type | to_entries | sort_by(.key) | from_entries')" \
	"$(t '.records_by_type | to_entries | sort_by(.key) | from_entries')"
eq "info: bytes" "$(i '.hosts[0].bytes')" "$(t .bytes_on_disk)"
eq "info: first_ts" "$(i '.hosts[0].first_ts')" "$(t .first_ts)"
eq "info: no damage" "$(i '.hosts[0].issues')" 0
eq "info: RFC 3339 time" "$(i '.hosts[0].first_time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{9}Z$")')" true

# ---- ingest: the case matches the ground truth
db=$tmp/case.db
"$X" ingest -q -d "$db" "$tmp/seg"
eq "ingest exit" "$?" 0
q() { sqlite3 "$db" "$1"; }
eq "processes" "$(q 'SELECT count(*) FROM processes')" "$(t .processes)"
eq "host processes" "$(q 'SELECT count(*) FROM processes WHERE container_id IS NULL AND flags & 16 = 0')" \
	"$(( $(t .host_processes) - $(t .kthreads) ))"
eq "container processes" "$(q 'SELECT count(*) FROM processes WHERE container_id IS NOT NULL')" \
	"$(t .container_processes)"
eq "exits" "$(q 'SELECT count(*) FROM processes WHERE exit_ts IS NOT NULL')" "$(t .exits)"
eq "failed execs" "$(q 'SELECT count(*) FROM execs WHERE ret <> 0')" "$(t .failed_execs)"
eq "connections" "$(q 'SELECT count(*) FROM connections')" "$(t .records_by_type.connect)"
eq "established" "$(q "SELECT count(*) FROM connections WHERE state='established'")" "$(t .established)"
eq "failed connects" "$(q "SELECT count(*) FROM connections WHERE state='failed'")" "$(t .failed_connects)"
eq "every connection has its image" "$(q 'SELECT count(*) FROM connections WHERE exec_id IS NULL')" 0
got=$(q "SELECT c.cid || ' ' || c.runtime || ' ' || count(p.proc_id) FROM containers c
	LEFT JOIN processes p USING (container_id) GROUP BY c.container_id ORDER BY c.cid")
# exray names a kubepods container by the runtime its scope names
# (cri-containerd-ID.scope: containerd); the generator says kubepods
want=$(jq -r '.containers | sort_by(.cid) | .[] | (if .runtime == "kubepods" and
	(.cgroup_path | test("/cri-containerd-")) then "containerd" else .runtime end) as $rt
	| "\(.cid) \($rt) \(.processes)"' "$tmp/truth.json")
eq "containers: ids, runtimes, processes" "$got" "$want"
eq "deepest tree" "$(q 'WITH RECURSIVE d(id, n) AS (SELECT proc_id, 0 FROM processes WHERE parent_id IS NULL
	UNION ALL SELECT p.proc_id, n + 1 FROM d JOIN processes p ON p.parent_id = d.id)
	SELECT max(n) FROM d')" "$(t .max_depth)"

# ---- the same case from one run per segment, newest first
canon() {
	sqlite3 "$1" "SELECT p.pid, p.start, pp.pid, pp.start, p.exit_code, c.cid, e.filename, e.ts
		FROM processes p LEFT JOIN processes pp ON pp.proc_id = p.parent_id
		LEFT JOIN containers c ON c.container_id = p.container_id
		LEFT JOIN execs e ON e.exec_id = p.exec_id ORDER BY 1, 2;
		SELECT k.pid, k.start, k.ts, k.daddr, k.dport, c.cid, e.ts FROM connections k
		LEFT JOIN containers c USING (container_id) LEFT JOIN execs e ON e.exec_id = k.exec_id
		ORDER BY 1, 2, 3" | md5sum
}
for f in $(ls -r "$tmp/seg"); do
	"$X" ingest -q -d "$tmp/rev.db" "$tmp/seg/$f" || echo "FAIL ingest $f"
done
eq "one run per segment, reverse order: same case" "$(canon "$tmp/rev.db")" "$(canon "$db")"
"$X" ingest -q -d "$db" "$tmp/seg"
eq "re-ingest: same case" "$(canon "$db")" "$(canon "$tmp/rev.db")"

# ---- torn copy: reported by info --json and ingest
mkdir "$tmp/torn"
last=$(ls "$tmp/seg" | tail -1)
size=$(stat -c %s "$tmp/seg/$last")
head -c $((size / 2)) "$tmp/seg/$last" >"$tmp/torn/$last"
"$X" info --json "$tmp/torn" >"$tmp/torn.json"
eq "info --json torn exit" "$?" 0
eq "info --json torn: damage counted" "$(jq '.hosts[0].issues > 0 and .hosts[0].complete == 0' "$tmp/torn.json")" true

if [ $fails -gt 0 ]; then
	echo "analyzer_scale: $fails failure(s)"
	exit 1
fi
echo "analyzer_scale: all passed"
