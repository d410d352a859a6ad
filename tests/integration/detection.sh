#!/usr/bin/env bash
# Detection end to end through the CLI, on a deterministic generated trace
# (bench/exray-gen: containers, shells, connects, IPv4 and IPv6): ingest,
# tree, check with a policy and the correlation views at scale (the
# docs/detection.md walkthrough itself, on a recorded fixture, is
# walkthrough.sh); the SQL functions; check is idempotent; --update-expect / --expect
# round-trip and a changed expectation exits 1 with a diff; checking the
# segments directly gives the same alerts as the case DB; policy errors exit
# 2 with FILE:LINE:COL; sql --csv/--json parse. No root or BTF needed: no
# eBPF runs here. (Recorded traces: detection_fixtures.sh, fixtures_replay.sh.)
set -u
cd "${EXRAY_ROOT:-$(dirname "$0")/../..}"
BUILD=${BUILD:-build}
X=$BUILD/exray GEN=$BUILD/bench/exray-gen
for b in "$X" "$GEN"; do
	[ -x "$b" ] || { echo "detection: $b not built"; exit 1; }
done
tmp=$(mktemp -d /tmp/exray-detect-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
expect_rc() { # want, description, command...
	local want=$1 what=$2; shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$what"; else bad "$what: exit $rc, want $want"; sed 's/^/    /' "$tmp/err" | head -5; fi
}

"$GEN" -o "$tmp/cap" -n 20000 -s 7 -c 4 -t "$tmp/truth.json" >/dev/null || { echo "exray-gen failed"; exit 1; }
cat >"$tmp/site.policy" <<'P'
# generated trace: allow the documentation network everywhere
allow 192.0.2.0/24
[host]
allow 0.0.0.0/0
allow ::/0
P
db=$tmp/case.db

# --- ingest, tree, check, SQL on the generated trace
expect_rc 0 "ingest" "$X" ingest -q -d "$db" "$tmp/cap"
expect_rc 0 "tree" "$X" tree -d "$db"
expect_rc 0 "check with a policy" "$X" check -d "$db" --policy "$tmp/site.policy"
n1=$(grep -c . "$tmp/out")
[ "$n1" -gt 0 ] && ok "check printed $n1 alerts" || bad "check printed no alerts"
grep -q 'egress-not-allowed' "$tmp/out" && ok "egress-not-allowed fired" || bad "egress-not-allowed did not fire"
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$tmp/out"; then bad "control bytes in check output"; else ok "check output escaped"; fi
expect_rc 0 "sql: binaries that made egress" "$X" sql -d "$db" \
	"SELECT container, filename, connections, destinations FROM v_egress_binaries ORDER BY connections DESC"
[ "$(sed -n 2p "$tmp/out" | tr -d ' -')" = "" ] && ok "sql table has a header rule" || bad "sql table layout"
expect_rc 0 "sql: egress outside 192.0.2.0/24" "$X" sql -d "$db" \
	"SELECT time, container, comm, inet_fmt(daddr, dport) AS dst FROM v_connections WHERE NOT cidr_contains('192.0.2.0/24', daddr)"
expect_rc 0 "sql: exec to first connection" "$X" sql -d "$db" \
	"SELECT container, filename, ns_to_first_connect / 1e6 AS ms FROM v_exec_first_connect ORDER BY ms"

# --- the SQL functions on every connection (db_open registers them)
expect_rc 0 "sql: cidr_contains" "$X" sql -d "$db" --csv "SELECT cidr_contains('10.0.0.0/8','10.1.2.3'), cidr_contains('2001:db8::/32','2001:db9::1')"
[ "$(tail -1 "$tmp/out" | tr -d '\r')" = "1,0" ] && ok "cidr_contains v4/v6" || bad "cidr_contains: $(cat "$tmp/out")"

# --- idempotent store
a1=$("$X" sql -d "$db" --csv "SELECT count(*) FROM alerts" | tail -1 | tr -d '\r')
"$X" check -q -d "$db" --policy "$tmp/site.policy" 2>/dev/null
a2=$("$X" sql -d "$db" --csv "SELECT count(*) FROM alerts" | tail -1 | tr -d '\r')
[ "$a1" = "$a2" ] && [ "$a1" -gt 0 ] && ok "alerts stored once ($a1)" || bad "alerts $a1 then $a2"

# --- expect round trip
expect_rc 0 "update-expect" "$X" check -q -d "$db" --policy "$tmp/site.policy" --update-expect "$tmp/expected"
expect_rc 0 "expect matches" "$X" check -q -d "$db" --policy "$tmp/site.policy" --expect "$tmp/expected"
expect_rc 0 "expect matches when checking the segments directly" "$X" check -q --policy "$tmp/site.policy" --expect "$tmp/expected" "$tmp/cap"
sed '$d' "$tmp/expected" >"$tmp/expected2"; echo "shell-in-container container=nope exe=/bin/sh argv=[] dst=-" >>"$tmp/expected2"
expect_rc 1 "changed expectation exits 1" "$X" check -q -d "$db" --policy "$tmp/site.policy" --expect "$tmp/expected2"
grep -q '^-shell-in-container container=nope' "$tmp/out" && grep -q '^+' "$tmp/out" && ok "diff shows - and +" || bad "diff missing lines"
expect_rc 1 "no policy: egress alerts missing from expectation" "$X" check -q -d "$db" --expect "$tmp/expected"
expect_rc 3 "missing expect file" "$X" check -q -d "$db" --expect "$tmp/nope"

# --- policy errors
printf 'allow 10.0.0.0/8\n[container]\n' >"$tmp/bad.policy"
expect_rc 2 "bad policy exits 2" "$X" check -d "$db" --policy "$tmp/bad.policy"
grep -q "bad.policy:2:11: \[container\] needs a container id prefix" "$tmp/err" && ok "policy error names file:line:col" || bad "policy error text: $(cat "$tmp/err")"
expect_rc 3 "unreadable policy exits 3" "$X" check -d "$db" --policy "$tmp/missing.policy"

# --- user rules
mkdir "$tmp/rules"
cat >"$tmp/rules/any-egress.sql" <<'R'
-- id: any-egress
-- severity: low
-- description: every connection
SELECT ts, host_id, container_id, proc_id, pid, start, exec_id, conn_id, 'egress' AS message FROM connections
R
expect_rc 0 "--rules DIR --no-builtin" "$X" check -q -d "$db" --no-builtin --rules "$tmp/rules" --update-expect "$tmp/e3"
grep -q '^any-egress ' "$tmp/e3" && ! grep -q '^shell-in-container' "$tmp/e3" && ok "only the user rule ran" || bad "user rules"
printf -- '-- id: x\nSELECT 1\n' >"$tmp/rules/broken.sql"
expect_rc 2 "rule without header exits 2" "$X" check -q -d "$db" --rules "$tmp/rules"

# --- sql formats
expect_rc 0 "sql --json" "$X" sql -d "$db" --json "SELECT conn_id, daddr, dport, inet_fmt(daddr, dport) AS dst FROM connections LIMIT 50"
if jq -e . "$tmp/out" >/dev/null 2>&1; then ok "sql --json parses"; else bad "sql --json does not parse"; fi
expect_rc 0 "sql --csv" "$X" sql -d "$db" --csv "SELECT 'a,b' AS x, 'say \"hi\"' AS y, NULL AS z"
[ "$(tail -1 "$tmp/out")" = $'"a,b","say ""hi""",\r' ] && ok "csv quoting" || bad "csv: $(tail -1 "$tmp/out" | od -c | head -2)"
expect_rc 2 "sql syntax error exits 2" "$X" sql -d "$db" "SELEC 1"
expect_rc 3 "sql on a missing DB exits 3" "$X" sql -d "$tmp/none.db" "SELECT 1"

[ "$fails" -eq 0 ] && echo "detection: all checks passed" || echo "detection: $fails check(s) failed"
[ "$fails" -eq 0 ]
