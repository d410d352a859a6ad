#!/usr/bin/env bash
# The post-mortem walkthrough of README.md, on the recorded fixture
# it names, exactly as written there: every command of the section's ```sh
# blocks runs verbatim, in order, as one script (in a scratch directory
# whose fixtures/ is the repository's, with build/ first on PATH), must
# exit 0, and every line of the section's ```text blocks must appear in
# what they print (trailing blanks aside). The section must show ingest,
# tree, check with a policy, three SQL queries, an OCSF export and a
# Falco-format alert. No root needed.
set -u
ROOT=$(cd "${EXRAY_ROOT:-$(dirname "$0")/../..}" && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
DOC=$ROOT/README.md
[ -x "$BUILD/exray" ] || { echo "walkthrough: $BUILD/exray not built"; exit 1; }
tmp=$(mktemp -d /tmp/exray-walk-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

# block KIND: the lines of the walkthrough section's ```KIND blocks.
block() {
	awk -v kind="$1" '
		/^## / { insec = ($0 ~ /^## Post-mortem walkthrough/); next }
		!insec { next }
		/^```/ { if (inb) { inb = 0 } else if ($0 == "```" kind) { inb = 1 }; next }
		inb { print }' "$DOC"
}
block sh >"$tmp/walk.sh"
block text | sed 's/[[:space:]]*$//' | grep -v '^$' >"$tmp/expected"
for cmd in "exray ingest" "exray tree" "exray check -d case.db --policy" "exray export -d case.db --format ocsf"; do
	grep -q "^$cmd" "$tmp/walk.sh" && ok "the walkthrough shows '$cmd'" || bad "the walkthrough lacks '$cmd'"
done
grep -q '^exray check .*--format falco' "$tmp/walk.sh" && ok "the walkthrough shows a Falco-format alert" ||
	bad "the walkthrough lacks 'exray check ... --format falco'"
n=$(grep -c '^exray sql' "$tmp/walk.sh")
[ "$n" -ge 3 ] && ok "the walkthrough shows $n SQL queries" || bad "the walkthrough shows $n SQL queries, not 3"
[ -s "$tmp/expected" ] && ok "the walkthrough shows output ($(wc -l <"$tmp/expected") lines)" || bad "no output blocks"

mkdir "$tmp/run"
ln -s "$ROOT/fixtures" "$tmp/run/fixtures"
(cd "$tmp/run" && PATH=$BUILD:$PATH bash -e -o pipefail "$tmp/walk.sh") >"$tmp/out" 2>&1
rc=$?
[ "$rc" = 0 ] && ok "the walkthrough's commands exit 0" || { bad "the walkthrough's commands exit $rc"; sed 's/^/    /' "$tmp/out" | tail -20; }
sed 's/[[:space:]]*$//' "$tmp/out" >"$tmp/got"
missing=0
while IFS= read -r line; do
	if ! grep -qxF -- "$line" "$tmp/got"; then
		bad "shown in README.md but not printed: $line"
		missing=$((missing + 1))
	fi
done <"$tmp/expected"
[ "$missing" = 0 ] && ok "every output line shown in the doc is printed"

[ "$fails" -eq 0 ] && echo "walkthrough: all checks passed" || echo "walkthrough: $fails check(s) failed"
[ "$fails" -eq 0 ]
