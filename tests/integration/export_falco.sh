#!/usr/bin/env bash
# exray check --format falco (issue 16): on the recorded fixtures, one
# Falco JSON output line per alert, in check's order, with Falco's keys
# (output, priority, rule, time, output_fields, source, tags, hostname) and
# types (evt.time an integer of ns, time RFC 3339 with ns), the same alerts
# as check --json (rule, time, host, container, pid, destination), the
# priority mapped from the severity, the rule's ATT&CK ids and
# container/host among the tags (sorted, as Falco sorts them), and output
# starting as Falco's does ("HH:MM:SS.nnnnnnnnn: Priority ..."). No root.
set -u
ROOT=$(cd "${EXRAY_ROOT:-$(dirname "$0")/../..}" && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
X=$BUILD/exray
[ -x "$X" ] || { echo "export_falco: $X not built"; exit 1; }
command -v jq >/dev/null || { echo "export_falco: jq missing (make deps)"; exit 1; }
tmp=$(mktemp -d /tmp/exray-falco-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
eq() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: got '$2', want '$3'"; fi; }

total=0
for d in "$ROOT"/fixtures/*/segments; do
	n=$(basename "$(dirname "$d")")
	pol=$(dirname "$d")/policy.txt
	[ -f "$pol" ] || pol=
	db=$tmp/$n.db
	"$X" ingest -q -d "$db" "$d" || { bad "$n: ingest"; continue; }
	"$X" check -d "$db" ${pol:+--policy "$pol"} --json >"$tmp/$n.json" 2>/dev/null
	"$X" check -d "$db" ${pol:+--policy "$pol"} --format falco >"$tmp/$n.falco" 2>"$tmp/$n.err"
	rc=$?
	[ "$rc" = 0 ] || { bad "$n: check --format falco exit $rc: $(cat "$tmp/$n.err")"; continue; }
	[ -s "$tmp/$n.json" ] || continue
	total=$((total + $(wc -l <"$tmp/$n.json")))
	eq "$n: one line per alert" "$(wc -l <"$tmp/$n.falco")" "$(wc -l <"$tmp/$n.json")"
	eq "$n: every line has Falco's keys and types" "$(jq -c 'select((keys - ["hostname","output","output_fields",
		"priority","rule","source","tags","time"]) != [] or (.output | type) != "string"
		or (.output_fields | type) != "object" or (.output_fields["evt.time"] | type) != "number"
		or (.tags | type) != "array" or .source != "syscall"
		or (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z$") | not))' \
		"$tmp/$n.falco" | wc -l)" 0
	# the same alerts, in the same order, as check --json
	jq -r '[.rule, .host, .container, (.pid // ""), (.daddr // ""), (.dport // "")] | @tsv' "$tmp/$n.json" >"$tmp/a"
	jq -r '[.rule, .hostname, .output_fields["container.id"], (.output_fields["proc.pid"] // ""),
		(.output_fields["fd.sip"] // ""), (.output_fields["fd.sport"] // "")] | @tsv' "$tmp/$n.falco" >"$tmp/b"
	eq "$n: rule, host, container, pid, destination = check --json's" "$(cmp -s "$tmp/a" "$tmp/b" && echo same)" same
	# evt.time (ns, past what jq's doubles hold: read as text) = check's ts + the boot's offset
	b2w=$("$X" sql -d "$db" --csv "SELECT boot_to_wall_ns FROM hosts" | tail -1 | tr -d '\r')
	eq "$n: evt.time = check's time, in ns" "$(paste <(jq -r .ts "$tmp/$n.json") \
		<(grep -o '"evt.time":[0-9]*' "$tmp/$n.falco" | cut -d: -f2) | while read -r ts ns; do
			[ "$ns" = "$((ts + b2w))" ] || echo x; done | wc -l)" 0
	eq "$n: priority from severity" "$(paste -d' ' <(jq -r .severity "$tmp/$n.json") <(jq -r .priority "$tmp/$n.falco") |
		sort -u | grep -vxE 'low Notice|medium Warning|high Error|critical Critical' | wc -l)" 0
	eq "$n: time is evt.time as RFC 3339" "$(paste <(grep -o '"evt.time":[0-9]*' "$tmp/$n.falco" | cut -d: -f2) \
		<(jq -r .time "$tmp/$n.falco") | while read -r ns t; do s=$(date -u -d "${t%.*}Z" +%s); f=${t#*.}
			[ "$ns" = "$s${f%Z}" ] || echo x; done | wc -l)" 0
	eq "$n: output starts with time of day and priority" "$(jq -r '[.time, .priority, .output] | @tsv' "$tmp/$n.falco" |
		while IFS=$'\t' read -r t p o; do tod=${t#*T}; tod=${tod%Z}
			[[ $o == "$tod: $p "* ]] || echo x; done | wc -l)" 0
	eq "$n: tags sorted, container or host, exray" "$(jq -c '(if .output_fields["container.id"] == "host"
		then "host" else "container" end) as $where | select(.tags != (.tags | sort) or
		(.tags | index("exray")) == null or (.tags | index($where)) == null)' "$tmp/$n.falco" | wc -l)" 0
done
[ "$total" -gt 20 ] && ok "$total alerts compared" || bad "only $total alerts compared"

# the rule's ATT&CK techniques (-- technique: header) are tags
for r in "$ROOT"/analyzer/rules/*.sql; do
	printf '%s\t%s\n' "$(sed -n 's/^-- id: *//p' "$r" | head -1)" \
		"$(sed -n 's/^-- technique: *//p' "$r" | head -1 | tr ', ' '\n\n' | grep '^T' | sort | paste -sd,)"
done | sort >"$tmp/techniques"
cat "$tmp"/*.falco | jq -r '[.rule, (.tags | map(select(startswith("T"))) | join(","))] | @tsv' | sort -u >"$tmp/got"
eq "tags carry the rule's techniques ($(cut -f1 "$tmp/got" | sort -u | wc -l) rules)" \
	"$(join -t $'\t' "$tmp/got" "$tmp/techniques" | awk -F'\t' '$2 != $3' | wc -l)" 0
[ "$(cut -f2 "$tmp/got" | grep -c .)" -gt 0 ] && ok "some alerts carry techniques" || bad "no alert carries a technique"
# a connection alert: Falco's fd fields
eq "a connection alert names client and server" \
	"$(jq -r 'select(.rule == "suspicious-port") | .output_fields | [.["evt.type"], .["fd.l4proto"], .["fd.sip"],
		.["fd.sport"], (.["fd.name"] | test("->198.51.100.10:4444$"))] | @tsv' "$tmp/download-and-run.falco")" \
	"$(printf 'connect\ttcp\t198.51.100.10\t4444\ttrue')"
# container identity as the recorder recorded it: docker's name and image,
# CRI-O's pod and namespace
db=$tmp/download-and-run.db
ident='.output_fields | [.["container.name"], .["container.image"], .["container.image.repository"],
	.["container.image.tag"], .["k8s.pod.name"], .["k8s.ns.name"]]'
eq "identity: docker's container fields (download-and-run)" "$("$X" check -d "$db" --format falco | jq -c "$ident" | sort -u)" \
	'["job","registry.local/ci/job:2.1","registry.local/ci/job","2.1",null,null]'
eq "identity: CRI-O's k8s fields (miner)" "$("$X" check -d "$tmp/miner.db" --format falco |
	jq -c '.output_fields | [.["container.image"], .["k8s.pod.name"], .["k8s.ns.name"]]' | sort -u)" \
	'["registry.local/batch/worker:1.0","worker-7d9c5","default"]'
# and every field, with a registry that has a port (set here)
"$X" sql -d "$db" "UPDATE containers SET name = 'job-7', image = 'registry.local:5000/ci/job:2.1',
	image_digest = 'sha256:feed', pod_name = 'job-7-abc', pod_namespace = 'ci'" >/dev/null
eq "identity: Falco's container and k8s fields" "$("$X" check -d "$db" --format falco | jq -c '.output_fields |
	[.["container.name"], .["container.image"], .["container.image.repository"], .["container.image.tag"],
	 .["container.image.digest"], .["k8s.pod.name"], .["k8s.ns.name"]]' | sort -u)" \
	'["job-7","registry.local:5000/ci/job:2.1","registry.local:5000/ci/job","2.1","sha256:feed","job-7-abc","ci"]'
"$X" check -d "$tmp/miner.db" --format yaml >/dev/null 2>&1
eq "--format yaml: exit 2" "$?" 2

[ "$fails" -eq 0 ] && echo "export_falco: all checks passed" || echo "export_falco: $fails check(s) failed"
[ "$fails" -eq 0 ]
