#!/usr/bin/env bash
# The fleet path on ClickHouse (issue 16, docs/fleet.md): two ClickHouse
# servers of its own on loopback (own config, data and ports under a
# temporary directory), one shard each of the cluster exray_fleet, with
# schema/clickhouse.sql's local and Distributed tables; two hosts' captures
# (host "vm": the download-and-run fixture and eval corpus recordings that
# hold every family of what processes did, file to io_uring; and a
# generated host whose name hashes to the other shard) loaded through the
# Distributed tables with `exray export --format clickhouse --table T |
# clickhouse-client`. Then: each shard holds one host; every table of
# schema/clickhouse.sql holds as many rows per host as a SQLite case holding
# both hosts; the correlation (connections joined to the exec image that
# made them, per container) returns the same rows as exray's own view on
# that case; execs keep the image the kernel ran (exe, its flags, cwd); a
# fleet query over every family of acts (each act with its container, the
# image that did it and what it acted on) returns the rows of exray's views
# too; loading a host again adds nothing once merged. Skips (77) with the
# reason when clickhouse-server is not installed (make deps installs it).
# No root needed.
set -u
ROOT=$(cd "${EXRAY_ROOT:-$(dirname "$0")/../..}" && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
X=$BUILD/exray GEN=$BUILD/bench/exray-gen
for b in "$X" "$GEN"; do [ -x "$b" ] || { echo "clickhouse_fleet: $b not built"; exit 1; }; done
SERVER=$(command -v clickhouse-server || ls /usr/sbin/clickhouse-server 2>/dev/null)
CLIENT=$(command -v clickhouse-client)
if [ -z "$SERVER" ] || [ -z "$CLIENT" ]; then
	echo "clickhouse_fleet: SKIP: clickhouse-server/clickhouse-client not installed (make deps installs them from Debian)"
	exit 77
fi
tmp=$(mktemp -d /tmp/exray-ch-XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do
		for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
eq() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: got '$2', want '$3'"; fi; }

# ---- free loopback ports: 3 per server
port_free() { ! ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
ports=()
base=$((20000 + RANDOM % 20000))
for p in $(seq "$base" $((base + 200))); do
	port_free "$p" && ports+=("$p")
	[ ${#ports[@]} -eq 6 ] && break
done
[ ${#ports[@]} -eq 6 ] || { echo "clickhouse_fleet: no free ports near $base"; exit 1; }
TCP=("${ports[0]}" "${ports[3]}")

# ---- two servers, one shard each
for i in 0 1; do
	d=$tmp/s$i
	mkdir -p "$d/data" "$d/tmp" "$d/user_files" "$d/format_schemas"
	cat >"$d/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$d/server.log</log><errorlog>$d/server.err.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>${ports[$((3 * i))]}</tcp_port>
  <http_port>${ports[$((3 * i + 1))]}</http_port>
  <interserver_http_port>${ports[$((3 * i + 2))]}</interserver_http_port>
  <path>$d/data/</path>
  <tmp_path>$d/tmp/</tmp_path>
  <user_files_path>$d/user_files/</user_files_path>
  <format_schema_path>$d/format_schemas/</format_schema_path>
  <users_config>$d/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <max_concurrent_queries>20</max_concurrent_queries>
  <remote_servers>
    <exray_fleet>
      <shard><replica><host>127.0.0.1</host><port>${TCP[0]}</port></replica></shard>
      <shard><replica><host>127.0.0.1</host><port>${TCP[1]}</port></replica></shard>
    </exray_fleet>
  </remote_servers>
</yandex>
EOF
	cat >"$d/users.xml" <<'EOF'
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
EOF
	"$SERVER" --config-file="$d/config.xml" >"$d/stdout.log" 2>&1 &
	pids+=($!)
done
ch() { local i=$1; shift; "$CLIENT" --host 127.0.0.1 --port "${TCP[$i]}" "$@"; }
for i in 0 1; do
	for _ in $(seq 1 150); do ch "$i" --query "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
	if ! ch "$i" --query "SELECT 1" >/dev/null 2>&1; then
		echo "clickhouse_fleet: server $i did not start:"; tail -5 "$tmp/s$i/stdout.log" "$tmp/s$i/server.err.log"
		exit 1
	fi
done
ok "two ClickHouse servers $(ch 0 --query 'SELECT version()') on 127.0.0.1:${TCP[0]} and :${TCP[1]}"
for i in 0 1; do
	ch "$i" --multiquery <"$ROOT/schema/clickhouse.sql" || { bad "schema/clickhouse.sql on server $i"; exit 1; }
done
ok "schema/clickhouse.sql applied on both shards"
# the tables the schema defines, in its order: each must load and match
tables=$(grep -o 'exray\.[a-z_]*_local (' "$ROOT/schema/clickhouse.sql" | sed 's/exray\.//; s/_local (//')

# ---- two hosts: a fixture (host vm) and a generated host on the other shard
shard_of() { ch 0 --query "SELECT cityHash64('$1') % 2"; }
seed=
for s in $(seq 2 40); do
	[ "$(shard_of "gen-node-$s")" != "$(shard_of vm)" ] && { seed=$s; break; }
done
[ -n "$seed" ] || { bad "no generated host name hashes to the other shard"; exit 1; }
"$GEN" -o "$tmp/gen" -n 20000 -s "$seed" -c 4 >/dev/null || { bad "exray-gen"; exit 1; }
# host vm: a fixture's boot and, from another boot, corpus scenarios that
# between them hold every family of acts (checked below)
A=("$ROOT/fixtures/download-and-run/segments")
for s in esc-bpf-load priv-memfd-exec net-uring-connect priv-strace-attach esc-mount-host-disk esc-nsenter-host \
	net-reverse-shell-nc ft-useradd ft-chmod-suid priv-sudo-nopasswd; do
	A+=("$ROOT/eval/corpus/$s/segments")
done
B=$tmp/gen
"$X" ingest -q -d "$tmp/a.db" "${A[@]}" && "$X" ingest -q -d "$tmp/b.db" "$B" &&
	"$X" ingest -q -d "$tmp/both.db" "${A[@]}" "$B" || { bad "ingest"; exit 1; }
for db in a b both; do "$X" check -q -d "$tmp/$db.db" 2>/dev/null; done
eq "the SQLite case holds both hosts" "$("$X" sql -d "$tmp/both.db" --csv "SELECT group_concat(hostname, ' ') FROM
	(SELECT DISTINCT hostname FROM hosts ORDER BY 1)" | tail -1 | tr -d '\r')" "gen-node-$seed vm"

# ---- load each host's case through the Distributed tables (docs/fleet.md)
load() { # DB: every table, with the loader docs/fleet.md shows
	EXRAY=$X PATH=$(dirname "$CLIENT"):$PATH "$ROOT/schema/clickhouse-load.sh" "$1" --host 127.0.0.1 \
		--port "${TCP[0]}" 2>"$tmp/load.err" || { bad "loading $1: $(cat "$tmp/load.err")"; return 1; }
}
load "$tmp/a.db" && load "$tmp/b.db" && ok "both hosts loaded through the Distributed tables"
merge() { # make ReplacingMergeTree keep one row per identity now
	local i t
	for i in 0 1; do for t in $tables; do
		ch "$i" --query "OPTIMIZE TABLE exray.${t}_local FINAL"
	done; done
}
merge
eq "shard $(shard_of vm) holds vm only, the other gen-node-$seed only" \
	"$(ch 0 --query "SELECT groupUniqArray(host) FROM exray.processes_local"; ch 1 --query "SELECT groupUniqArray(host) FROM exray.processes_local")" \
	"$([ "$(shard_of vm)" = 0 ] && printf "['vm']\n['gen-node-$seed']" || printf "['gen-node-$seed']\n['vm']")"

# ---- every table: as many rows per host as the SQLite case
for t in $tables; do
	ct=$t st=$t
	want=$("$X" sql -d "$tmp/both.db" --csv "SELECT h.hostname, count(x.rowid) FROM hosts h LEFT JOIN $st x
		ON x.host_id = h.host_id GROUP BY 1 ORDER BY 1" | tail -n +2 | tr -d '\r' | tr ',' '\t')
	[ "$st" = hosts ] && want=$("$X" sql -d "$tmp/both.db" --csv "SELECT hostname, count(*) FROM hosts GROUP BY 1 ORDER BY 1" |
		tail -n +2 | tr -d '\r' | tr ',' '\t')
	got=$(ch 0 --query "SELECT h, sum(n) FROM (SELECT host AS h, count() AS n FROM exray.$ct GROUP BY host
		UNION ALL SELECT arrayJoin(['vm', 'gen-node-$seed']) AS h, 0 AS n) GROUP BY h ORDER BY h")
	eq "$ct: rows per host = the SQLite case's" "$got" "$want"
done

# ---- the correlation: connections joined to the image that made them, per container
exray_view=$("$X" sql -d "$tmp/both.db" --csv "SELECT k.host, COALESCE(c.cid, 'host'), COALESCE(k.filename, ''),
	k.daddr, k.dport, count(*) FROM v_connections k LEFT JOIN containers c ON c.container_id = k.container_id
	GROUP BY 1, 2, 3, 4, 5" | tail -n +2 | tr -d '\r' | tr ',' '\t' | LC_ALL=C sort)
clickhouse_view=$(ch 0 --distributed_product_mode=local --query "
	SELECT host, ifNull(cid, 'host') AS container, ifNull(filename, '') AS image, daddr, dport, count() AS n
	FROM exray.connections
	ALL LEFT JOIN (SELECT host, boot_id, pid, start, ts AS exec_ts, filename FROM exray.execs)
	USING (host, boot_id, pid, start, exec_ts)
	GROUP BY host, container, image, daddr, dport FORMAT TSV" | LC_ALL=C sort)
n=$(wc -l <<<"$exray_view")
[ "$n" -gt 50 ] && ok "the correlation has $n rows (per host, container, image, destination)" ||
	bad "the correlation has only $n rows"
eq "the correlation: ClickHouse over two shards = exray's view on one case" \
	"$(diff <(echo "$clickhouse_view") <(echo "$exray_view") >"$tmp/diff" && echo same)" same
[ -s "$tmp/diff" ] && head -10 "$tmp/diff"
eq "images are known for every connection of the fixture" \
	"$(ch 0 --distributed_product_mode=local --query "SELECT count() FROM exray.connections WHERE host = 'vm' AND exec_ts = 0")" 0

# ---- execs carry the image the kernel ran (format 1.2: exe, its flags, cwd)
images() { jq -r '[.host, .pid, .ts, .exe, .exe_flags, .cwd] | map(tostring) | @tsv' | LC_ALL=C sort; }
img_sqlite=$("$X" sql -d "$tmp/both.db" --json "SELECT h.hostname AS host, e.pid, e.ts, e.exe, e.exe_flags, e.cwd
	FROM execs e JOIN hosts h USING (host_id) WHERE e.exe IS NOT NULL" | images)
img_clickhouse=$(ch 0 --query "SELECT host, pid, ts, exe, exe_flags, cwd FROM exray.execs WHERE exe IS NOT NULL
	FORMAT JSONEachRow" | images)
n=$(wc -l <<<"$img_sqlite")
[ "$n" -gt 20 ] && [ "$(awk -F'\t' '$5 % 2 == 1' <<<"$img_sqlite" | wc -l)" -gt 0 ] &&
	ok "$n execs with their resolved image, a memfd one among them" || bad "only $n execs with exe, or no memfd exec"
eq "execs' exe, exe_flags, cwd: ClickHouse = the case" \
	"$(diff <(echo "$img_clickhouse") <(echo "$img_sqlite") >"$tmp/diff" && echo same)" same
[ -s "$tmp/diff" ] && head -10 "$tmp/diff"

# ---- what processes did: every family, each act with its container, image and object
fam_sqlite=$(for f in file priv ns ptrace socket memfd bpf uring; do
	echo "$f: $("$X" sql -d "$tmp/a.db" --csv "SELECT count(*) FROM ${f}_events" | tail -1 | tr -d '\r')"; done)
eq "host vm has acts of every family" "$(grep -c ': 0$' <<<"$fam_sqlite")" 0
grep ': 0$' <<<"$fam_sqlite"
# the act's own columns, one text per family (| between them)
declare -A object=(
	[file]="path path2 mode exec_bits sensitive owner_uid rdev other_mount outside_mntns cgroup_target fs_magic handle"
	[priv]="old_effective new_real new_effective new_saved cap_effective"
	[ns]="nstypes call_flags target_pid target source fstype"
	[ptrace]="request target_pid target_proc_start addr"
	[socket]="family sock_type fd oldfd daddr dport conn_pid conn_ts"
	[memfd]="name mfd_flags"
	[bpf]="cmd prog_type insn_cnt prog_name"
	[uring]="opcode fd path path2 daddr dport"
)
sq_union= ch_union=
for f in file priv ns ptrace socket memfd bpf uring; do
	sq_obj= ch_obj=
	for c in ${object[$f]}; do
		sq_obj+="${sq_obj:+ || '|' || }COALESCE(v.$c, '')"
		ch_obj+="${ch_obj:+, '|', }ifNull(toString($c), '')"
	done
	# SQLite: exray's view, linked columns through the case's own row ids
	sq_union+="${sq_union:+ UNION ALL }SELECT '$f' AS act, v.host, v.pid, v.ts, COALESCE(cc.cid, 'host') AS container,
		COALESCE(v.filename, '') AS image, v.op, v.ret AS result, $sq_obj AS object FROM (SELECT x.*$(
		case $f in ptrace) echo ", t.start AS target_proc_start";; socket) echo ", k.pid AS conn_pid, k.ts AS conn_ts";; esac
		) FROM v_${f}_events x$(
		case $f in ptrace) echo " LEFT JOIN processes t ON t.proc_id = x.target_proc_id";;
			socket) echo " LEFT JOIN connections k ON k.conn_id = x.conn_id";; esac
		)) v LEFT JOIN containers cc ON cc.container_id = v.container_id"
	# ClickHouse: stable keys only (its aliases are query-wide: none may
	# shadow a column)
	ch_union+="${ch_union:+ UNION ALL }SELECT '$f' AS act, host, boot_id, pid, start, ts, exec_ts, cid, op,
		toNullable(ret) AS result, concat($ch_obj) AS object FROM exray.${f}_events"
done
acts_sqlite=$("$X" sql -d "$tmp/both.db" --json "$sq_union" |
	jq -r '[.act, .host, .pid, .ts, .container, .image, .op, .result, .object] | map(tostring) | @tsv' | LC_ALL=C sort)
acts_clickhouse=$(ch 0 --distributed_product_mode=local --query "
	SELECT act, host, pid, ts, ifNull(cid, 'host') AS container, ifNull(filename, '') AS image, op, result, object
	FROM ($ch_union)
	ALL LEFT JOIN (SELECT host, boot_id, pid, start, ts AS exec_ts, filename FROM exray.execs)
	USING (host, boot_id, pid, start, exec_ts) FORMAT JSONEachRow" |
	jq -r '[.act, .host, .pid, .ts, .container, .image, .op, .result, .object] | map(tostring) | @tsv' | LC_ALL=C sort)
n=$(wc -l <<<"$acts_sqlite")
[ "$n" -gt 100 ] && ok "the acts query has $n rows over 8 families" || bad "the acts query has only $n rows"
eq "acts of every family: ClickHouse over two shards = exray's views on one case" \
	"$(diff <(echo "$acts_clickhouse") <(echo "$acts_sqlite") >"$tmp/diff" && echo same)" same
[ -s "$tmp/diff" ] && head -10 "$tmp/diff"
named=$(awk -F'\t' '$6 != ""' <<<"$acts_clickhouse" | wc -l)
[ $((named * 2)) -gt "$n" ] && ok "$named of the acts name the image that did them (joined by exec_ts)" ||
	bad "only $named of $n acts name their image"
# docs/fleet.md's example: BPF loads and io_uring connects with their image
eq "docs/fleet.md's acts query: the corpus's BPF load and io_uring connect, with their image" \
	"$(ch 0 --distributed_product_mode=local --query "
	SELECT act, host, ifNull(filename, '') AS image, op, object
	FROM (SELECT 'bpf' AS act, host, boot_id, pid, start, exec_ts, cid, op, ifNull(prog_name, '') AS object
	      FROM exray.bpf_events
	      UNION ALL
	      SELECT 'uring', host, boot_id, pid, start, exec_ts, cid, op,
	             concat(ifNull(daddr, ''), ':', toString(ifNull(dport, 0)))
	      FROM exray.uring_events WHERE op = 'connect')
	ALL LEFT JOIN (SELECT host, boot_id, pid, start, ts AS exec_ts, filename FROM exray.execs)
	USING (host, boot_id, pid, start, exec_ts) ORDER BY act FORMAT TSV" | tr '\t' ' ')" \
	"bpf vm /usr/local/bin/exr-attack prog_load exr_hide
uring vm /usr/local/bin/exr-attack connect 192.0.2.2:8080"

# ---- loading a host again keeps one row per identity once merged
before=$(ch 0 --query "SELECT count() FROM exray.connections")
load "$tmp/a.db" && merge
eq "a host loaded twice: no duplicate rows" "$(ch 0 --query "SELECT count() FROM exray.connections")" "$before"
eq "alerts keep their stable uid" "$(ch 0 --query "SELECT uniqExact(uid) = count() FROM exray.alerts")" 1

[ "$fails" -eq 0 ] && echo "clickhouse_fleet: all checks passed" || echo "clickhouse_fleet: $fails check(s) failed"
[ "$fails" -eq 0 ]
