#!/usr/bin/env bash
# Sealed evidence, the parts around the chain (issue 15), real eBPF:
# - `--seal-log syslog`: in a private mount namespace, /dev/log is this
#   test's own listening datagram socket; the seal lines arrive there as
#   syslog messages, and `exray verify --seal-log` takes them as received
#   (and finds the newest segment deleted from a copy);
# - without --seal-key the verification key goes to stderr with the line
#   saying to keep it off the host, and that key (as hex) verifies;
# - an existing --seal-key file is refused (exit 2) and left untouched;
# - ingest --key records the verdict per segment, and info, check and
#   report state it; a tampered copy is FAILED in each;
# - --no-seal writes unsealed segments, and every command says so.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/container.sh"
exr_need_root
. "$here/../lib/reliability.sh"
command -v unshare >/dev/null || exr_die "unshare (util-linux) is missing"

# The syslog collector: every datagram on $S/log.sock, one line each.
cat >"$S/collect.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], 'ab', buffering=0) as out:
    while True:
        out.write(s.recv(65536).rstrip(b'\n') + b'\n')
EOF
python3 "$S/collect.py" "$S/log.sock" "$S/syslog.txt" &
exr_register pid $!
for n in $(seq 100); do [ -S "$S/log.sock" ] && break; sleep 0.05; done
[ -S "$S/log.sock" ] || exr_die "the syslog collector did not start"

# The recorder in a private mount namespace whose /dev holds /dev/null and
# the like from the real one, and /dev/log: the collector's socket. Nothing
# outside the namespace sees it (the host may have no /dev/log at all).
cat >"$S/ns.sh" <<'EOF'
set -e
S=$1; shift
mkdir -p "$S/olddev"
mount --bind /dev "$S/olddev"
mount -t tmpfs -o mode=0755 exray-test-dev /dev
for n in null zero full random urandom; do
	touch "/dev/$n"
	mount --bind "$S/olddev/$n" "/dev/$n"
done
touch /dev/log
mount --bind "$S/log.sock" /dev/log
exec "$@"
EOF
cap=$S/cap
unshare -m --propagation private bash "$S/ns.sh" "$S" "$REC" -o "$cap" --flush-interval 100ms \
	--segment-size 12K --seal-log syslog --seal-log-interval 1s 2>"$S/rec.err" &
RECPID=$!
exr_register pid "$RECPID"
for n in $(seq 600); do
	compgen -G "$cap/*.exray.zst" >/dev/null && break
	kill -0 "$RECPID" 2>/dev/null || break
	sleep 0.05
done
compgen -G "$cap/*.exray.zst" >/dev/null || { cat "$S/rec.err"; exr_die "recorder did not start"; }
"$WL" burst 1500 2 seallog >/dev/null 2>&1
sleep 2.5 # idle: a line a second still
kill -INT "$RECPID"
wait "$RECPID"
rc=$?
check "recorder exits 0 (got $rc)" [ $rc = 0 ]
segs=("$cap"/*.exray.zst)
check "at least 3 segments (rotations)" [ ${#segs[@]} -ge 3 ]
check "/dev/log stayed inside the namespace" \
	[ "$(stat -c %i /dev/log 2>/dev/null)" != "$(stat -c %i "$S/log.sock")" ]

# syslog: what arrived is a syslog message per line (priority daemon.notice,
# the program's name and pid), and verify takes it as it is
lines=$(grep -c '^<29>.* exray-record\[[0-9]*\]: exray-seal capture=[0-9a-f]\{32\} seq=[0-9]* key_index=[0-9]* time=[0-9TZ:-]* seal=[0-9a-f]\{64\}$' "$S/syslog.txt")
check "syslog: $lines seal lines as daemon.notice messages (at least 3: while recording, idle, at exit)" \
	[ "${lines:-0}" -ge 3 ]
check "syslog: nothing but seal lines" [ "$(wc -l <"$S/syslog.txt")" = "$lines" ]
# a line a second, idle seconds included: each names a later key than the
# one before (the key evolves at least once a second, also with no event)
check "syslog: every line names a later key than the line before" \
	awk -F'key_index=' '{ split($2, a, " "); if (NR > 1 && a[1] + 0 <= last) bad = 1; last = a[1] + 0 } END { exit bad }' "$S/syslog.txt"

# the key from stderr
grep -q 'verification key of this capture (fingerprint [0-9a-f]*) follows. Keep it OFF this host' "$S/rec.err"
check "no --seal-key: the key goes to stderr, with 'keep it OFF this host'" [ $? = 0 ]
key=$(grep -m1 -x '[0-9a-f]\{64\}' "$S/rec.err")
fp=$(sed -n 's/.*verification key of this capture (fingerprint \([0-9a-f]*\)).*/\1/p' "$S/rec.err")
check "the key on stderr is 64 hex digits" [ ${#key} = 64 ]

"$EXRAY" verify -q --key "$key" --seal-log "$S/syslog.txt" "$cap" >"$S/v.ok" 2>&1
check "verify --key HEX --seal-log SYSLOG: exit 0" [ $? = 0 ]
"$EXRAY" verify --key "$key" --seal-log "$S/syslog.txt" "$cap" >"$S/v.all" 2>&1
check "every segment's seals verified" [ "$(grep -c ' seals verified' "$S/v.all")" = ${#segs[@]} ]
rm -rf "$S/t" && cp -r "$cap" "$S/t" && rm "$S/t/${segs[-1]##*/}"
"$EXRAY" verify -q --key "$key" --seal-log "$S/syslog.txt" "$S/t" >"$S/t.out" 2>&1
check "newest segment deleted: the syslog copy shows it (exit 1)" all [ $? = 1 ] ';;' \
	grep -q 'newest segments were deleted' "$S/t.out"

# ingest --key, then info, check and report state the seals
"$EXRAY" ingest -d "$S/k.db" --key "$key" "$cap" >"$S/ing.out" 2>&1
check "ingest --key: exit 0, 'seals: ${#segs[@]} segments verified'" all [ $? = 0 ] ';;' \
	grep -q "^  seals: ${#segs[@]} segments verified, 0 FAILED, 0 unchecked (no --key), 0 unsealed$" "$S/ing.out"
check "segments.seal_status and seal_key_fp: every segment verified with the key" \
	[ "$(sqlite3 "$S/k.db" "SELECT count(*) FROM segments WHERE seal_status = 'verified' AND seal_key_fp = '$fp'")" = ${#segs[@]} ]
"$EXRAY" check -d "$S/k.db" >/dev/null 2>"$S/check.err"
check "check states the seals" grep -q "^check: seals: ${#segs[@]} segments verified, 0 FAILED" "$S/check.err"
"$EXRAY" report -d "$S/k.db" -o "$S/k.html" 2>/dev/null
check "report states the seals: Verified, with the key's fingerprint" all \
	grep -q '<div class="verdict ok"><p><b>Verified:' "$S/k.html" ';;' grep -q "<code>$fp</code>" "$S/k.html"
"$EXRAY" info "$cap" >"$S/info.out" 2>&1
check "info states the seals (chain consistent, not verified there)" \
	grep -q "seals: ${#segs[@]} of ${#segs[@]} segments sealed, chain consistent" "$S/info.out"
"$EXRAY" ingest -d "$S/u.db" "$cap" >"$S/ingu.out" 2>&1
check "ingest without --key: unchecked" \
	grep -q "^  seals: 0 segments verified, 0 FAILED, ${#segs[@]} unchecked" "$S/ingu.out"

# a tampered copy: a byte of an event frame changed, and the middle
# segment cut before its final seal
rm -rf "$S/t" && cp -r "$cap" "$S/t"
f=$S/t/${segs[0]##*/}
printf '\x55' | dd of="$f" bs=1 seek=$(($(stat -c %s "$f") / 2)) conv=notrunc 2>/dev/null
f=$S/t/${segs[1]##*/}
truncate -s -80 "$f"
"$EXRAY" ingest -d "$S/f.db" --key "$key" "$S/t" >"$S/ingf.out" 2>&1
check "ingest --key of a tampered copy: exit 1, 2 FAILED" all [ $? = 1 ] ';;' \
	grep -q '^  seals: .* 2 FAILED' "$S/ingf.out"
"$EXRAY" check -d "$S/f.db" >/dev/null 2>"$S/checkf.err"
check "check: 2 FAILED" grep -q '^check: seals: .* 2 FAILED' "$S/checkf.err"
"$EXRAY" report -d "$S/f.db" -o "$S/f.html" 2>/dev/null
check "report: Seals FAILED" grep -q '<div class="verdict bad"><p><b>Seals FAILED:' "$S/f.html"
"$EXRAY" info --json "$S/t" >"$S/infof.json" 2>/dev/null
check "info --json: the cut segment's chain does not hold (seal_failures 1)" \
	[ "$(jq '[.hosts[].seal_failures] | add' "$S/infof.json")" = 1 ]

# an existing key file is never overwritten
echo keep >"$S/old.key"
"$REC" -o "$S/cap2" --seal-key "$S/old.key" >/dev/null 2>"$S/rec2.err"
rc=$?
check "an existing --seal-key file: exit 2, kept, nothing recorded" all [ $rc = 2 ] ';;' \
	[ "$(cat "$S/old.key")" = keep ] ';;' grep -q 'exists (never overwritten' "$S/rec2.err" ';;' \
	[ -z "$(compgen -G "$S/cap2/*.exray.zst")" ]

# --no-seal: no key anywhere, unsealed segments, and every command says so
if ! rel_start "$S/cap3" "$S/rec3.err" --no-seal --flush-interval 100ms; then
	cat "$S/rec3.err"; exr_die "recorder (--no-seal) did not start"
fi
"$WL" burst 100 2 noseal >/dev/null 2>&1
kill -INT "$RECPID"
wait "$RECPID"
check "--no-seal: exit 0, no key on stderr" all [ $? = 0 ] ';;' \
	eval '! grep -qi "verification key" "$S/rec3.err"'
"$EXRAY" verify "$S/cap3" >"$S/v3" 2>&1
check "--no-seal: verify exits 0 and says the segments are not sealed" all [ $? = 0 ] ';;' \
	grep -qi 'not sealed' "$S/v3"
"$EXRAY" verify -q --key "$key" "$S/cap3" >"$S/v3k" 2>&1
check "--no-seal: verify --key fails (a key was expected to check something)" [ $? = 1 ]
"$EXRAY" ingest -d "$S/n.db" "$S/cap3" >"$S/ingn.out" 2>&1
check "--no-seal: ingest says unsealed" grep -q '^  seals: 0 segments verified, 0 FAILED, 0 unchecked (no --key), [1-9][0-9]* unsealed$' "$S/ingn.out"
"$EXRAY" report -d "$S/n.db" -o "$S/n.html" 2>/dev/null
check "--no-seal: report says Not sealed" grep -q '<div class="verdict bad"><p><b>Not sealed:' "$S/n.html"
rel_done rel_seal_log
