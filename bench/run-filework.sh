#!/usr/bin/env bash
# The cost of file events on a file-heavy workload (issue 12, issue 19):
# unpack this repository's source tree (git archive: ~3,000 files) and
# compile the analyzer from it (make -j$(nproc) build/exray: ~80 C files and
# the BPF skeleton), in a fresh directory under /tmp each run:
#   bare          the workload alone
#   exray         exray-record with its defaults (file events on)
#   exray-nofile  exray-record --no-file-events (what the file family costs)
#   auditd        auditd with exec and connect rules (as in run-overhead.sh)
#                 and `-w DIR -p wa` watches on the directories of exray's
#                 default change list that exist here (the equivalent it can
#                 express: auditd has no "made executable anywhere" and no
#                 "reads of secrets by name")
#   bpftrace      a bpftrace script on the same syscall tracepoints (the
#                 enter side: bpftrace reads arguments there) plus exec and
#                 connect, one line per write-intent open, create, truncate,
#                 rename, link, symlink, unlink, chmod, chown and mknod.
#                 It prints the path as the caller gave it and cannot filter
#                 by location (a relative path has no directory until it is
#                 resolved, which exray does in the kernel), so it writes a
#                 line for every such call; that is what a bpftrace user would
#                 run.
# Each repetition runs every capturer once, in an order rotated by one;
# each run starts its capturer fresh (bench-run).
#
#   bench/run-filework.sh [-r REPS] [-o OUTDIR]
#
# Writes OUTDIR/filework.tsv and prints a markdown table (median wall time
# and slowdown against bare, range over repetitions, capturer CPU during
# the workload and in all, machine CPU, file
# records). Needs root.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
REPS=3 OUT=$BUILD/bench-results
while getopts r:o: o; do
	case $o in
	r) REPS=$OPTARG ;; o) OUT=$OPTARG ;;
	*) echo "usage: $0 [-r REPS] [-o OUTDIR]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "run-filework: needs root (eBPF, auditd)"; exit 77; }
B=$BUILD/bench
for b in "$B/bench-run" "$B/exray-count" "$BUILD/exray-record"; do
	[ -x "$b" ] || { echo "run-filework: $b is not built (make all)" >&2; exit 1; }
done
mkdir -p "$OUT"
work=$(mktemp -d /tmp/exray-filework.XXXXXX)
cleanup() {
	local r
	auditctl -l 2>/dev/null | grep exrbench | while read -r r; do
		case $r in -w*) auditctl ${r/-w /-W } ;; *) auditctl ${r/-a /-d } ;; esac
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

git archive HEAD --prefix=src/ -o "$work/src.tar" || { echo "run-filework: git archive failed" >&2; exit 1; }
{
	echo 'set -e'
	echo "d=\$(mktemp -d $work/run.XXXXXX)"
	echo "tar xf $work/src.tar -C \"\$d\""
	echo "make -s -C \"\$d/src\" -j$(nproc) build/exray >/dev/null 2>&1"
	echo "rm -rf \"\$d\""
} >"$work/workload.sh"
# auditd's equivalent: a write/attribute watch on each directory of the
# default change list (recorder/filerules.c) that exists here
for p in /etc /var/spool/cron /var/spool/at /lib/systemd /usr/lib/systemd /run/systemd/system \
	/lib/security /usr/lib/x86_64-linux-gnu/security /usr/local/share/ca-certificates \
	/usr/share/ca-certificates /boot /lib/modules /usr/lib/modules /var/log /bin /sbin /usr/bin \
	/usr/sbin /usr/local/bin /usr/local/sbin; do
	if [ -d "$p" ] && [ ! -L "$p" ]; then echo "-w $p/ -p wa -k exrbench_w"; fi
done >"$work/audit.rules"
EXRAY_READY="exray-record: recording:"
# bpftrace's probes; the ready probe waits until the kernel lists them all
{
	echo 'tracepoint:sched:sched_process_exec { printf("exec %d %s %s\n", pid, comm, str(args->filename)); }'
	echo 'tracepoint:sock:inet_sock_set_state /args->oldstate == 7 && args->newstate == 2/ { printf("connect %d %s %d\n", pid, comm, args->dport); }'
	# 0x243 = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC
	echo 'tracepoint:syscalls:sys_enter_openat /args->flags & 0x243/ { printf("open %d %s %s %x\n", pid, comm, str(args->filename), args->flags); }'
	echo 'tracepoint:syscalls:sys_enter_open /args->flags & 0x243/ { printf("open %d %s %s %x\n", pid, comm, str(args->filename), args->flags); }'
	echo 'tracepoint:syscalls:sys_enter_openat2 { printf("open2 %d %s %s\n", pid, comm, str(args->filename)); }'
	for c in creat:pathname truncate:path unlink:pathname rmdir:pathname chmod:filename \
		chown:filename lchown:filename mknod:filename; do
		echo "tracepoint:syscalls:sys_enter_${c%:*} { printf(\"${c%:*} %d %s %s\\n\", pid, comm, str(args->${c#*:})); }"
	done
	for c in unlinkat:pathname fchmodat:filename fchmodat2:filename fchownat:filename mknodat:filename; do
		echo "tracepoint:syscalls:sys_enter_${c%:*} { printf(\"${c%:*} %d %s %d %s\\n\", pid, comm, args->dfd, str(args->${c#*:})); }"
	done
	for c in ftruncate fchmod fchown; do
		echo "tracepoint:syscalls:sys_enter_$c { printf(\"$c %d %s %d\\n\", pid, comm, args->fd); }"
	done
	for c in rename link symlink renameat renameat2 linkat symlinkat; do
		echo "tracepoint:syscalls:sys_enter_$c { printf(\"$c %d %s %s %s\\n\", pid, comm, str(args->oldname), str(args->newname)); }"
	done
} >"$work/peer.bt"
BT_PROBES=$(grep -c '^tracepoint' "$work/peer.bt")
cat >"$work/attached.sh" <<'EOF2'
[ "$(bpftool perf show 2>/dev/null | grep -c "^pid $BENCH_CAP_PID ")" -ge "$1" ]
EOF2

caps=(bare exray exray-nofile)
if command -v bpftrace >/dev/null && command -v bpftool >/dev/null; then
	caps+=(bpftrace)
else
	echo "run-filework: bpftrace or bpftool (its readiness probe) not installed (make bench-deps): skipped" >&2
fi
if command -v auditd >/dev/null && command -v auditctl >/dev/null; then
	caps+=(auditd)
else
	echo "run-filework: auditd not installed (make bench-deps): skipped" >&2
fi
printf 'capturer\trep\twall_ns\tmachine_busy_ms\tcap_total_ms\tfile_records\tcap_window_ms\n' >"$OUT/filework.tsv"
run_one() { # CAPTURER REP
	local cap=$1 rep=$2 d=$work/$1-$2 args=() line files=0 wall
	mkdir -p "$d"
	case $cap in
	exray) args=(-c "$BUILD/exray-record -o $d/exray" -w "$EXRAY_READY") ;;
	exray-nofile) args=(-c "$BUILD/exray-record --no-file-events -o $d/exray" -w "$EXRAY_READY") ;;
	auditd) args=(-c "bench/auditd-capture.sh $d/out.txt $work/audit.rules" -w "auditd-capture: rules loaded") ;;
	bpftrace) args=(-c "bpftrace -o $d/out.txt $work/peer.bt" -p "sh $work/attached.sh $BT_PROBES") ;;
	esac
	line=$("$B/bench-run" "${args[@]}" -- sh "$work/workload.sh" 2>"$d/err") ||
		echo "run-filework: $cap/$rep failed: $(head -c 300 "$d/err")" >&2
	kv() { grep -o " $1=[^ ]*" <<<" $line" | head -1 | cut -d= -f2; }
	wall=$(sed -n 's/^run wall_ns=\([0-9]*\).*/\1/p' <<<"$line")
	if [ -d "$d/exray" ]; then files=$("$B/exray-count" "$d/exray" | jq '.records_by_type.file // 0'); fi
	if [ "$cap" = bpftrace ]; then files=$(grep -cvE '^(exec|connect) ' "$d/out.txt"); fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$cap" "$rep" "$wall" "$(kv machine_busy_ms)" \
		"$(kv cap_total_ms)" "$files" "$(kv cap_window_ms)" >>"$OUT/filework.tsv"
	printf '  %-12s rep %s: %6.1f s\n' "$cap" "$rep" "$(awk -v w="$wall" 'BEGIN{print w/1e9}')" >&2
	rm -rf "$d"
}
n=${#caps[@]}
echo "== file-heavy workload (unpack + compile): ${caps[*]}, $REPS repetitions" >&2
for ((r = 0; r < REPS; r++)); do
	for ((i = 0; i < n; i++)); do run_one "${caps[$(((i + r) % n))]}" "$r"; done
done

echo
echo "### File-heavy workload: unpack and compile a source tree"
echo
echo "| capturer | median wall | slowdown | range over reps | capturer CPU during the workload (median) | capturer CPU in all, start-up included | machine CPU (median) | file records (bpftrace: lines) |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
awk -F'\t' '
function sorted(s, a,   n, i, j, t) {
	n = split(s, a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n
}
function med(s,   a, n) { n = sorted(s, a); return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
function lo(s,   a) { sorted(s, a); return a[1] }
function hi(s,   a, n) { n = sorted(s, a); return a[n] }
NR > 1 && $3 != "" { w[$1] = w[$1] " " $3; c[$1] = c[$1] " " $5; f[$1] = f[$1] " " $6; cw[$1] = cw[$1] " " $7; m[$1] = m[$1] " " $4 }
END {
	b = med(w["bare"])
	if (b == 0) { print "| (no bare run) |"; exit 1 }
	split("bare exray exray-nofile auditd bpftrace", order, " ")
	for (k = 1; k <= 5; k++) {
		x = order[k]
		if (!(x in w)) continue
		printf "| %s | %.2f s | %.3f× | %.3f–%.3f× | %s | %s | %.1f s | %s |\n", x, med(w[x]) / 1e9, med(w[x]) / b,
			lo(w[x]) / b, hi(w[x]) / b, x == "bare" ? "-" : sprintf("%.0f ms", med(cw[x])),
			x == "bare" ? "-" : sprintf("%.0f ms", med(c[x])), med(m[x]) / 1000,
			x ~ /^(exray|bpftrace)/ ? sprintf("%.0f", med(f[x])) : "-"
	}
}' "$OUT/filework.tsv"
