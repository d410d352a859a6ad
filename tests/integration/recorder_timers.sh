#!/usr/bin/env bash
# exray-record's timers and terminal, real eBPF: --segment-age rotates by
# age, a stats frame is written every 10 s, and when stderr is a terminal a
# live status line is kept up to date (and never when it is not). One 11 s
# capture under `script`, which gives the recorder a pseudo-terminal.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/container.sh"
exr_need_root
exr_init
command -v script >/dev/null || exr_die "script (util-linux) is needed"
REC=$EXR_BUILD/exray-record EXRAY=$EXR_BUILD/exray
fails=0
ok() { echo "ok   $1"; }
fail() { echo "FAIL $1"; fails=$((fails + 1)); }

out=$EXR_STATE/seg tty=$EXR_STATE/tty.log
script -qfec "'$REC' -o '$out' --segment-age 4s --duration 11s" "$tty" >/dev/null 2>&1
rc=$?
[ $rc = 0 ] && ok "recorder exit 0" || { fail "recorder exit $rc"; cat "$tty"; }

segs=("$out"/*.exray.zst)
# 0-4 s, 4-8 s, 8-11 s: three segments, each closed with its footer
[ ${#segs[@]} = 3 ] && ok "--segment-age 4s over 11 s: ${#segs[@]} segments" ||
	fail "--segment-age 4s over 11 s: ${#segs[@]} segments, want 3"
"$EXRAY" verify "${segs[@]}" >"$EXR_STATE/verify" 2>&1 &&
	[ "$(grep -c ', complete$' "$EXR_STATE/verify")" = ${#segs[@]} ] &&
	ok "every segment complete" || { fail "segments not all complete"; cat "$EXR_STATE/verify"; }

# stats metadata frames (SEGMENT.md: skippable magic 0x184D2A5E, "EXRM",
# type 2) are written every 10 s: one, in the segment open at 10 s
stats=$(python3 - "${segs[@]}" <<'PY'
import struct, sys
n = 0
for path in sys.argv[1:]:
    data = open(path, 'rb').read()
    pos = 0
    while (pos := data.find(struct.pack('<I', 0x184D2A5E), pos)) >= 0:
        if data[pos + 8:pos + 12] == b'EXRM' and struct.unpack_from('<H', data, pos + 12)[0] == 2:
            n += 1
        pos += 4
print(n)
PY
)
[ "$stats" = 1 ] && ok "one stats frame in 11 s" || fail "stats frames in 11 s: $stats, want 1"

# the status line: on the terminal, updated about once a second
n=$(tr '\r' '\n' <"$tty" | grep -c 'events/s, .* MiB written, .* lost, .* segments')
[ "$n" -ge 5 ] && ok "live status line on a terminal ($n updates)" || { fail "status line updates: $n"; cat -v "$tty"; }
grep -q 'exray-record: recording: ' "$tty" && ok "readiness line" || fail "no readiness line"
"$REC" -o "$EXR_STATE/seg2" --duration 1s 2>"$EXR_STATE/notty.err"
grep -q 'events/s' "$EXR_STATE/notty.err" && fail "status line written to a non-terminal" ||
	ok "no status line when stderr is not a terminal"

[ $fails = 0 ]
