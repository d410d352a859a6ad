#!/usr/bin/env bash
# Recorder overhead and storage against peers (bench/README.md).
#
#   bench/run-overhead.sh [-r REPS] [-x EXEC_N] [-k CONNECT_N] [-m MIXED_N] [-o OUTDIR]
#
# CAPS="bare exray exray-noseal" (environment) runs only those capturers.
# exray is exray-record as shipped (sealing and file events on);
# exray-noseal is exray-record --no-seal, run beside it to show what sealing
# costs; exray-nofile (not in the default list: CAPS="bare exray
# exray-nofile") is exray-record --no-file-events, what file events cost.
#
# For the exec storm and the connect storm: the workload alone ("bare"),
# under exray-record, sealing on and off, and under each peer (execsnoop / tcpstates -T writing
# to a file, a bpftrace script on the same tracepoints writing to a file,
# auditd with execve and connect rules, perf record -a of the same
# tracepoints). Each repetition runs every capturer once, in an order rotated
# by one each repetition; each run starts its capturer fresh and waits for it
# to be idle before and drained after (bench-run). Then the mixed workload
# once under exray-record for bytes per event, at the default zstd level and
# at --level 9.
#
# Writes OUTDIR/overhead.tsv (one line per run) and OUTDIR/storage.tsv, and
# prints the summary tables (bench/summarize.sh). Needs root. Cleans up rules
# and processes it started on any exit.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
REPS=5 EXEC_N=3000 CONN_N=30000 MIXED_N=3000 OUT=$BUILD/bench-results
while getopts r:x:k:m:o: o; do
	case $o in
	r) REPS=$OPTARG ;; x) EXEC_N=$OPTARG ;; k) CONN_N=$OPTARG ;; m) MIXED_N=$OPTARG ;;
	o) OUT=$OPTARG ;; *) echo "usage: $0 [-r REPS] [-x EXEC_N] [-k CONNECT_N] [-m MIXED_N] [-o OUTDIR]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "run-overhead: needs root (eBPF, auditd, perf -a)"; exit 77; }
B=$BUILD/bench
for b in "$B/bench-run" "$B/exr-storm" "$B/exr-true" "$B/exray-count" "$B/exray-bytes" "$BUILD/exray-record"; do
	[ -x "$b" ] || { echo "run-overhead: $b is not built (make all)" >&2; exit 1; }
done
mkdir -p "$OUT"
work=$(mktemp -d /tmp/exray-bench.XXXXXX)
cleanup() {
	# never leave audit rules behind, whatever happened
	auditctl -l 2>/dev/null | grep -q exrbench &&
		auditctl -l | grep exrbench | sed 's/^-a /-d /' | while read -r r; do auditctl $r; done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The bpftrace peer: the same two tracepoints, one line per event.
cat > "$work/peer.bt" <<'EOF'
tracepoint:sched:sched_process_exec
{ printf("exec %d %d %s %s\n", pid, curtask->real_parent->tgid, comm, str(args->filename)); }
tracepoint:sock:inet_sock_set_state /args->oldstate == 7 && args->newstate == 2/
{ printf("connect %d %d %s %d\n", pid, tid, comm, args->dport); }
EOF
PERF_EVENTS="-e sched:sched_process_exec -e sock:inet_sock_set_state"
# What exray-record says on stderr once attached and snapshotted.
EXRAY_READY="exray-record: recording:"
# Ready probe for the BPF peers: the kernel lists N tracepoints attached by
# the capturer (bench-run sets BENCH_CAP_PID).
cat > "$work/attached.sh" <<'EOF'
[ "$(bpftool perf show 2>/dev/null | grep -c "^pid $BENCH_CAP_PID ")" -ge "$1" ]
EOF

have() { command -v "$1" >/dev/null 2>&1; }
caps_for() { # WORKLOAD -> capturers that apply and are installed
	local c list=(bare exray exray-noseal)
	if [ "$1" = exec ]; then list+=(execsnoop); else list+=(tcpstates); fi
	list+=(bpftrace auditd perf)
	[ -n "${CAPS:-}" ] && read -ra list <<<"$CAPS"
	for c in "${list[@]}"; do
		case $c in
		perf) have perf || { echo "run-overhead: perf not installed (make bench-deps): skipped" >&2; continue; } ;;
		execsnoop | tcpstates | bpftrace) have "$c" && have bpftool || { echo "run-overhead: $c or bpftool (its readiness probe) not installed (make bench-deps): skipped" >&2; continue; } ;;
		auditd) have auditd && have auditctl || { echo "run-overhead: auditd not installed (make bench-deps): skipped" >&2; continue; } ;;
		esac
		echo "$c"
	done
}

# Events the capturer recorded that the workload generated.
count_captured() { # CAPTURER WORKLOAD DIR PORT
	local cap=$1 wl=$2 d=$3 port=$4
	case $cap in
	bare) echo 0 ;;
	exray | exray-noseal | exray-nofile)
	       if [ "$wl" = exec ]; then "$B/exray-count" --exec-comm exr-true "$d/exray" | jq .match_exec
	       else "$B/exray-count" --dport "$port" "$d/exray" | jq .match_connect; fi ;;
	execsnoop) awk '$1 == "exr-true"' "$d/out.txt" | wc -l ;;
	tcpstates) awk -v p="$port" '$8 == p && $11 == "SYN_SENT"' "$d/out.txt" | wc -l ;;
	bpftrace) if [ "$wl" = exec ]; then awk '$1 == "exec" && $4 == "exr-true"' "$d/out.txt" | wc -l
		  else awk -v p="$port" '$1 == "connect" && $5 == p' "$d/out.txt" | wc -l; fi ;;
	auditd) if [ "$wl" = exec ]; then grep 'key="exrbench_exec"' "$d/out.txt" | grep -c 'comm="exr-true"'
		else grep 'key="exrbench_conn"' "$d/out.txt" | grep -c 'comm="exr-storm"'; fi ;;
	perf) if [ "$wl" = exec ]; then perf script -i "$d/perf.data" -F trace 2>/dev/null |
			grep -c 'filename=[^ ]*/exr-true '
	      else perf script -i "$d/perf.data" -F trace 2>/dev/null |
			grep -c "dport=$port .*oldstate=TCP_CLOSE newstate=TCP_SYN_SENT"; fi ;;
	esac
}

output_of() { # CAPTURER DIR -> the file(s) it wrote
	case $1 in
	bare) ;; exray | exray-noseal | exray-nofile) echo "$2"/exray/*.exray.zst ;; perf) echo "$2/perf.data" ;;
	*) echo "$2/out.txt" ;;
	esac
}

run_one() { # WORKLOAD CAPTURER REP
	local wl=$1 cap=$2 rep=$3 d=$work/$1-$2-$3 args=() wcmd line gen port captured raw z f
	mkdir -p "$d"
	case $cap in
	# Readiness (bench-run): a real signal from each capturer, then idle.
	exray) args=(-c "$BUILD/exray-record -o $d/exray" -w "$EXRAY_READY") ;;
	exray-noseal) args=(-c "$BUILD/exray-record --no-seal -o $d/exray" -w "$EXRAY_READY") ;;
	exray-nofile) args=(-c "$BUILD/exray-record --no-file-events -o $d/exray" -w "$EXRAY_READY") ;;
	# Their header line sits in a full stdio buffer (stdout is a file), so
	# ask the kernel instead: bpftool lists the tracepoints they attached.
	execsnoop) args=(-c "execsnoop > $d/out.txt" -p "sh $work/attached.sh 2") ;;
	tcpstates) args=(-c "tcpstates -T > $d/out.txt" -p "sh $work/attached.sh 1") ;;
	bpftrace) args=(-c "bpftrace -o $d/out.txt $work/peer.bt" -p "sh $work/attached.sh 2") ;;
	auditd) args=(-c "bench/auditd-capture.sh $d/out.txt" -w "auditd-capture: rules loaded") ;;
	# Events disabled at start; enabled and acked over the control fifos.
	perf) mkfifo "$d/ctl" "$d/ack"
	      args=(-c "perf record -q -a --no-buildid $PERF_EVENTS -D -1 --control fifo:$d/ctl,$d/ack -o $d/perf.data"
		    -P "$d/ctl,$d/ack") ;;
	esac
	case $wl in
	exec) wcmd=("$B/exr-storm" exec "$EXEC_N") ;;
	connect) wcmd=("$B/exr-storm" connect "$CONN_N") ;;
	esac
	if ! line=$("$B/bench-run" "${args[@]}" -- "${wcmd[@]}" 2>"$d/err"); then
		echo "run-overhead: $wl/$cap/$rep failed: $(head -c 300 "$d/err")" >&2
	fi
	kv() { grep -o " $1=[^ ]*" <<<" $line" | head -1 | cut -d= -f2; }
	port=$(kv port)
	if [ "$wl" = exec ]; then gen=$(kv execs); else gen=$(kv connects); fi
	captured=$(count_captured "$cap" "$wl" "$d" "${port:-0}")
	raw=0 z=0
	for f in $(output_of "$cap" "$d"); do
		[ -f "$f" ] || continue
		raw=$((raw + $(stat -c %s "$f")))
		# exray's segments are zstd -3 already
		if [[ $cap = exray* ]]; then z=$((z + $(stat -c %s "$f")))
		else z=$((z + $(zstd -3 -c -q "$f" | wc -c))); fi
	done
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$wl" "$cap" "$rep" \
		"$(sed -n 's/^run wall_ns=\([0-9]*\).*/\1/p' <<<"$line")" "$(kv machine_busy_ms)" \
		"$(kv cap_window_ms)" "$(kv cap_total_ms)" "${gen:-0}" "${captured:-0}" "$raw" "$z" \
		"$(kv ready_ms)" "$(kv drain_ms)" >> "$OUT/overhead.tsv"
	printf '  %-8s %-10s rep %s: %6.0f ms, captured %s/%s (ready after %s ms)\n' "$wl" "$cap" "$rep" \
		"$(awk -v w="$(sed -n 's/^run wall_ns=\([0-9]*\).*/\1/p' <<<"$line")" 'BEGIN{print w/1e6}')" \
		"${captured:-0}" "${gen:-0}" "$(kv ready_ms)" >&2
	# A capturer that saw more or fewer of the workload's events than it
	# generated: keep what it wrote, to be looked at (OUTDIR/mismatch/).
	if [ "$cap" != bare ] && [ "${captured:-0}" != "${gen:-0}" ]; then
		mkdir -p "$OUT/mismatch"
		rm -rf "$OUT/mismatch/$wl-$cap-$rep"
		mv "$d" "$OUT/mismatch/$wl-$cap-$rep"
		echo "  (kept in $OUT/mismatch/$wl-$cap-$rep)" >&2
	fi
	rm -rf "$d"
}

printf 'workload\tcapturer\trep\twall_ns\tmachine_busy_ms\tcap_window_ms\tcap_total_ms\tgenerated\tcaptured\tbytes_raw\tbytes_zstd3\tready_ms\tdrain_ms\n' > "$OUT/overhead.tsv"
for wl in exec connect; do
	mapfile -t caps < <(caps_for "$wl")
	n=${#caps[@]}
	echo "== $wl storm: ${caps[*]}, $REPS repetitions, order rotated each time" >&2
	for ((r = 0; r < REPS; r++)); do
		for ((i = 0; i < n; i++)); do
			run_one "$wl" "${caps[$(((i + r) % n))]}" "$r"
		done
	done
done

# Storage on a realistic mixed workload: varied argv, exec -> connect; at
# the default zstd level and at --level 9 (more recorder CPU, fewer bytes).
printf 'workload\trecords\tbytes\tbytes_per_record\tsnapshot_records\tcap_window_ms\n' > "$OUT/storage.tsv"
for lv in 3 9; do
	d=$work/mixed-$lv
	line=$("$B/bench-run" -c "$BUILD/exray-record --level $lv -o $d" -w "$EXRAY_READY" -- "$B/exr-storm" mixed "$MIXED_N" 2>/dev/null)
	name=mixed
	[ "$lv" = 3 ] || name="mixed, --level $lv"
	"$B/exray-count" "$d" |
		jq -r --arg n "$name" --arg c "$(grep -o ' cap_window_ms=[0-9.]*' <<<" $line" | cut -d= -f2)" \
			'[$n, .records, .bytes, (.bytes / .records * 100 | round / 100), (.records_by_type.snapshot // 0), $c] | @tsv' \
			>> "$OUT/storage.tsv"
	echo "  $name: $line" >&2
done
# where the default level's bytes go, and rows vs columns frames on the same records
"$B/exray-bytes" "$work/mixed-3" > "$OUT/bytes-mixed.json"

bench/summarize.sh "$OUT"
