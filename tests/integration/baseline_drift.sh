#!/usr/bin/env bash
# Baselines on recorded fixtures (no root needed): the same image run twice
# (fixtures/baseline-clean, fixtures/baseline-drift, recorded by
# fixtures/run-scenarios.sh). A baseline learned from the clean run must
# report, on the drifted run, exactly the injected deviations
# (fixtures/baseline-drift/expected-baseline-alerts.txt) and nothing on the
# clean run itself; learning merges; a hand edit is honoured; a broken file
# is refused with FILE:LINE:COL. Also: `exray containers` and `exray tree
# -c NAME` on every fixture, each container by its runtime's name.
set -u
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
X=$B/exray
make -s BUILD="$B" "$X" >&2 || { echo "cannot build"; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/exray-baseline.XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok   $1"; }
fail() { echo "FAIL $1"; fails=$((fails + 1)); }
eq() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', want '$3'"; fi; }

"$X" ingest -d "$T/clean.db" fixtures/baseline-clean/segments >/dev/null || fail "ingest clean"
"$X" ingest -d "$T/drift.db" fixtures/baseline-drift/segments >/dev/null || fail "ingest drift"
"$X" baseline learn -d "$T/clean.db" -o "$T/web.baseline" 2>/dev/null
eq "learn exit" "$?" 0
grep -q '^\[image registry.local/shop/web:1.4\]$' "$T/web.baseline" || fail "learned workload keyed by image"

# exactly the injected deviations: new exec, destination, lineage, user
"$X" check -d "$T/drift.db" --no-builtin --baseline "$T/web.baseline" -q \
	--expect fixtures/baseline-drift/expected-baseline-alerts.txt
eq "drift: exactly the injected deviations" "$?" 0
eq "one alert per kind" "$(grep -c '^baseline-' fixtures/baseline-drift/expected-baseline-alerts.txt)" 4
# and the built-in rules say what they said without a baseline
"$X" check -d "$T/drift.db" --policy fixtures/baseline-drift/policy.txt -q --baseline "$T/web.baseline" \
	-u "$T/all.txt" 2>/dev/null
eq "built-in + baseline = both expected sets" "$(grep -v '^#' "$T/all.txt")" \
	"$(cat fixtures/baseline-drift/expected-alerts.txt fixtures/baseline-drift/expected-baseline-alerts.txt | grep -v '^#' | sort)"
"$X" check -d "$T/clean.db" --no-builtin --baseline "$T/web.baseline" -q -u "$T/clean.txt" 2>/dev/null
eq "clean run: nothing" "$(grep -vc '^#' "$T/clean.txt")" 0
"$X" check -d "$T/drift.db" --no-builtin --baseline "$T/web.baseline" --json |
	jq -r 'select(.rule == "baseline-new-user") | .container_name + " " + .message' >"$T/user.txt"
grep -q '^web-drift baseline: image registry.local/shop/web:1.4 (container web-drift) ran a process as uid 1000' "$T/user.txt" ||
	fail "alert names the workload and what it never did: $(cat "$T/user.txt")"

# learning from both runs merges them: nothing deviates any more
"$X" baseline learn -d "$T/clean.db" -d "$T/drift.db" -o "$T/both.baseline" 2>/dev/null
"$X" check -d "$T/drift.db" --no-builtin --baseline "$T/both.baseline" -q -u "$T/both.txt" 2>/dev/null
eq "merged: nothing" "$(grep -vc '^#' "$T/both.txt")" 0
"$X" baseline learn -d "$T/drift.db" --merge "$T/web.baseline" -o "$T/merged.baseline" 2>/dev/null
eq "--merge = learning from both" "$(cat "$T/merged.baseline" | grep -v '^#')" "$(grep -v '^#' "$T/both.baseline")"

# a hand edit: the new executable and the destination range allowed
cp "$T/web.baseline" "$T/edited.baseline"
printf '\n[image "registry.local/shop/web:1.4"]  # the same workload, edited\nexec /bin/uname\nspawn /bin/sh -> "/bin/uname"\nconnect 192.0.2.0/24 port 9000-9999\n' >>"$T/edited.baseline"
"$X" check -d "$T/drift.db" --no-builtin --baseline "$T/edited.baseline" -q -u "$T/edited.txt" 2>/dev/null
eq "hand edit honoured" "$(grep -v '^#' "$T/edited.txt" | cut -d' ' -f1 | tr '\n' ' ')" "baseline-new-lineage baseline-new-user "

# other keys: by name (each run its own workload), by pod label
"$X" baseline learn -d "$T/clean.db" -o "$T/name.baseline" --by name 2>/dev/null
grep -q '^\[name web-clean\]$' "$T/name.baseline" || fail "--by name"
"$X" check -d "$T/drift.db" --no-builtin --baseline "$T/name.baseline" -q -u "$T/name.txt" 2>/dev/null
eq "by name: web-drift has no baseline" "$(grep -vc '^#' "$T/name.txt")" 0
"$X" baseline learn -d "$T/clean.db" -o "$T/label.baseline" --by pod-label app 2>/dev/null
grep -q '^\[label app=web\]$' "$T/label.baseline" || fail "--by pod-label app"
"$X" check -d "$T/drift.db" --no-builtin --baseline "$T/label.baseline" -q -u "$T/label.txt" 2>/dev/null
eq "by label: the same four" "$(grep -vc '^#' "$T/label.txt")" 4

# a broken baseline: FILE:LINE:COL, exit 2, nothing run
printf '[image x]\nexec /bin/sh\nconnect 10.0.0.0/33 port 80\n' >"$T/bad.baseline"
"$X" check -d "$T/drift.db" --baseline "$T/bad.baseline" >/dev/null 2>"$T/bad.err"
eq "bad baseline exit" "$?" 2
grep -q "bad.baseline:3:18: prefix length" "$T/bad.err" || fail "bad baseline message: $(cat "$T/bad.err")"
"$X" baseline learn -d "$T/clean.db" -o "$T/x" --by nothing >/dev/null 2>&1
eq "learn --by nothing: usage" "$?" 2

# every fixture whose scenario ran in a container: `exray containers` lists
# each of its containers (facts.txt container.NAME.id) under the name its
# runtime gave it (docker's and podman's name, or the Kubernetes container
# name), and `tree -c NAME` shows that container and exactly its processes
# (every pid the case holds for it). Fixtures with no container at all:
NO_CONTAINER="pid-reuse" # two host processes that share a pid
treepids() { sed -nE 's/^[ ^]*[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z ([0-9]+) uid=.*/\1/p' "$1" | sort -n; }
nfix=0
for d in fixtures/*/segments; do
	f=${d%/segments} n=${d%/segments}
	n=${n#fixtures/}
	"$X" ingest -d "$T/f.db" "$d" >/dev/null 2>&1 || { fail "$n: ingest"; continue; }
	"$X" containers -d "$T/f.db" --json >"$T/c.jsonl" 2>/dev/null
	rc=$?
	if [[ " $NO_CONTAINER " == *" $n "* ]]; then
		eq "$n: no container, said so" "$rc $(wc -l <"$T/c.jsonl")" "1 0"
		rm -f "$T/f.db"*
		continue
	fi
	[ $rc = 0 ] || fail "$n: containers exit $rc"
	names=$(sed -n 's/^container\.\([^.]*\)\.id=.*/\1/p' "$f/facts.txt")
	[ -n "$names" ] || fail "$n: facts.txt names no container (list it in NO_CONTAINER if it has none)"
	eq "$n: every container listed has a name" \
		"$(jq -r 'select(.runtime != "namespaces" and .name == null and .container_name == null) | .container' "$T/c.jsonl")" ""
	for name in $names; do
		id=$(sed -n "s/^container\.$name\.id=//p" "$f/facts.txt")
		eq "$n: container $name listed by that name" \
			"$(jq -r --arg id "$id" --arg nm "$name" 'select(.cid == $id) | [.name, .container_name] | index($nm) != null' "$T/c.jsonl")" true
		"$X" tree -d "$T/f.db" -c "$name" -w -n 0 >"$T/tree.txt" 2>/dev/null || fail "$n: tree -c $name exit $?"
		eq "$n: tree -c $name is that container" "$(grep '^== ' "$T/tree.txt" | grep -c "container ${id:0:12} ")" 1
		"$X" sql -d "$T/f.db" --csv "SELECT p.pid FROM processes p JOIN containers c USING (container_id)
			WHERE c.cid = '$id'" | tail -n +2 | tr -d '\r' | sort -n >"$T/want.pids"
		treepids "$T/tree.txt" >"$T/got.pids"
		[ -s "$T/want.pids" ] && cmp -s "$T/want.pids" "$T/got.pids" &&
			ok "$n: tree -c $name shows its $(wc -l <"$T/want.pids") processes" ||
			fail "$n: tree -c $name shows pids $(paste -sd' ' "$T/got.pids"), the case holds $(paste -sd' ' "$T/want.pids")"
		nfix=$((nfix + 1))
	done
	rm -f "$T/f.db"*
done
[ "$nfix" -ge 13 ] && ok "containers and tree -c NAME on every fixture ($nfix containers)" ||
	fail "only $nfix fixture containers checked"

echo "baseline_drift: $fails failure(s)"
[ "$fails" -eq 0 ]
