#!/usr/bin/env bash
# Bad invocations: every exray command and exray-record given a missing
# file, a directory of non-segments, an empty directory, an empty file, a
# file that is no segment, a segment of a newer major version (a crafted
# header frame, format 2.0, valid CRC), a broken or missing case database,
# or a malformed policy prints ONE line on stderr naming the file and the
# problem, and exits with the documented code (exray: 1 problems found in
# the data, 2 usage, 3 failure; exray-record: 1 runtime failure, 2 usage).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/container.sh"
. "$here/../lib/reliability.sh"

mkdir -p "$S/nonseg" "$S/emptydir"
echo "not a segment" >"$S/nonseg/notes.txt"
echo "junk" >"$S/nonseg/junk.exray.zst"
mkdir -p "$S/textonly" && echo hello >"$S/textonly/readme.txt"
: >"$S/empty.exray.zst"
printf 'allow 10.0.0.300/8\n' >"$S/bad.policy"
echo "not sqlite" >"$S/junk.db"
python3 - "$S/v2.exray.zst" <<'PY'
# SEGMENT.md "Metadata frames": a header frame claiming format 2.0
import struct, sys, zlib
payload = bytearray(384)
payload[56:60] = b"host"
pre = struct.pack("<IHBBI", 0x4D525845, 1, 2, 0, len(payload))
crc = zlib.crc32(pre + payload) & 0xFFFFFFFF
frame = struct.pack("<II", 0x184D2A5E, 16 + len(payload)) + pre + struct.pack("<I", crc) + payload
open(sys.argv[1], "wb").write(frame)
PY

# expect CODE PATTERN LABEL CMD...: exit CODE, exactly one stderr line that
# matches PATTERN (an ERE naming the file and the problem)
expect() {
	local code=$1 pat=$2 label=$3 rc n
	shift 3
	"$@" >"$S/out" 2>"$S/err"
	rc=$?
	n=$(wc -l <"$S/err")
	if [ "$rc" = "$code" ] && [ "$n" = 1 ] && grep -qE -- "$pat" "$S/err"; then
		ok "$label: exit $code, one line"
	else
		fail "$label: exit $rc (want $code), $n stderr line(s) (want 1 matching '$pat')"
		head -3 "$S/err"
	fi
}
E=$EXRAY
for c in verify info dump ingest check; do
	db=$S/$c.db
	expect 3 "^exray: $S/missing\.exray\.zst: No such file" "$c missing file" $E $c -d "$db" "$S/missing.exray.zst"
	expect 3 "^exray: $S/emptydir: no \*\.exray\.zst segments" "$c empty directory" $E $c -d "$db" "$S/emptydir"
	expect 3 "^exray: $S/textonly: no \*\.exray\.zst segments" "$c directory of text files" $E $c -d "$db" "$S/textonly"
	expect 3 "^exray: $S/v2\.exray\.zst: segment format 2\.0 is newer" "$c newer major version" $E $c -d "$db" "$S/v2.exray.zst"
	case $c in
	verify) # its report is its output: the damage goes to stdout, exit 1
		for f in nonseg nonseg/junk.exray.zst empty.exray.zst; do
			$E verify "$S/$f" >"$S/out" 2>"$S/err"
			rc=$?
			check "verify $f: exit 1, DAMAGED on stdout, nothing on stderr" \
				all [ $rc = 1 ] ';;' grep -q ": DAMAGED: " "$S/out" ';;' [ ! -s "$S/err" ]
		done ;;
	dump) # records go to stdout, damage is a warning line; exit 1
		expect 1 "^exray: warning: $S/nonseg/junk\.exray\.zst: " "dump directory of non-segments" $E dump "$S/nonseg"
		expect 1 "^exray: warning: $S/empty\.exray\.zst: .*empty file" "dump empty file" $E dump "$S/empty.exray.zst" ;;
	*)
		expect 3 "^exray: $S/nonseg/junk\.exray\.zst: no readable segment header" "$c directory of non-segments" $E $c -d "$db" "$S/nonseg"
		expect 3 "^exray: $S/empty\.exray\.zst: no readable segment header" "$c empty file" $E $c -d "$db" "$S/empty.exray.zst" ;;
	esac
done
for c in tree check "sql"; do
	q=(); [ "$c" = sql ] && q=("SELECT 1")
	expect 3 "^exray: $S/missing\.db: .*(no such|No such)" "$c missing database" $E $c -d "$S/missing.db" "${q[@]}"
	expect 3 "^exray: $S/junk\.db: file is not a database" "$c database that is no SQLite file" $E $c -d "$S/junk.db" "${q[@]}"
	expect 3 "^exray: $S/emptydir: " "$c database that is a directory" $E $c -d "$S/emptydir" "${q[@]}"
done
"$E" ingest -d "$S/ok.db" "$S/emptydir" >/dev/null 2>&1
for c in check "sql"; do
	q=(); [ "$c" = sql ] && q=("SELECT 1")
	expect 2 "^exray: $S/bad\.policy:1:7: invalid address" "$c malformed policy" $E $c -d "$S/junk.db" -P "$S/bad.policy" "${q[@]}"
	expect 3 "^exray: $S/missing\.policy: cannot read: No such file" "$c missing policy" $E $c -d "$S/junk.db" -P "$S/missing.policy" "${q[@]}"
done
for c in verify info dump ingest tree check sql bogus; do
	$E $c --no-such-option >/dev/null 2>&1
	check "$c --no-such-option: exit 2" [ $? = 2 ]
done
for c in verify info dump ingest; do
	$E $c >/dev/null 2>&1
	check "$c without a segment: exit 2" [ $? = 2 ]
done

# Output that cannot be written (stdout on /dev/full): exit 3, one line.
seg=$here/../../fixtures/miner/segments
$E ingest -q -d "$S/full.db" "$seg" >/dev/null 2>&1
for c in verify info dump tree check sql; do
	a=("$seg"); [ "$c" = tree ] || [ "$c" = check ] && a=(-d "$S/full.db")
	[ "$c" = sql ] && a=(-d "$S/full.db" "SELECT 1")
	$E $c "${a[@]}" >/dev/full 2>"$S/err"
	rc=$?
	check "$c to /dev/full: exit 3, one line" \
		all [ $rc = 3 ] ';;' grep -q "^exray: writing output: No space left" "$S/err" \
		';;' [ "$(grep -vc '^check: ' "$S/err")" = 1 ]
done

# exray-record: its input files are the policy (--allow) and the output dir.
expect 1 "^exray-record: $S/bad\.policy:1:7: invalid address" "exray-record malformed policy" \
	$REC -o "$S/r1" --tc-iface lo --allow "$S/bad.policy" --duration 1
expect 1 "^exray-record: $S/missing\.policy: cannot read: No such file" "exray-record missing policy" \
	$REC -o "$S/r2" --tc-iface lo --allow "$S/missing.policy" --duration 1
expect 1 "^exray-record: $S/emptydir: cannot read: Is a directory" "exray-record policy that is a directory" \
	$REC -o "$S/r3" --tc-iface lo --allow "$S/emptydir" --duration 1
expect 1 "^exray-record: $S/junk\.db: " "exray-record output that is a file" $REC -o "$S/junk.db" --duration 1
$REC -o "$S/r4" --ring-size 3K --duration 1 2>"$S/err"
check "exray-record bad size: exit 2, the problem then a pointer to --help" \
	all [ $? = 2 ] ';;' grep -q "^exray-record: --ring-size: " "$S/err"
rel_done rel_badargs
